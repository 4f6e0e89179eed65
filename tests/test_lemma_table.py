"""The shipped form → lemma table changes speed only: every lookup equals pymorphy3's own parse (issue 14)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from framing.lemma_table import TABLE_PATH, dictionary_identity, in_build_half, load_table
from framing.nlp import RegexTokenizer, load_pipeline, pipeline_lemmatizer, plain_word
from framing.normalize import fold_yo, normalize

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "rt_ng_news.jsonl.gz"
BENCH_FORMS = 100_000
BUILD_FORMS = 30_000


def corpus_forms(build_half: bool, at_least: int) -> set[str]:
    """Distinct lowercase word forms of the corpus articles of one half, in corpus order until `at_least`."""
    tokenizer = RegexTokenizer(load_pipeline().vocab)
    forms: set[str] = set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if in_build_half(row["id"]) != build_half:
                continue
            doc = tokenizer(normalize(f"{row['title']}\n{row['text']}"))
            forms.update(t.text.lower() for t, is_word in zip(doc, doc._.is_word) if is_word)
            if len(forms) >= at_least:
                break
    return forms


@pytest.fixture(scope="module")
def lemmatizer():
    lemmatizer = pipeline_lemmatizer()
    lemmatizer.load_table()  # otherwise loaded at the first new form
    return lemmatizer


def test_table_is_shipped_and_loaded(lemmatizer):
    assert TABLE_PATH.exists() and len(lemmatizer.table) > 500_000
    assert lemmatizer.table.lemma("стран") == "страна" and lemmatizer.table.lemma("партнерства") == "партнерство"
    assert lemmatizer.table.known("стран") and lemmatizer.table.known("жээнбеков") is False
    assert lemmatizer.table.lookup("несуществующесловоххх") is None


def test_table_entries_are_what_pymorphy3_gives(lemmatizer):
    """The table keeps hashes, not forms: checked on the inflections of frequent news words, which it holds."""
    from framing.language import LanguageCounter

    dictionary = LanguageCounter(lemmatizer.morph)  # no table
    forms = {p.word.replace("ё", "е") for word in INFLECTED for p in lemmatizer.morph.parse(word)[0].lexeme}
    assert len(forms) > 200
    for form in sorted(forms):
        assert form in lemmatizer.table, form
        assert lemmatizer.table.lemma(form) == lemmatizer.parse(form), form
        assert lemmatizer.table.known(form) == dictionary._known(form), form


INFLECTED = ["партнерство", "суверенитет", "сотрудничать", "независимый", "язык", "соотечественник", "многополярный",
             "гегемония", "интеграция", "вмешательство", "стратегический", "дружба", "школа", "говорить"]
TRICKY_FORMS = ["кое-что", "по-русски", "сверхдержава", "экс-президент", "а", "ии", "covid", "псевдонаучный",
                "жээнбеков", "токаевым", "елка", "ёлка", "нью-йоркский", "г", "ул", "зеленский", "12-летний"]


def test_dictionary_status_from_the_parse_is_word_is_known(lemmatizer):
    """The language check takes a new form's dictionary status from the lemmatizer's parse (nlp.PARSED_KNOWN):
    exactly what word_is_known answers, for known forms, unknown ones and those prefixes/hyphens/suffixes explain."""
    for form in TRICKY_FORMS:
        lemma, known = lemmatizer.parse_known(form)
        assert lemma == fold_yo(lemmatizer.morph.parse(form)[0].normal_form), form
        assert known == lemmatizer.morph.word_is_known(form), form


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus beside the checkout (CI has it)")
def test_forms_of_the_bench_half_lemmatize_as_pymorphy3_does(lemmatizer):
    """≥ 100,000 distinct forms of articles the table was not built from: table-or-parse == parse, every one."""
    forms = corpus_forms(build_half=False, at_least=BENCH_FORMS)
    assert len(forms) >= BENCH_FORMS
    in_table = sum(plain_word(f) in lemmatizer.table for f in forms)
    assert in_table > BENCH_FORMS // 2  # the point of the table: most forms of unseen news are in it
    wrong = [f for f in forms if lemmatizer.lemma_of(f) != lemmatizer.parse(plain_word(f))]
    assert not wrong, wrong[:10]


def test_missing_damaged_or_foreign_table_means_parsing_everything(tmp_path, lemmatizer):
    """No table, a damaged one, or one made with another pymorphy3 dictionary: empty (every form parsed), no error."""
    dictionary = dictionary_identity(lemmatizer.morph)
    shipped = TABLE_PATH.read_bytes()
    damaged = {
        "none.npz": None,
        "text.npz": b"not a table",
        "empty.npz": b"",
        "truncated.npz": shipped[: len(shipped) // 2],
        "flipped.npz": shipped[:4000] + bytes([shipped[4000] ^ 0xFF]) + shipped[4001:],
    }
    for name, content in damaged.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        assert not len(load_table(dictionary, tmp_path / name)), name
    assert not len(load_table(dictionary + " (another)"))
    with np.load(TABLE_PATH) as data:
        arrays = {name: data[name] for name in data.files}
    np.savez(tmp_path / "unsorted.npz", **{**arrays, "keys": arrays["keys"][::-1].copy()})
    np.savez(tmp_path / "short.npz", **{**arrays, "known": arrays["known"][:-1]})
    for name in ("unsorted.npz", "short.npz"):
        assert not len(load_table(dictionary, tmp_path / name)), name
    assert "сказал" in lemmatizer.table and "сказал" not in load_table(dictionary, tmp_path / "none.npz")


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus beside the checkout (CI has it)")
def test_table_holds_the_forms_of_the_build_half_as_pymorphy3_gives_them(lemmatizer):
    """The table keeps hashes, not forms: its entries checked against pymorphy3 on the forms it was built from."""
    from framing.language import LanguageCounter

    dictionary = LanguageCounter(lemmatizer.morph)  # no table
    forms = {plain_word(form) for form in corpus_forms(build_half=True, at_least=BUILD_FORMS)}
    forms = {form for form in forms if not form.isdigit()}
    assert len(forms) >= BUILD_FORMS * 0.9
    missing = [form for form in forms if form not in lemmatizer.table]
    assert not missing, missing[:10]
    wrong = [form for form in forms if lemmatizer.table.lemma(form) != lemmatizer.parse(form)
             or lemmatizer.table.known(form) != dictionary._known(form)]
    assert not wrong, wrong[:10]


def test_table_is_loaded_when_the_first_new_form_comes(monkeypatch):
    import framing.nlp
    from framing.lemma_table import LemmaTable
    from framing.nlp import CachedMorphLemmatizer

    monkeypatch.setattr(framing.nlp, "SHARED_TABLE", LemmaTable())  # as in a new process: not loaded yet
    fresh = CachedMorphLemmatizer(load_pipeline())
    assert not len(fresh.table)  # building a pipeline does not load it
    doc = load_pipeline().make_doc("Москва и Астана вышли на новый уровень отношений.")
    fresh(doc)
    assert len(fresh.table) == len(load_table(dictionary_identity(fresh.morph)))
    assert [t.lemma_ for t in fresh(doc)] == [t.lemma_ for t in load_pipeline()(doc.text)]
