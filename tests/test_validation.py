"""`framing evaluate SHEET`: a filled coding sheet against the tool's view in its key; Krippendorff's α."""

from __future__ import annotations

import csv
import json
import math
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from framing.cli import main
from framing.sampling import KEY_FORMAT
from framing.validation import is_coding_sheet, krippendorff_alpha

FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]
NAN = float("nan")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units, missing values.
# Published: nominal 0.743, ordinal 0.815, interval 0.849 (the `krippendorff` package's doctest reproduces them).
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
# Wikipedia, "Krippendorff's alpha", computational example: 3 coders, 15 units; published nominal α = 0.691.
WIKI = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]


@pytest.mark.parametrize(
    ("data", "level", "published"),
    [(K2011, "nominal", 0.743), (K2011, "ordinal", 0.815), (K2011, "interval", 0.849), (WIKI, "nominal", 0.691)],
)
def test_alpha_published_examples(data, level, published):
    units = np.array(data, dtype=float).T  # the publications list coders in rows
    assert round(krippendorff_alpha(units, level), 3) == published


def _alpha_by_definition(units: list[list[float]], delta) -> float:
    """α = 1 − D_o / D_e from pairable values, pair by pair (Krippendorff 2011, eq. for D_o and D_e), no matrices."""
    units = [[v for v in unit if not math.isnan(v)] for unit in units]
    units = [unit for unit in units if len(unit) >= 2]
    pooled = [v for unit in units for v in unit]
    n = len(pooled)
    observed = sum(sum(delta(a, b) for a, b in permutations(unit, 2)) / (len(unit) - 1) for unit in units) / n
    expected = sum(delta(a, b) for a, b in permutations(pooled, 2)) / (n * (n - 1))
    return 1 - observed / expected


def test_alpha_interval_equals_the_definition_on_continuous_scores():
    rng = np.random.default_rng(5)
    units = rng.random((30, 3)) * 3
    units[rng.random((30, 3)) < 0.2] = NAN
    expected = _alpha_by_definition(units.tolist(), lambda a, b: (a - b) ** 2)
    assert krippendorff_alpha(units, "interval") == pytest.approx(expected)
    assert krippendorff_alpha([[1, None], [2, None]]) is None  # nothing pairable
    assert krippendorff_alpha([[2, 2], [2, 2]]) is None  # no variation: α undefined


# A small filled sheet with known answers. Tool: (partnership present, score), (sovereignty present, score), dominant.
TOOL = [
    ((True, 0.9), (False, 0.1), "partnership"),
    ((True, 0.7), (True, 0.6), "partnership"),
    ((False, 0.2), (True, 0.8), "sovereignty"),
    ((False, 0.4), (False, 0.2), None),
    ((True, 0.6), (False, 0.3), "partnership"),
    ((False, 0.1), (False, 0.05), None),
]
# Coder: partnership, sovereignty codes and dominant (global_south and language_policy 0 throughout).
CODES = [
    (3, 0, "partnership"),
    (2, 2, "partnership"),
    (0, 3, "sovereignty"),
    (2, 1, "partnership"),
    (1, 0, "none"),
    (0, 0, "none"),
]


def _write(tmp_path: Path, rows: list[dict], name: str = "sheet.csv", tool=TOOL) -> Path:
    sheet = tmp_path / name
    columns = ["id", "source", "date", "title", "text", "text_ref"]
    codes = sorted(
        {k for row in rows for k in row} - set(columns),
        key=lambda c: (c.rstrip("_12") not in FRAMES, c[-2:] == "_2", c),
    )
    with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*columns, *codes], lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            [{"source": "c.jsonl", "date": "", "title": "", "text": "", "text_ref": ""} | row for row in rows]
        )
    design = {
        "format": KEY_FORMAT,
        "results": "r.jsonl",
        "stratify": "frame",
        "seed": 1,
        "population": 60,
        "frames": FRAMES,
        "strata": [
            {"name": "partnership", "population": 10, "sampled": 3, "weight": 10 / 3},
            {"name": "none", "population": 50, "sampled": 3, "weight": 50 / 3},
        ],
    }
    key = [design]
    for i, ((p_present, p_score), (s_present, s_score), dominant) in enumerate(tool):
        frames = {
            "partnership": {"score": p_score, "present": p_present},
            "sovereignty": {"score": s_score, "present": s_present},
            "global_south": {"score": 0.01, "present": False},
            "language_policy": {"score": 0.02, "present": False},
        }
        stratum = "partnership" if i < 3 else "none"
        key.append(
            {
                "id": f"d{i}",
                "source": "c.jsonl",
                "stratum": stratum,
                "weight": 10 / 3 if i < 3 else 50 / 3,
                "dominant": dominant or "none",
                "frames": frames,
            }
        )
    sheet.with_name(sheet.stem + ".key.jsonl").write_text("".join(json.dumps(k) + "\n" for k in key), encoding="utf-8")
    return sheet


