"""The shipped form → lemma table changes speed only: every lookup equals pymorphy3's own parse (issue 14)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from framing.lemma_table import TABLE_PATH, in_build_half, load_table
from framing.nlp import WORD, RegexTokenizer, load_pipeline, pipeline_lemmatizer, plain_word
from framing.normalize import fold_yo, normalize

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "rt_ng_news.jsonl.gz"
BENCH_FORMS = 100_000


@pytest.fixture(scope="module")
def lemmatizer():
    lemmatizer = pipeline_lemmatizer()
    lemmatizer.load_table()  # otherwise loaded after LOAD_AFTER_MISSES new forms
    return lemmatizer


def test_table_is_shipped_and_loaded(lemmatizer):
    assert TABLE_PATH.exists() and len(lemmatizer.table.lemmas) > 50_000
    assert lemmatizer.table.lemmas["стран"] == "страна" and lemmatizer.table.lemmas["партнерства"] == "партнерство"
    assert lemmatizer.table.known("стран") and lemmatizer.table.known("жээнбеков") is False


def test_every_table_entry_is_what_pymorphy3_gives(lemmatizer):
    from framing.language import LanguageCounter

    table = load_table()
    wrong = [(form, lemma) for form, lemma in table.lemmas.items() if lemmatizer.parse(form) != lemma]
    assert not wrong, wrong[:10]
    dictionary = LanguageCounter(lemmatizer.morph)  # no table
    wrong = [form for form in table.lemmas if dictionary._known(form) != table.known(form)]
    assert not wrong, wrong[:10]


TRICKY_FORMS = ["кое-что", "по-русски", "сверхдержава", "экс-президент", "а", "ии", "covid", "псевдонаучный",
                "жээнбеков", "токаевым", "елка", "ёлка", "нью-йоркский", "г", "ул", "зеленский", "12-летний"]


def test_dictionary_status_from_the_parse_is_word_is_known(lemmatizer):
    """The language check takes a new form's dictionary status from the lemmatizer's parse (nlp.PARSED_KNOWN):
    exactly what word_is_known answers, for known forms, unknown ones and those prefixes/hyphens/suffixes explain."""
    table = load_table()
    forms = sorted(table.lemmas)[::25] + sorted(table.unknown)[::5] + TRICKY_FORMS
    for form in forms:
        lemma, known = lemmatizer.parse_known(form)
        assert lemma == fold_yo(lemmatizer.morph.parse(form)[0].normal_form), form
        assert known == lemmatizer.morph.word_is_known(form), form


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus beside the checkout (CI has it)")
def test_forms_of_the_bench_half_lemmatize_as_pymorphy3_does(lemmatizer):
    """≥ 100,000 distinct forms of articles the table was not built from: table-or-parse == parse, every one."""
    tokenizer = RegexTokenizer(load_pipeline().vocab)
    forms: set[str] = set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if in_build_half(row["id"]):
                continue
            doc = tokenizer(normalize(f"{row['title']}\n{row['text']}"))
            forms.update(t.text.lower() for t, is_word in zip(doc, doc._.is_word) if is_word)
            if len(forms) >= BENCH_FORMS:
                break
    assert len(forms) >= BENCH_FORMS
    in_table = sum(plain_word(f) in lemmatizer.table.lemmas for f in forms)
    assert in_table > BENCH_FORMS // 2  # the point of the table: most forms of unseen news are in it
    wrong = [f for f in forms if lemmatizer.lemma_of(f) != lemmatizer.parse(plain_word(f))]
    assert not wrong, wrong[:10]


def test_missing_table_means_parsing_everything(tmp_path, lemmatizer):
    assert not load_table(tmp_path / "none.txt").lemmas
    assert all(WORD.search(f) for f in list(lemmatizer.table.lemmas)[:100])


def test_table_is_loaded_only_once_many_new_forms_were_met(monkeypatch):
    import framing.nlp
    from framing.lemma_table import LOAD_AFTER_MISSES, LemmaTable
    from framing.nlp import CachedMorphLemmatizer

    monkeypatch.setattr(framing.nlp, "SHARED_TABLE", LemmaTable())  # as in a new process: not loaded yet
    fresh = CachedMorphLemmatizer(load_pipeline())
    doc = load_pipeline().make_doc("Москва и Астана вышли на новый уровень отношений.")
    fresh(doc)
    assert not fresh.table.lemmas and 0 < fresh.misses < LOAD_AFTER_MISSES
    fresh(load_pipeline().make_doc(" ".join(f"слово{i}" for i in range(LOAD_AFTER_MISSES))))
    assert fresh.table.lemmas and [t.lemma_ for t in fresh(doc)] == [t.lemma_ for t in load_pipeline()(doc.text)]
