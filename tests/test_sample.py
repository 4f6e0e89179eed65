"""`framing sample`: stratified, reproducible blind coding sheets with their sampling key and coding guide."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from framing.cli import main
from framing.sampling import allocate, key_path

FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]
# Synthetic batch output: 10 partnership, 5 sovereignty, 2 global_south documents, 83 with no frame present.
PRESENT = ["partnership"] * 10 + ["sovereignty"] * 5 + ["global_south"] * 2 + [None] * 83


def _record(number: int, present: str | None, source: str = "corpus.jsonl") -> dict:
    frames = [
        {"id": f, "score": 0.9 if f == present else 0.05 * (number % 5), "present": f == present, "threshold": 0.5}
        for f in FRAMES
    ]
    return {
        "schema": "framing/1",
        "source": source,
        "id": f"a{number:03d}",
        "date": f"2017-0{1 + number % 3}-01",
        "tokens": 100,
        "dominant": present,
        "frames": frames,
        "group": "RT" if number % 2 else "NG",
        "text": f"Текст статьи номер {number}.",
    }


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    path = tmp_path / "results.jsonl"
    path.write_text(
        "".join(json.dumps(_record(i, p), ensure_ascii=False) + "\n" for i, p in enumerate(PRESENT)), encoding="utf-8"
    )
    return path


def _sheet(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(sheet: Path) -> tuple[dict, list[dict]]:
    lines = [json.loads(line) for line in key_path(sheet).read_text(encoding="utf-8").splitlines()]
    return lines[0], lines[1:]


def test_frame_strata_equal_as_far_as_possible(runner, results, tmp_path):
    sheet = tmp_path / "sheet.csv"
    result = runner.invoke(main, ["sample", str(results), "--n", "20", "--seed", "3", "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    design, rows = _key(sheet)
    # 20 over 4 strata is 5 each; global_south has only 2, and sovereignty's 5 fill it, so the 3 left over go
    # one each to partnership and none, then the last to partnership (strata in name order, none last).
    assert Counter(r["stratum"] for r in rows) == {"partnership": 7, "sovereignty": 5, "global_south": 2, "none": 6}
    assert {s["name"]: (s["population"], s["sampled"]) for s in design["strata"]} == {
        "global_south": (2, 2),
        "partnership": (10, 7),
        "sovereignty": (5, 5),
        "none": (83, 6),
    }
    assert design["population"] == 100 and design["seed"] == 3 and design["stratify"] == "frame"
    weights = {r["stratum"]: r["weight"] for r in rows}
    assert weights["none"] == pytest.approx(83 / 6) and weights["global_south"] == 1.0
    assert len({r["id"] for r in rows}) == 20
    assert [r["id"] for r in _sheet(sheet)] == [r["id"] for r in rows]  # key in sheet order


def test_same_seed_same_sheet_other_seed_other_sheet(runner, results, tmp_path):
    paths = [tmp_path / f"{name}.csv" for name in ("a", "b", "c")]
    for path, seed in zip(paths, ("11", "11", "12")):
        assert (
            runner.invoke(main, ["sample", str(results), "--n", "15", "--seed", seed, "-o", str(path)]).exit_code == 0
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert key_path(paths[0]).read_bytes() == key_path(paths[1]).read_bytes()
    assert [r["id"] for r in _sheet(paths[0])] != [r["id"] for r in _sheet(paths[2])]


def test_sheet_columns_blind_and_guide(runner, results, tmp_path):
    sheet = tmp_path / "sheet.csv"
    assert runner.invoke(main, ["sample", str(results), "--n", "8", "-o", str(sheet)]).exit_code == 0
    with open(sheet, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["id", "source", "date", "title", "text", "text_ref", *FRAMES, "dominant", "notes"]
    rows = _sheet(sheet)
    assert all(r[f] == "" and r["dominant"] == "" for r in rows for f in FRAMES)
    assert all(r["text"].startswith("Текст статьи") and r["text_ref"] == f"{r['source']}#{r['id']}" for r in rows)
    assert "0.9" not in sheet.read_text(encoding="utf-8-sig")  # no tool score leaks into the sheet
    _, key_rows = _key(sheet)
    assert set(key_rows[0]["frames"]["partnership"]) == {"score", "present", "threshold"}
    guide = sheet.with_name("sheet.guide.md").read_text(encoding="utf-8")
    assert "Topic is not frame" in guide and "## `sovereignty`" in guide and "3 central" in guide


def test_two_coders_jsonl_sheet(runner, results, tmp_path):
    sheet = tmp_path / "sheet.jsonl"
    assert runner.invoke(main, ["sample", str(results), "--n", "5", "--coders", "2", "-o", str(sheet)]).exit_code == 0
    first = json.loads(sheet.read_text(encoding="utf-8").splitlines()[0])
    assert {"partnership_1", "partnership_2", "dominant_1", "dominant_2"} <= set(first) and "partnership" not in first
    assert sheet.with_name("sheet.key.jsonl").exists() and sheet.with_name("sheet.guide.md").exists()


def test_score_and_group_strata(runner, results, tmp_path):
    sheet = tmp_path / "s.csv"
    assert (
        runner.invoke(main, ["sample", str(results), "--n", "12", "--stratify", "score", "-o", str(sheet)]).exit_code
        == 0
    )
    design, rows = _key(sheet)
    assert {s["name"] for s in design["strata"]} <= {
        "score 0.00–0.25",
        "score 0.25–0.50",
        "score 0.50–0.75",
        "score 0.75–1.00",
    }
    assert sum(s["population"] for s in design["strata"]) == 100
    assert (
        runner.invoke(
            main, ["sample", str(results), "--n", "10", "--stratify", "group", "--group-by", "group", "-o", str(sheet)]
        ).exit_code
        == 0
    )
    _, rows = _key(sheet)
    assert Counter(r["stratum"] for r in rows) == {"RT": 5, "NG": 5}
    result = runner.invoke(main, ["sample", str(results), "--stratify", "group", "-o", str(sheet)])
    assert result.exit_code == 1 and "needs --group-by" in result.output and "Traceback" not in result.output


def test_csv_results_and_titles_from_the_corpus(runner, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": f"a{i:03d}", "title": f"Заголовок {i}", "text": "…"}, ensure_ascii=False) + "\n"
            for i in range(10)
        ),
        encoding="utf-8",
    )
    results = tmp_path / "results.csv"
    with open(results, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["source", "id", "date", "tokens", "dominant", *(c for f in FRAMES for c in (f"{f}_score", f"{f}_present"))]
        )
        for i in range(10):
            writer.writerow([str(corpus), f"a{i:03d}", "", 50, "", *([0.1, 0] * 4)])
    sheet = tmp_path / "sheet.csv"
    assert runner.invoke(main, ["sample", str(results), "--n", "4", "-o", str(sheet)]).exit_code == 0
    rows = _sheet(sheet)
    assert all(r["title"] == f"Заголовок {int(r['id'][1:])}" and r["text"] == "" for r in rows)


def test_allocation_never_exceeds_a_stratum():
    assert allocate({"a": 1, "b": 100}, 10) == {"a": 1, "b": 9}
    assert allocate({"a": 3, "b": 2}, 50) == {"a": 3, "b": 2}


def test_bad_results_one_line(runner, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["sample", str(empty), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and "empty.jsonl: no analysed documents" in result.output
    result = runner.invoke(main, ["sample", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and "missing.jsonl: no such file" in result.output
