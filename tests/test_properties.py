"""Property-based tests: any text through `analyze`, any bytes through the reader.

Invariants: no unhandled exception; scores in [0, 1]; every span is `document[start:end]`; the same
input gives the same result. Example counts are bounded (profile in conftest.py) so CI stays fast.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framing.analyzer import segments
from framing.errors import FramingError
from framing.reader import decode_bytes, document_from_bytes
from framing.serialize import to_dict

FRAGMENTS = [
    "Россия и Казахстан вывели отношения на уровень стратегического партнёрства",
    "суверенитет", "территориальной целостности", "БРИКС", "многополярного мира", "русского языка",
    "российско-казахстанских", "г.", "«", "»", "—", "\n", "\n\n", " ", ". ", "date 2024-01-02 ",
    "Ё", "ё", "\u00ad", "\u0301", "е\u0308", "\t", "\r\n", "\x0b", "\x00", "\u2028", "🙂", "ﷺ", "𝔘", "Ǆ",
    "https://example.org/путь?q=1", "1 000 000", "-", "--", "-а-", "а" * 500, "Z" * 300,
]

mixed_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40).map("".join)
long_lines = st.builds(
    lambda word, n: " ".join([word] * n),
    st.sampled_from(["союзничество", "партнерство", "x" * 50]),
    st.integers(1, 3000),
)
any_text = st.one_of(
    st.text(max_size=300), mixed_text, long_lines, st.text(alphabet=st.characters(max_codepoint=0x52F), max_size=400)
)


def check_analysis(analysis, text: str) -> None:
    assert analysis.text == text
    for frame in analysis.frames:
        assert 0.0 <= frame.score <= 1.0
        assert 0.0 <= frame.lexicon.score <= 1.0
        if frame.classifier is not None:
            assert 0.0 <= frame.classifier.score <= 1.0
            assert 0.0 <= frame.classifier.top_prob <= 1.0
        for evidence in frame.evidence + frame.classifier_only:
            assert text[evidence.span.start : evidence.span.stop] == evidence.span.text
            for span in evidence.term_spans:
                assert text[span.start : span.stop] == span.text
                assert evidence.span.start <= span.start <= span.stop <= evidence.span.stop
    assert 0.0 <= analysis.russian_share <= 1.0
    assert analysis.dominant is None or analysis.frame(analysis.dominant).present


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
@example(text="Россия и 𗀀 союз")  # found by the thorough profile: pymorphy3 raised on a letter without a Unicode name
def test_analyze_any_text(combined_analyzer, text):
    first = combined_analyzer.analyze(text)
    check_analysis(first, text)
    assert to_dict(combined_analyzer.analyze(text)) == to_dict(first)  # deterministic


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mixed_text, size=st.integers(20, 400))
def test_segmented_analysis_equals_whole(combined_analyzer, text, size):
    """Long texts are analysed in segments cut at line breaks; the result must not depend on the cut."""
    whole = to_dict(combined_analyzer.analyze(text))
    saved = combined_analyzer.segment_chars
    combined_analyzer.segment_chars = size
    try:
        pieces = combined_analyzer.analyze(text)
    finally:
        combined_analyzer.segment_chars = saved
    check_analysis(pieces, text)
    cuts = [stop for _, stop in segments(text, size)][:-1]
    if all(text[cut - 1] == "\n" for cut in cuts):  # only a cut inside a line may change the result
        assert to_dict(pieces) == whole


@settings(deadline=None)
@given(data=st.binary(max_size=2000), html=st.booleans())
def test_reader_any_bytes(data, html):
    try:
        document = document_from_bytes(data, "random.bin", html=html)
    except FramingError as exc:
        assert exc.source == "random.bin" and exc.reason and "\n" not in exc.reason
    else:
        assert document.text.strip()


@settings(deadline=None)
@given(
    text=st.text(min_size=1, max_size=300), encoding=st.sampled_from(["utf-8", "utf-16", "cp1251", "koi8_r", "cp866"])
)
def test_decoding_round_trips_cyrillic(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        decoded, _ = decode_bytes(data, "t.txt")
    except FramingError:
        return  # refused with a reason (empty, binary-looking, undecodable) is fine; a wrong decoding is not
    if encoding in ("utf-8", "utf-16"):
        assert decoded == text


@pytest.mark.parametrize("size", [1, 7, 64])
def test_tiny_segments_keep_spans_valid(combined_analyzer, seed_text, size):
    saved = combined_analyzer.segment_chars
    combined_analyzer.segment_chars = size
    try:
        check_analysis(combined_analyzer.analyze(seed_text), seed_text)
    finally:
        combined_analyzer.segment_chars = saved
