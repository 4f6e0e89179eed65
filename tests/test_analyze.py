"""`framing analyze`: the seed's ranking, the JSON schema and offsets, and every input error."""

from __future__ import annotations

import json

import pytest

import framing
from framing.cli import main

from .conftest import SEED


@pytest.mark.parametrize("mode", ["lexicon", "classifier", "combined"])
def test_seed_ranking_holds_in_every_mode(seed_text, mode):
    analysis = framing.analyze(seed_text, source="seed", mode=mode)
    order = [f.id for f in analysis.frames]
    scores = {f.id: f.score for f in analysis.frames}
    assert analysis.dominant == "partnership"
    assert order[:2] == ["partnership", "language_policy"], scores
    assert analysis.frame("global_south").present, scores
    assert order[-1] == "sovereignty", scores


def test_seed_header_date_and_counts(seed_text, lexicon_analyzer):
    analysis = lexicon_analyzer.analyze(seed_text)
    assert analysis.date == "2025-11-12"
    assert 600 < analysis.tokens < 900
    assert analysis.sentences > 20
    assert all(t.lemma != "date" for f in analysis.frames for t in f.terms)


def test_json_schema_and_offsets(runner, seed_text):
    result = runner.invoke(main, ["analyze", str(SEED), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "framing/1"
    assert {"source", "date", "tokens", "sentences", "dominant", "frames"} <= set(data)
    assert data["dominant"] == "partnership"
    for frame in data["frames"]:
        assert {
            "id",
            "label",
            "score",
            "present",
            "hits",
            "per_1k",
            "terms",
            "evidence",
            "lexicon",
            "classifier",
        } <= set(frame)
        assert 0.0 <= frame["score"] <= 1.0
        assert 0.0 < frame["threshold"] <= 1.0 and frame["present"] == (frame["score"] >= frame["threshold"])
        assert {"mean_prob", "top_prob", "sentences", "share", "mass", "top3_prob", "lead_prob", "window"} <= set(
            frame["classifier"]
        )
        assert frame["classifier"]["mass"] >= frame["classifier"]["window"] >= 0.0
        for term in frame["terms"]:
            assert set(term) == {"lemma", "count"} and term["count"] >= 1
        for evidence in frame["evidence"]:
            assert evidence["text"] == seed_text[evidence["start"] : evidence["end"]]
    partnership = next(f for f in data["frames"] if f["id"] == "partnership")
    assert partnership["evidence"] and partnership["evidence"][0]["terms"]
    assert any(t["lemma"] == "стратегический партнерство" for t in partnership["terms"])


def test_json_to_output_file_and_stdin(runner, tmp_path, seed_text):
    out = tmp_path / "seed.json"
    result = runner.invoke(main, ["analyze", str(SEED), "--format", "json", "--output", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"framing: wrote JSON to {out}\n"  # says where it went, on stderr
    assert json.loads(out.read_text(encoding="utf-8"))["dominant"] == "partnership"
    piped = runner.invoke(
        main, ["analyze", "-", "--format", "json", "--mode", "lexicon"], input=seed_text.encode("utf-8")
    )
    assert piped.exit_code == 0
    assert json.loads(piped.output)["source"] == "<stdin>"


def test_rich_report_shows_frames_terms_and_evidence(runner):
    result = runner.invoke(main, ["analyze", str(SEED)])
    assert result.exit_code == 0, result.output
    for needle in ("2025-11-12", "Партнёрство", "Языковая политика", "evidence", "стратегический партнерство"):
        assert needle in result.output


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "missing.txt", "no such file"),
        (lambda p: p, "is a directory"),
        (lambda p: _write(p / "empty.txt", b"  \n"), "empty file"),
        (lambda p: _write(p / "blob.txt", bytes(range(256)) * 8), "binary file"),
        (
            lambda p: _write(
                p / "broken.txt",
                "Россия и Казахстан укрепляют союз".encode() + b"\xff\xfe\xd0" + "партнерство".encode(),
            ),
            "undecodable",
        ),
    ],
)
def test_input_errors_are_one_line(runner, tmp_path, make, reason):
    path = make(tmp_path)
    result = runner.invoke(main, ["analyze", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and reason in lines[0]
    assert "Traceback" not in result.output


def test_cp1251_file_is_decoded(runner, tmp_path, seed_text):
    path = _write(tmp_path / "cp1251.txt", seed_text.replace("ё", "е").encode("cp1251"))
    result = runner.invoke(main, ["analyze", str(path), "--format", "json", "--mode", "lexicon"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["dominant"] == "partnership"


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_crlf_date_header_and_long_text(lexicon_analyzer, seed_text):
    analysis = lexicon_analyzer.analyze(" date 2025-01-02\r\nМосква и Астана вышли на новый уровень.\r\n")
    assert analysis.date == "2025-01-02" and analysis.tokens == 7
    long_text = "\n".join([seed_text] * 200)  # ≈ 1.1M characters, beyond spaCy's default max_length
    assert len(long_text) > 1_000_000
    assert lexicon_analyzer.analyze(long_text).dominant == "partnership"
