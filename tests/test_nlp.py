"""Tokenizer, lemmatizer and sentence splitter on real Russian text."""

from framing.nlp import lemmatize_phrase, load_pipeline
from framing.normalize import normalize


def lemmas(text: str) -> list[str]:
    return [t.lemma_ for t in load_pipeline()(normalize(text)) if not t.is_space]


def test_hyphenated_words_stay_whole():
    doc = load_pipeline()("Декларация о развитии российско-казахстанских отношений подписана в Санкт-Петербурге.")
    words = [t.text for t in doc]
    assert "российско-казахстанских" in words
    assert "Санкт-Петербурге" in words
    assert [t.lemma_ for t in doc if t.text == "российско-казахстанских"] == ["российско-казахстанский"]


def test_doc_text_is_the_input_exactly():
    text = "Первый абзац.\n\n  Второй   абзац — «цитата»,  конец.\t"
    assert load_pipeline()(text).text == text


def test_lemmas_fold_yo_and_inflection():
    assert lemmas("партнёрства партнерством Партнёрству") == ["партнерство"] * 3
    assert lemmas("стратегического партнёрства") == ["стратегический", "партнерство"]
    assert lemmatize_phrase("Глобального Юга") == ["глобальный", "юг"]


def test_razdel_sentences_respect_abbreviations_and_offsets():
    text = (
        "В 2015 г. товарооборот составил 15 млрд долл. и вырос вдвое. "
        "В. В. Путин заявил: «Это успех». Итоги подведут позже."
    )
    doc = load_pipeline()(text)
    spans = doc._.sentences
    assert len(spans) == 3
    assert text[spans[0][0] : spans[0][1]].endswith("вырос вдвое.")
    assert text[spans[1][0] : spans[1][1]].startswith("В. В. Путин")


def test_soft_hyphens_accents_and_decomposed_yo_stay_in_words():
    import unicodedata

    assert lemmas("парт\u00adнёрства") == ["партнерство"]
    assert lemmas("стратеги\u0301ческого") == ["стратегический"]
    assert lemmas(unicodedata.normalize("NFD", "партнёрству")) == ["партнерство"]