def _one_coder_rows() -> list[dict]:
    return [
        {"id": f"d{i}", "partnership": p, "sovereignty": s, "global_south": 0, "language_policy": 0, "dominant": d}
        for i, (p, s, d) in enumerate(CODES)
    ]


def test_evaluate_sheet_known_answers(runner, tmp_path):
    sheet = _write(tmp_path, _one_coder_rows())
    result = runner.invoke(main, ["evaluate", str(sheet), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    part, sov = report["frames"]["partnership"], report["frames"]["sovereignty"]
    # partnership: coded ≥ 2 on d0, d1, d3; tool present on d0, d1, d4 → TP 2, FP 1, FN 1, TN 2.
    assert part["confusion"] == {"tp": 2, "fp": 1, "fn": 1, "tn": 2}
    assert (part["precision"], part["recall"], part["f1"]) == (round(2 / 3, 4), round(2 / 3, 4), round(2 / 3, 4))
    # sovereignty: coded ≥ 2 on d1, d2; tool present on d1, d2 → perfect.
    assert sov["confusion"] == {"tp": 2, "fp": 0, "fn": 0, "tn": 4} and sov["f1"] == 1.0
    assert report["frames"]["language_policy"]["f1"] is None  # no positives either side: undefined, not 0
    scores, codes = [0.9, 0.7, 0.2, 0.4, 0.6, 0.1], [3, 2, 0, 2, 1, 0]
    assert part["spearman"] == pytest.approx(spearmanr(scores, codes)[0], abs=1e-4)
    alpha = _alpha_by_definition([[3 * s, c] for s, c in zip(scores, codes)], lambda a, b: (a - b) ** 2)
    assert part["alpha_interval"] == pytest.approx(alpha, abs=1e-4)
    # weighted: d0, d1 (weight 10/3) are TP, d4 (50/3) FP, d3 (50/3) FN.
    tp, fp, fn = 2 * 10 / 3, 50 / 3, 50 / 3
    assert part["weighted"]["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn), abs=1e-4)
    # dominant: tool partnership, partnership, sovereignty, none, partnership, none vs coder → 4 of 6.
    assert report["dominant"]["accuracy"] == round(4 / 6, 4)
    low, high = part["ci"]["f1"]
    assert 0 <= low <= part["f1"] <= high <= 1
    assert report["design"]["strata"][0]["population"] == 10
    again = json.loads(runner.invoke(main, ["evaluate", str(sheet), "--format", "json"]).output)
    assert again == report  # fixed bootstrap seed
    other = json.loads(runner.invoke(main, ["evaluate", str(sheet), "--format", "json", "--seed", "9"]).output)
    assert other["frames"]["partnership"]["f1"] == part["f1"]


def test_evaluate_sheet_rich_table_fits_80_columns(runner, tmp_path):
    sheet = _write(tmp_path, _one_coder_rows())
    result = runner.invoke(main, ["evaluate", str(sheet)], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "dominant accuracy: 0.67" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_two_coders_alpha(runner, tmp_path):
    second = [
        (3, 1, "partnership"),
        (2, 2, "partnership"),
        (0, 3, "sovereignty"),
        (1, 1, "none"),
        (1, 0, "none"),
        (0, None, None),
    ]
    rows = []
    for i, ((p1, s1, d1), (p2, s2, d2)) in enumerate(zip(CODES, second)):
        row = {
            "id": f"d{i}",
            "partnership_1": p1,
            "sovereignty_1": s1,
            "global_south_1": 0,
            "language_policy_1": 0,
            "dominant_1": d1,
        }
        blank = s2 is None
        row |= {
            "partnership_2": "" if blank else p2,
            "sovereignty_2": "" if blank else s2,
            "global_south_2": "" if blank else 0,
            "language_policy_2": "" if blank else 0,
            "dominant_2": "" if blank else d2,
        }
        rows.append(row)
    sheet = _write(tmp_path, rows)
    result = runner.invoke(main, ["evaluate", str(sheet), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    pairs = [[c[0], s[0]] for c, s in zip(CODES[:5], second[:5])] + [[0, NAN]]  # the second coder skipped d5
    expected = _alpha_by_definition(pairs, lambda a, b: (a - b) ** 2)
    assert report["frames"]["partnership"]["coders_alpha"]["interval"] == pytest.approx(expected, abs=1e-4)
    assert report["double_coded"] == 5
    assert report["frames"]["partnership"]["confusion"] == {
        "tp": 2,
        "fp": 1,
        "fn": 1,
        "tn": 2,
    }  # coder 1 is the reference
    table = runner.invoke(main, ["evaluate", str(sheet)])
    assert "coders' agreement" in table.output


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda rows: [{k: v for k, v in r.items() if k != "sovereignty"} for r in rows],
            "sheet.csv:1: missing column(s) sovereignty",
        ),
        (
            lambda rows: [r | ({"sovereignty": 5} if r["id"] == "d1" else {}) for r in rows],
            "sheet.csv:3: column 'sovereignty': '5' is not a code 0–3",
        ),
        (
            lambda rows: [r | ({"partnership": "x"} if r["id"] == "d0" else {}) for r in rows],
            "sheet.csv:2: column 'partnership': 'x' is not",
        ),
        (
            lambda rows: [r | ({"global_south": ""} if r["id"] == "d2" else {}) for r in rows],
            "sheet.csv:4: no code in global_south",
        ),
        (
            lambda rows: [r | ({"dominant": "peace"} if r["id"] == "d3" else {}) for r in rows],
            "sheet.csv:5: column 'dominant': 'peace'",
        ),
        (
            lambda rows: [r | ({"id": "zz"} if r["id"] == "d3" else {}) for r in rows],
            "sheet.csv:5: row 'c.jsonl#zz' is not in the sampling key",
        ),
        (lambda rows: [r | {f: "" for f in (*FRAMES, "dominant")} for r in rows], "sheet.csv: no coded rows"),
    ],
)
def test_bad_sheets_one_line_errors(runner, tmp_path, mutate, message):
    sheet = _write(tmp_path, mutate(_one_coder_rows()))
    result = runner.invoke(main, ["evaluate", str(sheet)])
    assert result.exit_code == 1
    assert (
        message in result.output and len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    )


def test_empty_sheet_and_missing_key(runner, tmp_path):
    sheet = _write(tmp_path, _one_coder_rows())
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["evaluate", str(empty), "--key", str(sheet.with_name("sheet.key.jsonl"))])
    assert result.exit_code == 1 and "empty.csv: empty coding sheet" in result.output
    sheet.with_name("sheet.key.jsonl").unlink()
    result = runner.invoke(main, ["evaluate", str(sheet)])
    assert result.exit_code == 1 and "sheet.key.jsonl: no sampling key" in result.output


def test_blank_rows_skipped_and_dominant_derived(runner, tmp_path):
    rows = _one_coder_rows()
    rows[5] |= {f: "" for f in (*FRAMES, "dominant")}  # not coded yet
    rows[0]["dominant"] = ""  # partnership 3 is the unique highest ≥ 2
    report = json.loads(runner.invoke(main, ["evaluate", str(_write(tmp_path, rows)), "--format", "json"]).output)
    assert report["coded"] == 5 and report["uncoded"] == 1 and report["dominant"]["accuracy"] == round(3 / 5, 4)


def test_gold_files_stay_gold(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"text": "Союз", "codes": dict.fromkeys(FRAMES, 0)}) + "\n", encoding="utf-8")
    assert not is_coding_sheet(gold)
    assert not is_coding_sheet(tmp_path / "missing.jsonl")
    sheet = tmp_path / "s.jsonl"
    sheet.write_text(json.dumps({"id": "a", "source": "x", "dominant": ""}) + "\n", encoding="utf-8")
    assert is_coding_sheet(sheet) and is_coding_sheet(tmp_path / "any.csv")


