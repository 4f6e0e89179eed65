"""Neutral text claims no frame, in any mode: function words, everyday sentences, page furniture.

A model trained only on written frame sentences had learned their function words: «и» alone was a
partnership text (p = 1.00), «не» and «наш» sovereignty. The cause is fixed in the features (function words
are not features; a sentence of fewer than two content words carries nothing for the classifier) and the
document model (evidence only raises a probability). These tests check the property, not the cases.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing.analyzer import Analyzer
from framing.features import FUNCTION_WORDS
from framing.scoring import MODES


@pytest.fixture(scope="module")
def analyzers() -> dict[str, Analyzer]:
    return {mode: Analyzer(mode=mode) for mode in MODES}


def claimed(analyzers: dict[str, Analyzer], text: str) -> dict[str, list[str]]:
    """Present frames per mode (empty lists when the text is neutral everywhere)."""
    return {mode: [f.id for f in a.analyze(text).frames if f.present] for mode, a in analyzers.items()}


NONE = {mode: [] for mode in MODES}

# Everyday sentences built from parts that name no state, bloc, language or world order.
SUBJECTS = ["Моя соседка", "Мальчик из третьего подъезда", "Наш кот", "Бабушка", "Водитель автобуса", "Студентка",
            "Повар", "Я", "Он", "Мы с братом", "Продавщица", "Тренер детской секции"]
VERBS = ["вчера купил", "долго искал", "не нашёл", "испёк", "забыл дома", "починил", "принёс", "потерял", "покрасил",
         "аккуратно сложил", "не знает, где", "снова увидел"]
OBJECTS = ["новый зонт", "пирог с вишней", "ключи от дачи", "старый велосипед", "билеты в кино", "синюю куртку",
           "тетрадь по математике", "корзину грибов", "мяч во дворе", "рецепт борща", "свои очки", "большую кастрюлю"]
TAILS = ["", " вечером", " после работы", " под дождём", " на рынке", " у подъезда", ", и все были рады", " ещё утром",
         " перед отпуском", ", потому что было холодно"]
everyday = st.lists(
    st.builds(lambda s, v, o, t: f"{s} {v} {o}{t}.", st.sampled_from(SUBJECTS), st.sampled_from(VERBS),
              st.sampled_from(OBJECTS), st.sampled_from(TAILS)),
    min_size=1, max_size=12,
).map(" ".join)
function_words = st.lists(st.sampled_from(sorted(FUNCTION_WORDS)), min_size=1, max_size=30).map(" ".join)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=everyday)
def test_everyday_sentences_carry_no_frame(analyzers, text):
    assert claimed(analyzers, text) == NONE, text


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=function_words)
def test_function_words_carry_no_frame(analyzers, text):
    assert claimed(analyzers, text) == NONE, text


@pytest.mark.parametrize("text", [
    "и", "не", "наш", "И.", "Не наш.", "мы", "Я не знаю, что он сказал вчера вечером.", "и нажать кнопку Join.",
    "Подпишитесь на наш канал в Telegram.", "Подписывайтесь на RT в соцсетях и нажмите на колокольчик.",
    "Фото: Reuters", "© РИА Новости / Алексей Никольский", "Автор: Иван Петров, корреспондент",
    "Также по теме", "Читайте также:", "Нашли ошибку? Выделите её и нажмите Ctrl+Enter.",
])
def test_page_furniture_and_single_words_carry_no_frame(analyzers, text):
    assert claimed(analyzers, text) == NONE


def test_a_real_frame_sentence_still_counts(analyzers):
    """The neutral property is not bought by never claiming anything."""
    text = (
        "Россия и Казахстан вывели отношения на уровень всеобъемлющего стратегического партнерства "
        "и углубляют интеграцию в ЕАЭС."
    )
    assert all("partnership" in frames for frames in claimed(analyzers, text).values())


def test_document_decision_is_monotone_in_the_evidence(combined_analyzer):
    """More of a frame's evidence never lowers its probability (the coefficients are fitted ≥ 0)."""
    from dataclasses import replace

    from framing.decision import decide

    base = combined_analyzer.analyze("Россия и Казахстан подписали соглашение о сотрудничестве в энергетике.")
    for frame in base.frames:
        low, _ = decide(
            combined_analyzer.model.document, "combined", frame.id, frame.lexicon, frame.classifier, base.tokens
        )
        more_lexicon = replace(frame.lexicon, weighted=frame.lexicon.weighted + 2, window=frame.lexicon.window + 2)
        more_classifier = replace(
            frame.classifier, top3_prob=min(1.0, frame.classifier.top3_prob + 0.3), mass=frame.classifier.mass + 1
        )
        high, _ = decide(
            combined_analyzer.model.document, "combined", frame.id, more_lexicon, more_classifier, base.tokens
        )
        assert high >= low, frame.id
