"""Build framing/data/form_lemmas.txt: lemma and dictionary status of the word forms of real news (run once).

    python scripts/build_lemma_table.py [--min-count 2]

Source: the **build half** of ../shared/corpus/rt_ng_news.jsonl.gz (RT and Nezavisimaya Gazeta articles from
the public evaluation data of the GitHub repository mannefedov/ru_kw_eval_datasets): an article is in the build
half when the first byte of sha1(id) is even (`framing.lemma_table.in_build_half`). The bench half is never read
here. Every lowercase form (as the tokenizer and `plain_word` give it) that occurs at least --min-count times is
lemmatized and looked up with the very calls the pipeline makes (`CachedMorphLemmatizer.parse`,
`LanguageCounter._known`), so the table changes speed only: a first pass meets most forms already parsed.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from framing.language import LanguageCounter
from framing.lemma_table import TABLE_PATH, LemmaTable, in_build_half, write_table
from framing.nlp import WORD, RegexTokenizer, load_pipeline, pipeline_lemmatizer, plain_word
from framing.normalize import normalize

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "rt_ng_news.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=2)
    args = parser.parse_args()
    nlp = load_pipeline()
    tokenizer = RegexTokenizer(nlp.vocab)
    lemmatizer = pipeline_lemmatizer(nlp)
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
    forms = sorted(f for f, c in counts.items() if c >= args.min_count and WORD.search(f) and not f.isdigit())
    counter = LanguageCounter(lemmatizer.morph)  # no table: the dictionary itself
    write_table(LemmaTable({form: lemmatizer.parse(form) for form in forms},
                           frozenset(form for form in forms if not counter._known(form))))
    print(
        f"{len(forms)} forms from {articles} build-half articles → {TABLE_PATH} "
        f"({TABLE_PATH.stat().st_size / 2**20:.1f} MB)"
    )


if __name__ == "__main__":
    main()
