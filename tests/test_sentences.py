"""Sentence spans are razdel's, per line: the fused rules (framing.sentences) change speed only (issue 14)."""

from __future__ import annotations

import gzip
import json
import re
from itertools import islice
from pathlib import Path

import pytest
from razdel import sentenize

from framing.normalize import normalize
from framing.sentences import joins, sentence_spans

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "rt_ng_news.jsonl.gz"
CORPUS_ARTICLES = 1_500

# Each of razdel's rules has a say in one of these: abbreviations (single, pair, heading), initials, list items,
# closing quotes and brackets, a dash before a lowercase word, smileys, a delimiter before a delimiter.
TRICKY = [
    "В 2015 г. товарооборот вырос. В 2016 г. Москва ответила.",
    "Цена 15 млрд долл. и 3 тыс. руб. Итоги позже.",
    "Он сказал, т. е. подтвердил. Т. е. всё ясно. И т.д. Далее.",
    "В. В. Путин и Дж. Байден встретились. А. Лукашенко — нет.",
    "1. Первый пункт. 2) Второй пункт. а) подпункт. IV. Раздел. § 3. Статья.",
    "«Это успех». «Это успех.» Он ушёл. \"Да.\" Нет. 'Так.' Да.",
    "(Это скобка.) Дальше. [Ещё.] {И это.} Конец.",
    "Он вышел. — сказал он. Она вошла. — Нет, — ответила.",
    "Отлично :) Плохо :( Хорошо ;-) Смех =))) Конец.",
    "Что?! Правда?.. Да!!! Нет… Может быть; Итак. ?",
    "ул. Ленина, д. 5. См. рис. 3. Ср. выше. Проф. Иванов. Ген. директор.",
    "США и т. п. страны. ООН. НАТО. ЕС.",
    ". ! ? ...",
    "",
    "Слово.\u00a0Ещё.\u2003Дальше.\tКонец.",
    # each of these is split differently when one branch of a rule is left out (found by a review)
    'Он ушёл. " Дальше.',  # a generic quote after a space: close_quote joins
    "Было 5 p. M. Дальше.",  # a pair abbreviation before the stop: sokr_left
    "Он, т. е. Иванов, ушёл.",  # inside a pair abbreviation: inside_pair_sokr
    "1.1.1.1.1.1.1.1.1.10. Пункт.",  # a list item of exactly BULLET_SIZE characters: list_item
    "Да. :) Нет.",  # a smiley after the stop: delimiter_right
]


def razdel_spans(text: str) -> list[tuple[int, int]]:
    """What `sentence_spans` promises: razdel.sentenize within each line, no empty sentences."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        spans.extend((line.start() + s.start, line.start() + s.stop) for s in sentenize(line.group()) if s.text)
    return spans


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_sentences_split_as_razdel_splits_them(text):
    assert sentence_spans(text) == razdel_spans(text)


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus beside the project")
def test_real_articles_split_as_razdel_splits_them():
    """Raw and normalised title + text of real articles: every span equal to razdel's, in order."""
    compared = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in islice(lines, CORPUS_ARTICLES):
            row = json.loads(line)
            raw = f"{row['title']}\n{row['text']}"
            for text in (raw, normalize(raw)):
                assert sentence_spans(text) == razdel_spans(text), row["id"]
                compared += 1
    assert compared == 2 * CORPUS_ARTICLES


def test_rules_split_at_a_sentence_end_and_join_at_an_abbreviation():
    assert joins("товарооборот вырос", ".", " В 2016 г", "товарооборот вырос") is False
    assert joins("В 2015 г", ".", " товарообор", "В 2015 г") is True  # lower_right
    assert joins("В 2015 г", ".", " Москва от", "В 2015 г") is True  # sokr_left: «г.»
    assert joins("сказал В", ".", " В. Путин ", "сказал В") is True  # initials_left: one capital before the stop
    assert joins("", ".", " Далее", "") is True  # empty_side
