"""Tests that catch the deliberate faults a mutation read of the suite found passing everything else.

Each test states the fault it is there for: a changed dominant rule, CRLF folded by the reader, a renamed or
retyped JSON field, evidence spans shifted by one, a present/language cut-off moved. Expected values are
computed here independently of the code under test (offsets with str.index, dominant by hand).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import framing.analyzer as analyzer_module
import framing.decision as decision_module
from framing.cli import main
from framing.decision import dominant_frame
from framing.language import RUSSIAN_MIN_SHARE, SHORT_TEXT_WORDS, LanguageCounts, judge
from framing.reader import decode_bytes
from framing.results import ClassifierScore, FrameResult, LexiconScore
from framing.serialize import to_dict

ROOT = Path(__file__).resolve().parent.parent
SEED_RELATIVE = "seeds/000_0281386bebb0d4b9.txt"
FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]

# The framing/1 record, key by key with its JSON type: a renamed, dropped, added or retyped field fails here.
NUMBER = (int, float)
TOP_KEYS = {"schema": str, "source": str, "date": (str, type(None)), "tokens": int, "sentences": int, "mode": str,
            "dominant": (str, type(None)), "language": str, "russian_share": NUMBER, "warnings": list, "frames": list}
FRAME_KEYS = {"id": str, "label": str, "score": NUMBER, "present": bool, "threshold": NUMBER, "hits": int,
              "per_1k": NUMBER, "terms": list, "evidence": list, "lexicon": dict, "classifier": dict}
TERM_KEYS = {"lemma": str, "count": int}
EVIDENCE_KEYS = {"start": int, "end": int, "text": str, "terms": list, "probability": NUMBER}
LEXICON_KEYS = {"hits": int, "weighted": NUMBER, "per_1k": NUMBER, "score": NUMBER, "window": NUMBER}
CLASSIFIER_KEYS = {"mean_prob": NUMBER, "top_prob": NUMBER, "sentences": int, "score": NUMBER, "share": NUMBER,
                   "mass": NUMBER, "top3_prob": NUMBER, "lead_prob": NUMBER, "window": NUMBER, "only_evidence": list}


def assert_typed(record: dict, keys: dict, where: str) -> None:
    assert set(record) == set(keys), f"{where}: keys {sorted(set(record) ^ set(keys))} differ from framing/1"
    for key, kind in keys.items():
        assert isinstance(record[key], kind) and not (kind is int and isinstance(record[key], bool)), f"{where}.{key}"


def assert_framing1(data: dict) -> None:
    assert_typed(data, TOP_KEYS, "record")
    assert data["schema"] == "framing/1"
    for frame in data["frames"]:
        # lexicon mode has no classifier component, and says so by leaving the key out
        keys = {k: v for k, v in FRAME_KEYS.items() if k != "classifier" or data["mode"] != "lexicon"}
        assert_typed(frame, keys, frame["id"])
        assert_typed(frame["lexicon"], LEXICON_KEYS, f"{frame['id']}.lexicon")
        if "classifier" in frame:
            assert_typed(frame["classifier"], CLASSIFIER_KEYS, f"{frame['id']}.classifier")
            for evidence in frame["classifier"]["only_evidence"]:
                assert_typed(evidence, EVIDENCE_KEYS, f"{frame['id']}.classifier.only_evidence")
        for term in frame["terms"]:
            assert_typed(term, TERM_KEYS, f"{frame['id']}.terms")
        for evidence in frame["evidence"]:  # no sentence probability without a classifier
            keys = {k: v for k, v in EVIDENCE_KEYS.items() if k != "probability" or data["mode"] != "lexicon"}
            assert_typed(evidence, keys, f"{frame['id']}.evidence")


def run_json(runner, *args: str) -> dict:
    result = runner.invoke(main, ["analyze", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_framing1_key_set_and_types_in_every_mode(runner):
    for mode in ("lexicon", "classifier", "combined"):
        data = run_json(runner, str(ROOT / SEED_RELATIVE), "--mode", mode)
        assert_framing1(data)
        assert data["mode"] == mode and [f["id"] for f in data["frames"]] != []


def test_shipped_seed_example_is_what_analyze_prints_today(runner, monkeypatch):
    """examples/seed_analysis.json is documentation: a fresh run must give it byte for byte (`make examples`)."""
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["analyze", SEED_RELATIVE, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.output == (ROOT / "examples" / "seed_analysis.json").read_text(encoding="utf-8")


# A real sentence pair with a lexicon match, behind a first line: offsets after the line break show whether the
# reader kept "\r\n" (the README promises offsets into the text as decoded, CRLF kept).
FIRST_LINE = "Новости дня"
FRAMED = "Москва и Астана подписали декларацию о стратегическом партнёрстве и союзничестве."
TAIL = "Документ вступит в силу после ратификации."


def framed_evidence(data: dict) -> dict:
    partnership = next(f for f in data["frames"] if f["id"] == "partnership")
    return next(e for e in partnership["evidence"] if "партнёрстве" in e["text"])


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_offsets_count_crlf_as_two_characters(runner, tmp_path, newline):
    text = newline.join([FIRST_LINE, FRAMED, TAIL]) + newline
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    data = run_json(runner, str(path), "--mode", "lexicon", "--with-text")
    assert data["text"] == text  # nothing folded
    evidence = framed_evidence(data)
    start = text.index(FRAMED)
    assert (evidence["start"], evidence["end"], evidence["text"]) == (start, start + len(FRAMED), FRAMED)
    assert set(evidence["terms"]) >= {"стратегический партнерство", "союзничество"}


def test_offsets_after_a_byte_order_mark_index_the_decoded_text(runner, tmp_path):
    text = "\n".join([FIRST_LINE, FRAMED, TAIL])
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = run_json(runner, str(path), "--mode", "lexicon", "--with-text")
    assert data["text"] == text  # the BOM is not text
    evidence = framed_evidence(data)
    assert (evidence["start"], evidence["end"]) == (text.index(FRAMED), text.index(FRAMED) + len(FRAMED))


def test_offsets_of_an_html_page_index_its_extracted_text(runner, tmp_path):
    page = (f"<html><head><title>{FIRST_LINE}</title></head><body><nav>Главная | Политика</nav>"
            f"<article><h1>{FIRST_LINE}</h1><p>{FRAMED}</p><p>{TAIL}</p></article></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    data = run_json(runner, str(path), "--mode", "lexicon", "--with-text")
    extracted = data["text"]
    assert "<p>" not in extracted and FRAMED in extracted
    evidence = framed_evidence(data)
    start = extracted.index(FRAMED)
    assert (evidence["start"], evidence["end"], evidence["text"]) == (start, start + len(FRAMED), FRAMED)


def test_term_spans_are_the_matched_words_exactly(lexicon_analyzer):
    """Evidence term spans: each is the inflected words in the text (a shift by one shows as a cut word)."""
    text = f"{FIRST_LINE}\n{FRAMED}"
    analysis = lexicon_analyzer.analyze(text)
    spans = {s.text for f in analysis.frames for e in f.evidence for s in e.term_spans}
    assert {"стратегическом партнёрстве", "союзничестве"} <= spans
    for frame in analysis.frames:
        for hit in frame.matches:
            assert text[hit.span.start:hit.span.stop] == hit.span.text
            assert hit.span.start == 0 or not text[hit.span.start - 1].isalnum()
            assert hit.span.stop == len(text) or not text[hit.span.stop].isalnum()


# ----- scoring rules at their cut-offs


def frame_result(frame_id: str, score: float, threshold: float, lexicon: float = 0.0, classifier: float = 0.0):
    return FrameResult(id=frame_id, label=frame_id, score=score, present=score >= threshold,
                       lexicon=LexiconScore(0, 0.0, 0.0, lexicon), classifier=ClassifierScore(0.0, 0.0, 0, classifier),
                       threshold=threshold)


def test_dominant_is_the_present_frame_with_the_highest_probability():
    # sovereignty has the highest score but is under its own threshold; partnership beats language_policy
    results = [frame_result("sovereignty", 0.55, 0.6), frame_result("partnership", 0.52, 0.3),
               frame_result("language_policy", 0.51, 0.2, lexicon=0.9, classifier=0.9)]
    assert dominant_frame(results) == "partnership"
    assert dominant_frame([frame_result("partnership", 0.4, 0.5)]) is None


def test_dominant_ties_go_to_more_evidence_then_to_the_id():
    weaker, stronger = frame_result("partnership", 0.8, 0.5, 0.2, 0.2), frame_result("sovereignty", 0.8, 0.5, 0.5, 0.1)
    assert dominant_frame([weaker, stronger]) == dominant_frame([stronger, weaker]) == "sovereignty"
    same = [frame_result("sovereignty", 0.8, 0.5, 0.3, 0.3), frame_result("global_south", 0.8, 0.5, 0.3, 0.3)]
    assert dominant_frame(same) == dominant_frame(same[::-1]) == "global_south"


def test_dominant_on_real_articles_follows_the_rule(combined_analyzer):
    """On real dev articles the analyzer's dominant is the rule applied by hand to its own frame scores."""
    dev = (ROOT / "data" / "real" / "dev.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in dev.splitlines()]
    checked = 0
    for row in rows[:60]:
        analysis = combined_analyzer.analyze(f"{row['title']}\n{row['text']}")
        present = [f for f in analysis.frames if f.score >= f.threshold]
        best = max((f.score for f in present), default=None)
        if best is None:
            assert analysis.dominant is None
            continue
        leaders = [f.id for f in present if f.score == best]
        assert analysis.dominant in leaders
        checked += len(leaders) == 1
    assert checked >= 10  # enough articles where the rule has a single answer


@pytest.mark.parametrize(("score", "present"), [(0.5, True), (0.4999, False), (0.5001, True)])
def test_present_is_score_at_or_above_the_threshold(combined_analyzer, monkeypatch, score, present):
    monkeypatch.setattr(decision_module, "decide", lambda *args, **kwargs: (score, 0.5))
    analysis = combined_analyzer.analyze(FRAMED)
    assert all(f.present is present for f in analysis.frames)
    assert (analysis.dominant is not None) is present


def test_language_gate_at_its_threshold():
    words = max(SHORT_TEXT_WORDS, 100)
    at = round(RUSSIAN_MIN_SHARE * words)
    assert at / words == pytest.approx(RUSSIAN_MIN_SHARE)
    counts = {"words": words, "cyrillic": words, "letters": 600, "non_space": 650}
    assert judge(LanguageCounts(russian=at, **counts)).is_russian
    assert not judge(LanguageCounts(russian=at - 1, **counts)).is_russian


def test_language_gate_stops_frames(combined_analyzer, monkeypatch):
    """A text judged not Russian gets no present frame even when the document model is certain."""
    monkeypatch.setattr(decision_module, "decide", lambda *args, **kwargs: (0.99, 0.5))
    english = "The government said on Tuesday that the new agreement would strengthen trade between the countries."
    analysis = combined_analyzer.analyze(english)
    assert analysis.language == "en" and not any(f.present for f in analysis.frames) and analysis.dominant is None


# ----- segmented analysis = whole analysis, with the cuts really inside the text

SEED_LINES = [line for line in (ROOT / SEED_RELATIVE).read_text(encoding="utf-8").splitlines() if line.strip()]


@settings(deadline=None, max_examples=25)
@given(picks=st.lists(st.integers(0, len(SEED_LINES) - 1), min_size=4, max_size=12), share=st.floats(0.05, 0.5))
def test_segmented_equals_whole_across_real_segment_boundaries(combined_analyzer, picks, share):
    lines = [SEED_LINES[i] for i in picks]
    text = "\n".join(lines) + "\n"
    # segments are cut at line breaks when a segment can hold the longest line: every cut lands between lines
    size = max(max(len(line) for line in lines) + 1, int(len(text) * share))
    cuts = [stop for _, stop in analyzer_module.segments(text, size)][:-1]
    assert cuts and all(text[cut - 1] == "\n" for cut in cuts)
    whole = to_dict(combined_analyzer.analyze(text))
    saved = combined_analyzer.segment_chars
    combined_analyzer.segment_chars = size
    try:
        assert to_dict(combined_analyzer.analyze(text)) == whole
    finally:
        combined_analyzer.segment_chars = saved


# ----- single-byte Cyrillic encodings give back the text itself

ASCII_STAND_INS = str.maketrans({"«": '"', "»": '"', "—": "-", "–": "-", "№": "N", "…": "..."})


@settings(deadline=None, max_examples=30)
@given(picks=st.lists(st.integers(0, len(SEED_LINES) - 1), min_size=1, max_size=4),
       encoding=st.sampled_from(["cp1251", "koi8_r", "cp866"]))
def test_single_byte_cyrillic_round_trips_assert_the_text(picks, encoding):
    text = "\n".join(SEED_LINES[i] for i in picks).translate(ASCII_STAND_INS)
    decoded, _ = decode_bytes(text.encode(encoding), f"t.{encoding}.txt")
    assert decoded == text


def test_every_real_dev_article_in_a_single_byte_code_page_decodes_to_its_text():
    """The soak found 6 of 7,580 real articles in cp1251 taken for ISO-8859-5 or Mac Cyrillic (or refused):
    mojibake analysed without a warning. Every dev article, in every Cyrillic code page, must come back whole."""
    dev = (ROOT / "data" / "real" / "dev.jsonl").read_text(encoding="utf-8")
    texts = [f"{row['title']}\n\n{row['text']}".translate(ASCII_STAND_INS) for row in map(json.loads, dev.splitlines())]
    for encoding in ("cp1251", "koi8_r", "cp866", "mac_cyrillic"):
        wrong = []
        for text in texts:
            data = text.encode(encoding, errors="replace")
            expected = data.decode(encoding)
            if decode_bytes(data, "a.txt")[0] != expected:
                wrong.append(expected[:40])
        assert wrong == [], (encoding, len(wrong), wrong[:3])


# ----- findings of the soak (bench/SOAK.md)


def test_renewed_vocabulary_gives_identical_results_and_bounds_the_string_store():
    """Finding 3: spaCy's strings and the caches grew with every new word form of an archive. Past
    `vocabulary_limit` strings the analyzer moves to a fresh pipeline between documents; nothing may change."""
    from framing.analyzer import Analyzer

    dev = (ROOT / "data" / "real" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    texts = [f"{row['title']}\n{row['text']}" for row in map(json.loads, dev)]
    for mode in ("lexicon", "combined"):
        steady = Analyzer(mode=mode)
        expected = [to_dict(steady.analyze(text)) for text in texts]
        renewing = Analyzer(mode=mode)
        renewing.vocabulary_limit = 1  # a fresh pipeline before every document
        pipelines = []  # held here, so that no two can share an id()
        for text, want in zip(texts, expected):
            assert to_dict(renewing.analyze(text)) == want
            pipelines.append(renewing.nlp)
            assert len(renewing.nlp.vocab.strings) < 2 * len(text)  # this document's strings, not the archive's
        assert len({id(nlp) for nlp in pipelines}) == len(texts)


def test_renewal_lets_the_first_pipeline_go_and_word_infos_are_shared():
    """Finding 3, continued: the first pipeline is the process's shared one (nlp.load_pipeline), whose cache kept
    it — and its whole vocabulary — alive after every renewal (~35 MB a worker). And the language cache's
    values, one per form, are shared instances of the few distinct ones."""
    from framing.analyzer import Analyzer
    from framing.nlp import load_pipeline

    text = (ROOT / SEED_RELATIVE).read_text(encoding="utf-8")
    analyzer = Analyzer(mode="lexicon")
    first = analyzer.nlp
    assert first is load_pipeline()
    want = to_dict(analyzer.analyze(text))
    infos = list(analyzer.language_counter.cache.values())
    assert len(infos) > 100 and len({id(info) for info in infos}) == len(set(infos))
    analyzer.vocabulary_limit = 1
    assert to_dict(analyzer.analyze(text)) == want
    assert analyzer.nlp is not first and load_pipeline.cache_info().currsize == 0
    assert load_pipeline() is not first  # a later caller gets a fresh one


@pytest.mark.parametrize(("make", "reason"), [
    (lambda d: ((d / "a.txt").symlink_to("b.txt"), (d / "b.txt").symlink_to("a.txt")), "symbolic link loop"),
    (lambda d: (d / "a.txt").symlink_to("gone.txt"), "no such file (a broken symbolic link to gone.txt)"),
])
def test_symbolic_link_faults_are_named(runner, tmp_path, make, reason):
    """Finding 4: a link loop was reported as `no such file` although `ls` shows the file."""
    make(tmp_path)
    result = runner.invoke(main, ["analyze", str(tmp_path / "a.txt")])
    assert result.exit_code == 1 and result.output.strip() == f"framing: error: {tmp_path / 'a.txt'}: {reason}"


def test_console_entry_fast_exit_keeps_output_and_status():
    """`framing analyze` ends with os._exit after flushing: the output must still be whole and the status kept."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "framing.cli", "analyze"]
    done = subprocess.run([*command, SEED_RELATIVE, "--format", "json"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    expected = (ROOT / "examples" / "seed_analysis.json").read_text(encoding="utf-8")
    assert done.returncode == 0 and done.stdout == expected
    missing = subprocess.run([*command, "no/such.txt"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert missing.returncode == 1 and missing.stderr == "framing: error: no/such.txt: no such file\n"
