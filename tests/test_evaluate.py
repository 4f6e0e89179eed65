"""`framing evaluate` on the development gold set, and `framing train` reproducing the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.classifier import LinearModel
from framing.cli import main
from framing.evaluate import load_gold
from framing.metrics import spearman

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "examples" / "gold" / "gold.jsonl"


def test_gold_set_is_well_formed():
    articles = load_gold(GOLD, ["partnership", "sovereignty", "global_south", "language_policy"])
    assert len(articles) >= 20
    assert sum(1 for a in articles if a.dominant is None) >= 3
    assert sum(1 for a in articles if sum(c >= 2 for c in a.codes.values()) >= 2) >= 3
    for article in articles:
        assert 150 <= len(article.text.split()) <= 520, article.source


def test_evaluate_json_combined_not_worse_than_lexicon(runner):
    result = runner.invoke(main, ["evaluate", str(GOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    modes = report["modes"]
    assert set(modes) == {"lexicon", "classifier", "combined"}
    assert modes["combined"]["macro_f1"] >= modes["lexicon"]["macro_f1"]
    assert modes["combined"]["dominant_accuracy"] >= 0.75
    assert modes["combined"]["spearman_pooled"] > 0.7


def test_evaluate_rich_table(runner):
    result = runner.invoke(main, ["evaluate", str(GOLD)])
    assert result.exit_code == 0 and "macro-F1" in result.output and "combined" in result.output


def test_bad_gold_line_is_reported_with_line(runner, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"text": "Россия и Казахстан — союзники.", "codes": {"partnership": 3, "sovereignty": 0, '
        '"global_south": 0, "language_policy": 0}, "dominant": "partnership"}\n{"text": broken\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["evaluate", str(gold)])
    assert result.exit_code == 1 and f"{gold}:2: invalid JSON" in result.output


def test_spearman_against_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    assert abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 0.9486832980505138) < 1e-9


def test_train_reproduces_shipped_model(runner, tmp_path):
    result = runner.invoke(
        main, ["train", str(ROOT / "data" / "train"), "--real", str(ROOT / "data" / "real"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    fresh, shipped = LinearModel.load(tmp_path), LinearModel.load()
    assert fresh.card["data"]["sha256"] == shipped.card["data"]["sha256"]
    for frame, metrics in shipped.card["metrics"]["held_out_test"].items():
        assert abs(fresh.card["metrics"]["held_out_test"][frame]["f1"] - metrics["f1"]) <= 0.02, frame
        # 0.85 before real sentences joined the training data; they cost the written set some recall (README): 0.82
        # with 32,977 real sentences, sovereignty 0.80 with 57,866 (rounds 4–5), 0.79 with 73,684 (round 6) and
        # 0.80 with 86,750 (round 7), a trade made for real text
        assert fresh.card["metrics"]["held_out_test"][frame]["f1"] >= 0.78, frame
    # The real development figures (grouped cross-validation over data/real/dev.jsonl) may not drop by more than 0.02.
    document_cv = fresh.card["metrics"]["document_cross_validated"]
    for mode, pinned in REAL_DEV_CV.items():
        for metric, value in pinned.items():
            assert document_cv[mode][metric] >= value - 0.02, (mode, metric, document_cv[mode][metric])


# framing train's cross-validated figures on the real dev set when the shipped model was built (README, Evaluation).
REAL_DEV_CV = {
    "lexicon": {"macro_f1": 0.665, "dominant_accuracy": 0.668, "mean_spearman": 0.516},
    "classifier": {"macro_f1": 0.751, "dominant_accuracy": 0.796, "mean_spearman": 0.621},
    "combined": {"macro_f1": 0.766, "dominant_accuracy": 0.791, "mean_spearman": 0.625},
}


CHALLENGE_SETS = {"heldout": "short_texts.jsonl", "challenge": "short.jsonl"}


@pytest.mark.parametrize("name", sorted(CHALLENGE_SETS))
def test_heldout_short_texts_generalise(combined_analyzer, name):
    """Short texts written apart from lexicons and training data (paraphrase, hard negatives)."""
    import numpy as np

    from framing.metrics import prf

    path = ROOT / "tests" / "data" / name / CHALLENGE_SETS[name]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = [combined_analyzer.analyze(r["text"]) for r in rows]
    for frame in combined_analyzer.lexicons.ids:
        truth = np.array([frame in r["labels"] for r in rows])
        predicted = np.array([a.frame(frame).present for a in results])
        metrics = prf(truth, predicted)
        assert metrics["f1"] >= 0.8, (frame, metrics)
    none_rows = [a for r, a in zip(rows, results) if not r["labels"]]
    assert sum(a.dominant is None for a in none_rows) >= 0.8 * len(none_rows)


@pytest.mark.parametrize("name", [*sorted(CHALLENGE_SETS), "challenge_long"])
def test_heldout_articles(runner, name):
    result = runner.invoke(
        main, ["evaluate", str(ROOT / "tests" / "data" / name / "articles" / "gold.jsonl"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    combined = json.loads(result.output)["modes"]["combined"]
    # Written sets coded before the codebook was sharpened on real news; the model retrained on real dev rounds 4–5
    # took the challenge articles from 0.822 to 0.787 macro-F1 (README, written sets): the floor is 0.78 since then.
    # challenge_long's dominant floor is 0.71 (10 of 14) since the refit on the real articles' second coding: its
    # Omsk budget article, coded "none" with partnership 1 before, has a headed paragraph on cross-border cooperation
    # with Kazakhstan (trade, transport corridors, joint enterprises), partnership 2 by the codebook's newer rule on
    # interstate cooperation reported with its aims, and the tool now calls it partnership.
    dominant_floor = 0.71 if name == "challenge_long" else 0.75
    assert combined["macro_f1"] >= 0.78 and combined["dominant_accuracy"] >= dominant_floor


def _gold_line(**row) -> str:
    base = {
        "text": "Россия и Казахстан — стратегические партнеры и союзники.",
        "dominant": "partnership",
        "codes": {"partnership": 3, "sovereignty": 0, "global_south": 0, "language_policy": 0},
    }
    base.update(row)
    return json.dumps(base, ensure_ascii=False) + "\n"


def test_evaluate_json_has_no_nan_and_undefined_f1_is_null(runner, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        _gold_line()
        + _gold_line(
            text="В Москве прошёл снегопад, движение затруднено.",
            dominant="none",
            codes={"partnership": 0, "sovereignty": 0, "global_south": 0, "language_policy": 0},
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["evaluate", str(gold), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.output
    combined = json.loads(result.output)["modes"]["combined"]
    assert combined["frames"]["sovereignty"]["f1"] is None and combined["macro_f1"] == 1.0


def test_gold_errors_name_gold_file_and_line(runner, tmp_path):
    gold = tmp_path / "gold.jsonl"
    cases = [
        (_gold_line(path="missing.txt", text=None), "missing.txt: no such file"),
        (
            _gold_line(codes={"partnership": True, "sovereignty": 0, "global_south": 0, "language_policy": 0}),
            "integers 0..3",
        ),
        (
            _gold_line(codes={"partnership": 3, "sovereignty": 0, "global_south": 0, "language_policy": 0, "enrgy": 1}),
            "unknown frame",
        ),
    ]
    for line, message in cases:
        gold.write_text(_gold_line() + line.replace('"text": null, ', ""), encoding="utf-8")
        result = runner.invoke(main, ["evaluate", str(gold)])
        assert result.exit_code == 1 and f"{gold}:2:" in result.output and message in result.output, result.output
