"""The classifier: safe model files, calibrated probabilities, faithful export, train/save/load round trip."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from framing.classifier import LinearModel, builtin_model_dir
from framing.cli import main
from framing.errors import FramingError
from framing.train import featurize, train

ROOT = Path(__file__).resolve().parent.parent
FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]


@pytest.fixture(scope="module")
def small_training(tmp_path_factory) -> tuple[Path, object]:
    """A quick model trained on a slice of the repo's data (same code path as `framing train`)."""
    folder = tmp_path_factory.mktemp("data")
    real = tmp_path_factory.mktemp("real")
    lines = (ROOT / "data" / "train" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "train.jsonl").write_text("\n".join(lines[::3]) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "data" / "train" / "test.jsonl", folder / "test.jsonl")
    for name, step in (("sentences.jsonl", 3), ("dev.jsonl", 2)):
        rows = (ROOT / "data" / "real" / name).read_text(encoding="utf-8").splitlines()
        (real / name).write_text("\n".join(rows[::step]) + "\n", encoding="utf-8")
    return folder, train(folder, folds=3, real_dir=real)


def test_round_trip_gives_identical_predictions(small_training, tmp_path):
    _, report = small_training
    sentences = [
        "Россия и Казахстан вывели отношения на уровень стратегического партнерства.",
        "В Москве ожидается снег.",
    ]
    units = featurize(sentences)
    before = report.model.predict_proba(units)
    report.model.save(tmp_path)
    loaded = LinearModel.load(tmp_path)
    assert np.array_equal(before, loaded.predict_proba(units))
    card = json.loads((tmp_path / "model_card.json").read_text(encoding="utf-8"))
    assert (
        card["data"]["sha256"]
        and card["sizes"]["train_written"] > 0
        and card["sizes"]["train_real"] > 0
        and "scikit-learn" in card["versions"]
    )


def test_export_matches_scikit_learn(small_training):
    """The numpy predictor reproduces sklearn's tf-idf + logistic regression decision values."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    folder, report = small_training
    model = report.model
    texts = [json.loads(line)["text"] for line in (folder / "test.jsonl").read_text(encoding="utf-8").splitlines()[:50]]
    units = featurize(texts)
    vectorizer = TfidfVectorizer(
        analyzer=lambda x: x, lowercase=False, vocabulary={f: i for i, f in enumerate(model.features)}
    )
    vectorizer.idf_ = model.idf
    expected = vectorizer.transform(units) @ model.coef.T + model.intercept
    assert np.allclose(model.decision(units), expected, atol=1e-9)


def test_exported_model_equals_an_independently_fitted_scikit_learn_pipeline():
    """fit_sentence_model's exported arrays against a pipeline fitted here from the same sentences and settings:
    a fault in the export (vocabulary order, idf, intercept, sign) shows, which a check against its own arrays
    cannot see."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from framing.train import HYPER, fit_sentence_model, load_examples

    examples = load_examples(ROOT / "data" / "train" / "train.jsonl", FRAMES)[::4]
    units = featurize([e.text for e in examples])
    frames = ["partnership", "sovereignty"]
    model = fit_sentence_model(units, examples, frames, ([1.0, 1.0], [0.0, 0.0]))
    held = featurize([json.loads(line)["text"] for line in
                      (ROOT / "data" / "train" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:80]])
    for k, frame in enumerate(frames):
        pipe = make_pipeline(
            TfidfVectorizer(analyzer=lambda unit: unit, min_df=HYPER["min_df"], lowercase=False),
            LogisticRegression(C=HYPER["C"], class_weight=HYPER["class_weight"], max_iter=5000, solver="liblinear"),
        ).fit(units, [frame in e.labels for e in examples])
        assert np.allclose(model.decision(held)[:, k], pipe.decision_function(held), atol=1e-8)


def test_probabilities_are_in_unit_interval(combined_analyzer, seed_text):
    probs = combined_analyzer.model.predict_proba(
        featurize(["Москва и Астана выводят отношения на новый уровень.", "", "!!!"])
    )
    assert probs.shape == (3, 4)
    assert np.all((probs >= 0) & (probs <= 1))
    analysis = combined_analyzer.analyze(seed_text)
    for frame in analysis.frames:
        assert 0 <= frame.classifier.mean_prob <= frame.classifier.top_prob <= 1