def test_round_trip_sample_fill_evaluate(runner, tmp_path):
    results = tmp_path / "results.jsonl"
    records = []
    for i in range(40):
        present = "partnership" if i % 4 == 0 else None
        frames = [
            {"id": f, "score": 0.8 if f == present else 0.1, "present": f == present, "threshold": 0.5} for f in FRAMES
        ]
        records.append({"source": "c.jsonl", "id": f"n{i}", "tokens": 10, "dominant": present, "frames": frames})
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    sheet = tmp_path / "sheet.jsonl"
    assert runner.invoke(main, ["sample", str(results), "--n", "10", "--seed", "4", "-o", str(sheet)]).exit_code == 0
    filled = []
    for line in sheet.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        partner = int(row["id"][1:]) % 4 == 0
        filled.append(
            row
            | {
                "partnership": 3 if partner else 0,
                "sovereignty": 0,
                "global_south": 0,
                "language_policy": 0,
                "dominant": "partnership" if partner else "none",
            }
        )
    sheet.write_text("".join(json.dumps(r) + "\n" for r in filled), encoding="utf-8")
    report = json.loads(runner.invoke(main, ["evaluate", str(sheet), "--format", "json"]).output)
    assert report["frames"]["partnership"]["f1"] == 1.0 and report["dominant"]["accuracy"] == 1.0
    assert report["frames"]["partnership"]["confusion"] == {"tp": 5, "fp": 0, "fn": 0, "tn": 5}
