"""Train the sentence classifier with scikit-learn and export it as plain arrays (framing.classifier).

Imported only by `framing train`: scikit-learn never loads during `analyze`.
Data folder: `train.jsonl` (fit + cross-validation) and `test.jsonl` (fixed held-out split).
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .classifier import LinearModel
from .corpus import Example, files_digest, load_examples
from .errors import FramingError
from .features import sentence_lemmas, unit_features
from .lexicon import LexiconSet, load_lexicon_set
from .matcher import LexiconMatcher
from .nlp import load_pipeline

FRAMES = ["partnership", "sovereignty", "global_south", "language_policy"]
HYPER = {"C": 16.0, "min_df": 2, "lexicon_flags": True, "class_weight": "balanced", "folds": 5, "seed": 13}


@dataclass
class TrainReport:
    model: LinearModel
    cv: dict[str, dict[str, float]]
    test: dict[str, dict[str, float]]
    sizes: dict[str, int]
    seconds: float


def featurize(texts: list[str], lexicons: LexiconSet | None = None) -> list[list[str]]:
    """Each text as one unit: lemma uni/bigrams + lexicon flags (the features analysis uses per sentence)."""
    nlp = load_pipeline()
    lexicons = lexicons or load_lexicon_set()
    matcher = LexiconMatcher(lexicons, nlp.vocab.strings)
    units = []
    for doc in nlp.pipe(texts):
        weights: dict[str, float] = {}
        for hit in matcher.match(doc):
            frame_id = lexicons.frames[hit.frame].id
            weights[frame_id] = weights.get(frame_id, 0.0) + hit.weight
        units += unit_features(sentence_lemmas(doc, whole=True), [weights])
    return units


def _identity(features: list[str]) -> list[str]:
    return features


def prf(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": int(y_true.sum())}


def _labels(examples: list[Example], frame: str) -> np.ndarray:
    return np.array([frame in e.labels for e in examples], dtype=bool)


def train(data_dir: str | Path, frames: list[str] | None = None, folds: int | None = None) -> TrainReport:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from sklearn.pipeline import make_pipeline
    except ImportError:
        raise FramingError("framing train", "needs scikit-learn: pip install 'framing[train]'") from None

    started = time.perf_counter()
    frames = frames or FRAMES
    data_dir = Path(data_dir)
    train_path, test_path = data_dir / "train.jsonl", data_dir / "test.jsonl"
    if not train_path.exists():
        raise FramingError(str(train_path), "no such file (a training folder holds train.jsonl and test.jsonl)")
    train_set = load_examples(train_path, frames)
    test_set = load_examples(test_path, frames) if test_path.exists() else []
    x_train = featurize([e.text for e in train_set])
    x_test = featurize([e.text for e in test_set])
    folds = folds or HYPER["folds"]

    def new_pipeline():
        return make_pipeline(
            TfidfVectorizer(analyzer=_identity, min_df=HYPER["min_df"], lowercase=False),
            LogisticRegression(C=HYPER["C"], class_weight=HYPER["class_weight"], max_iter=5000, solver="liblinear"),
        )

    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=HYPER["min_df"], lowercase=False)
    matrix = vectorizer.fit_transform(x_train)
    coef, intercept, platt_a, platt_b = [], [], [], []
    cv: dict[str, dict[str, float]] = {}
    x_array = np.empty(len(x_train), dtype=object)
    x_array[:] = x_train
    for frame in frames:
        y = _labels(train_set, frame)
        if y.sum() < folds or (~y).sum() < folds:
            raise FramingError(
                str(train_path), f"frame '{frame}' needs at least {folds} positive and {folds} negative examples "
                f"({int(y.sum())} positive, {int((~y).sum())} negative)")
        # Cross-validated decision values: metrics, and the data for the Platt calibration.
        decisions = np.zeros(len(y))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=HYPER["seed"])
        for fit_idx, held_idx in splitter.split(np.zeros(len(y)), y):
            pipe = new_pipeline().fit(list(x_array[fit_idx]), y[fit_idx])
            decisions[held_idx] = pipe.decision_function(list(x_array[held_idx]))
        platt = LogisticRegression(C=1e4, solver="lbfgs").fit(decisions.reshape(-1, 1), y)
        a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        cv_prob = 1 / (1 + np.exp(-(a * decisions + b)))
        cv[frame] = prf(y, cv_prob >= 0.5)
        model = LogisticRegression(C=HYPER["C"], class_weight=HYPER["class_weight"], max_iter=5000, solver="liblinear").fit(matrix, y)
        coef.append(model.coef_[0])
        intercept.append(model.intercept_[0])
        platt_a.append(a)
        platt_b.append(b)

    features = np.empty(len(vectorizer.vocabulary_), dtype=object)
    for feature, column in vectorizer.vocabulary_.items():
        features[column] = feature
    linear = LinearModel(
        features=features.astype(str),
        frames=list(frames),
        idf=vectorizer.idf_.astype(np.float64),
        coef=np.vstack(coef),
        intercept=np.array(intercept),
        platt_a=np.array(platt_a),
        platt_b=np.array(platt_b),
    )
    test: dict[str, dict[str, float]] = {}
    if test_set:
        probs = linear.predict_proba(x_test)
        for j, frame in enumerate(frames):
            test[frame] = prf(_labels(test_set, frame), probs[:, j] >= 0.5)
    sizes = {
        "train": len(train_set),
        "test": len(test_set),
        "features": len(features),
        **{f"train_{frame}": int(_labels(train_set, frame).sum()) for frame in frames},
        "train_none": sum(1 for e in train_set if not e.labels),
    }
    report = TrainReport(linear, cv, test, sizes, time.perf_counter() - started)
    linear.card = model_card(report, [p for p in (train_path, test_path) if p.exists()])
    return report


def model_card(report: TrainReport, data_files: list[Path]) -> dict:
    import sklearn
    import spacy

    try:
        from importlib.metadata import version

        morph_version = version("pymorphy3")
    except Exception:  # pragma: no cover
        morph_version = "unknown"
    return {
        "model": "framing sentence classifier: tf-idf of lemma uni/bigrams + lexicon hit flags → one-vs-rest logistic regression + Platt",
        "trained": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"files": [p.name for p in data_files], "sha256": files_digest(data_files)},
        "sizes": report.sizes,
        "hyperparameters": HYPER,
        "metrics": {"cross_validated": report.cv, "held_out_test": report.test},
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "spacy": spacy.__version__,
            "pymorphy3": morph_version,
        },
        "seconds": round(report.seconds, 1),
    }