def test_classifier_catches_paraphrase_without_lexicon_terms(combined_analyzer):
    text = (
        "Москва и Астана выводят отношения на новый уровень: "
        "стороны договорились вместе строить заводы и удвоить поставки."
    )
    analysis = combined_analyzer.analyze(text)
    assert analysis.frame("partnership").classifier.top_prob > 0.5


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(builtin_model_dir(), target)
    return target


def test_tampered_model_fails_cleanly(tmp_path):
    folder = _copy_model(tmp_path)
    with np.load(folder / "model.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["coef"] = arrays["coef"] * 1.01
    np.savez(folder / "model.npz", **arrays)
    with pytest.raises(FramingError, match="digest"):
        LinearModel.load(folder)


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04garbage", b""])
def test_corrupted_or_foreign_model_file_gives_one_line_error(runner, tmp_path, content):
    folder = _copy_model(tmp_path)
    (folder / "model.npz").write_bytes(content)
    seed = ROOT / "seeds" / "000_0281386bebb0d4b9.txt"
    result = runner.invoke(main, ["analyze", str(seed), "--model", str(folder)])
    assert result.exit_code == 1
    assert "model.npz" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_pickle_payload_is_refused(tmp_path):
    folder = tmp_path / "evil"
    folder.mkdir()
    np.savez(
        folder / "model.npz",
        format=np.array(["framing-linear/1"], dtype=object),
        features=np.array([{"x": 1}], dtype=object),
    )
    with pytest.raises(FramingError):
        LinearModel.load(folder)


def test_train_cli_writes_to_the_user_data_folder_and_says_how_to_use_it(small_training, tmp_path, monkeypatch):
    """`framing train` without --out: a new folder under $XDG_DATA_HOME/framing/models, never ./framing/model;
    sizes and metrics as tables; the --model line to use it. (The small model stands in for a full training.)"""
    from click.testing import CliRunner

    import framing.train

    folder, report = small_training
    monkeypatch.setattr(framing.train, "train", lambda *args, **kwargs: report)
    monkeypatch.chdir(tmp_path)
    data_home = tmp_path / "xdg"
    result = CliRunner(env={"XDG_DATA_HOME": str(data_home), "COLUMNS": "100"}).invoke(
        main, ["train", str(folder), "--real", str(folder)]
    )
    assert result.exit_code == 0, result.output
    written = list((data_home / "framing" / "models").glob("*/model.npz"))
    assert len(written) == 1 and (written[0].parent / "model_card.json").exists()
    assert not (tmp_path / "framing").exists()  # nothing beside the current folder
    assert LinearModel.load(written[0].parent).features == report.model.features
    assert f"--model {written[0].parent}" in " ".join(result.output.split())
    assert "{" not in result.output  # no dict printed
    assert "training data" in result.output
    assert re.search(rf"│ train_written\s+│\s+{report.sizes['train_written']:,}".replace(",", " "), result.output)


def test_train_error_says_framing_once(runner, tmp_path, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] + ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if scikit-learn were missing
    result = runner.invoke(main, ["train", str(tmp_path), "--real", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == "framing: error: train needs scikit-learn: pip install scikit-learn\n"


def test_model_file_of_the_previous_format_still_loads(tmp_path):
    """framing-linear/2 stored the features as fixed-width strings; such a file loads and predicts the same."""
    from framing.classifier import SENTENCE_ARRAYS, arrays_digest

    shipped = LinearModel.load()
    arrays = shipped.arrays()
    arrays["features"] = np.array(shipped.features, dtype=str)
    assert set(SENTENCE_ARRAYS) <= set(arrays)
    np.savez(tmp_path / "model.npz", format=np.array("framing-linear/2"), digest=np.array(arrays_digest(arrays)),
             **arrays)
    older = LinearModel.load(tmp_path)
    units = [["стратегический", "партнерство", "стратегический партнерство"], ["суверенитет", "давление"]]
    assert older.features == shipped.features
    assert np.array_equal(older.predict_proba(units), shipped.predict_proba(units))
