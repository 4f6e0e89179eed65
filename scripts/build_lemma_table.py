"""Build framing/data/form_lemmas.npz: lemma and dictionary status of Russian word forms (run once).

    python scripts/build_lemma_table.py [--min-count 1] [--lexeme-min-count 1]

Source: the **build half** of ../shared/corpus/rt_ng_news.jsonl.gz (RT and Nezavisimaya Gazeta articles from
the public evaluation data of the GitHub repository mannefedov/ru_kw_eval_datasets): an article is in the build
half when the first byte of sha1(id) is even (`framing.lemma_table.in_build_half`). The bench half is never read
here. The forms: every lowercase form (as the tokenizer and `plain_word` give it) that occurs at least
--min-count times, and every inflection pymorphy3 lists for the lexeme of each dictionary word among them whose
lemma occurs at least --lexeme-min-count times. Each form's entry is made with the very calls the pipeline makes
(`CachedMorphLemmatizer.parse_known` for the lemma, `word_is_known` for the dictionary status), so the table
changes speed only: a first pass meets most forms already parsed.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from framing.lemma_table import TABLE_PATH, build_table, dictionary_identity, in_build_half, write_table
from framing.nlp import WORD, RegexTokenizer, load_pipeline, pipeline_lemmatizer, plain_word
from framing.normalize import fold_yo, normalize

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "rt_ng_news.jsonl.gz"


def corpus_forms() -> tuple[Counter, int]:
    tokenizer = RegexTokenizer(load_pipeline().vocab)
    counts: Counter = Counter()
    articles = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if not in_build_half(row["id"]):
                continue
            articles += 1
            doc = tokenizer(normalize(f"{row['title']}\n{row['text']}"))
            counts.update(plain_word(t.text.lower()) for t, is_word in zip(doc, doc._.is_word) if is_word)
    return counts, articles


def tabled(form: str) -> bool:
    return bool(WORD.search(form)) and not form.isdigit() and "\n" not in form


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=1)
    parser.add_argument("--lexeme-min-count", type=int, default=1)
    args = parser.parse_args()
    lemmatizer = pipeline_lemmatizer()
    morph = lemmatizer.morph
    counts, articles = corpus_forms()
    forms = {f for f, c in counts.items() if c >= args.min_count and tabled(f)}
    entries = {form: lemmatizer.parse_known(form) for form in sorted(forms)}
    lemma_counts: Counter = Counter()
    for form, (lemma, known) in entries.items():
        if known:
            lemma_counts[lemma] += counts[form]
    inflections = set()
    for form, (lemma, known) in entries.items():
        if known and lemma_counts[lemma] >= args.lexeme_min_count:
            inflections.update(fold_yo(p.word) for p in morph.parse(form)[0].lexeme)
    for form in sorted(inflections - forms):
        if tabled(form) and plain_word(form) == form:
            entries[form] = lemmatizer.parse_known(form)
    table = build_table({form: (lemma, morph.word_is_known(form)) for form, (lemma, _) in entries.items()})
    write_table(table, dictionary_identity(morph))
    print(
        f"{len(forms)} forms from {articles} build-half articles + {len(table) - len(forms)} inflections of their "
        f"dictionary words → {TABLE_PATH} ({TABLE_PATH.stat().st_size / 2**20:.1f} MB)"
    )


if __name__ == "__main__":
    main()
