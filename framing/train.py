"""Train the sentence classifier and the document model with scikit-learn; export plain arrays (framing.classifier).

Imported only by `framing train`: scikit-learn never loads during `analyze`.
Written data folder: `train.jsonl` (fit + cross-validation) and `test.jsonl` (fixed held-out split).
Real data folder (`--real`, data/real): `sentences.jsonl` (labelled sentences of dev articles, each with its
`article` id) joins the sentence training data; `dev.jsonl` (coded real articles) fits the document model, with
the spent locked splits (`spent_splits`: a test file whose one locked evaluation is recorded beside it).
The document features of each dev article come from a sentence model trained *without* that article's
sentences (grouped folds), so the document model learns how far to trust the classifier on unseen text.
"""

from __future__ import annotations

import hashlib
import platform
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .classifier import LinearModel
from .corpus import Example, files_digest, load_examples
from .decision import FEATURES, PRESENT, DocumentModel, feature_values
from .errors import FramingError
from .features import CONTEXT_WIDTH, sentence_lemmas, unit_features
from .lexicon import LexiconSet, load_lexicon_set
from .matcher import LexiconMatcher, summed_weights
from .metrics import prf, spearman
from .nlp import load_pipeline

HYPER = {"C": 16.0, "min_df": 2, "lexicon_flags": True, "class_weight": "balanced", "folds": 5, "seed": 13,
         "document_C": 1.0, "real_heldout_share": 0.25, "short_texts": 400}


@dataclass
class TrainReport:
    model: LinearModel
    cv: dict[str, dict[str, float]]
    test: dict[str, dict[str, float]]
    sizes: dict[str, int]
    seconds: float
    real_heldout: dict[str, dict[str, float]] = field(default_factory=dict)  # sentences of unseen real articles
    document_cv: dict[str, dict] = field(default_factory=dict)  # mode → cross-validated article metrics


def featurize(
    texts: list[str], lexicons: LexiconSet | None = None, examples: list[Example] | None = None
) -> list[list[str]]:
    """Each text as one unit with the features analysis uses per sentence. With `examples` (one per text), a
    sentence taken from a real article gets the sentences next to it in that article as context."""
    nlp = load_pipeline()
    lexicons = lexicons or load_lexicon_set()
    matcher = LexiconMatcher(lexicons, nlp.vocab.strings)
    lemma_units, weights_per_unit = [], []
    for doc in nlp.pipe(texts):
        lemma_units += sentence_lemmas(doc, whole=True)
        weights_per_unit += summed_weights(matcher.match(doc), lexicons.ids)
    return unit_features(lemma_units, weights_per_unit, _neighbours(examples, len(texts)))


def _neighbours(examples: list[Example] | None, n: int) -> list[list[int]]:
    """Indexes of each example's neighbouring sentences in its article (none for written sentences)."""
    if examples is None:
        return [[] for _ in range(n)]
    where = {
        (e.article, e.position): i for i, e in enumerate(examples) if e.article is not None and e.position is not None
    }
    return [
        [
            where[(e.article, e.position + d)]
            for d in range(-CONTEXT_WIDTH, CONTEXT_WIDTH + 1)
            if d and (e.article, e.position + d) in where
        ]
        if e.article is not None and e.position is not None
        else []
        for e in examples
    ]


def _identity(features: list[str]) -> list[str]:
    return features


def _labels(examples: list[Example], frame: str) -> np.ndarray:
    return np.array([frame in e.labels for e in examples], dtype=bool)


def _sklearn():
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
    except ImportError:
        raise FramingError(None, "train needs scikit-learn: pip install scikit-learn") from None
    return TfidfVectorizer, LogisticRegression, StratifiedKFold


def _vectorizer():
    TfidfVectorizer, _, _ = _sklearn()
    return TfidfVectorizer(analyzer=_identity, min_df=HYPER["min_df"], lowercase=False)


def _sentence_logistic():
    """The per-frame sentence model: one configuration for the final fit and for cross-validation."""
    _, LogisticRegression, _ = _sklearn()
    return LogisticRegression(C=HYPER["C"], class_weight=HYPER["class_weight"], max_iter=5000, solver="liblinear")


def article_fold(article: str, folds: int) -> int:
    """A real article's fold, fixed by its id: grouped folds keep all sentences of an article together."""
    return hashlib.sha1(article.encode()).digest()[0] % folds


def fit_sentence_model(
    units: list[list[str]], examples: list[Example], frames: list[str], platt: tuple[list[float], list[float]]
) -> LinearModel:
    """tf-idf + one-vs-rest logistic regression on `units`, exported with the given Platt calibration."""
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(units)
    coef, intercept = [], []
    for frame in frames:
        model = _sentence_logistic()
        model.fit(matrix, _labels(examples, frame))
        coef.append(model.coef_[0])
        intercept.append(model.intercept_[0])
    features = [""] * len(vectorizer.vocabulary_)
    for feature, column in vectorizer.vocabulary_.items():
        features[column] = feature
    return LinearModel(
        features=features,
        frames=list(frames),
        idf=vectorizer.idf_.astype(np.float64),
        coef=np.vstack(coef),
        intercept=np.array(intercept),
        platt_a=np.array(platt[0]),
        platt_b=np.array(platt[1]),
    )


def cross_validated_platt(units: list[list[str]], examples: list[Example], frames: list[str], folds: int, where: str):
    """Platt (a, b) per frame from cross-validated decision values, and the cross-validated P/R/F1."""
    _, LogisticRegression, StratifiedKFold = _sklearn()
    from sklearn.pipeline import make_pipeline

    x_array = np.empty(len(units), dtype=object)
    x_array[:] = units
    platt_a, platt_b, cv = [], [], {}
    for frame in frames:
        y = _labels(examples, frame)
        if y.sum() < folds or (~y).sum() < folds:
            raise FramingError(
                where,
                f"frame '{frame}' needs at least {folds} positive and {folds} negative examples "
                f"({int(y.sum())} positive, {int((~y).sum())} negative)",
            )
        decisions = np.zeros(len(y))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=HYPER["seed"])
        for fit_idx, held_idx in splitter.split(np.zeros(len(y)), y):
            pipe = make_pipeline(_vectorizer(), _sentence_logistic()).fit(list(x_array[fit_idx]), y[fit_idx])
            decisions[held_idx] = pipe.decision_function(list(x_array[held_idx]))
        # Calibrated on the written sentences, whose labels say whether a sentence states a frame on its own; real
        # sentences were labelled in their article's context and would pull every probability down.
        written = np.array([e.article is None for e in examples])
        platt = LogisticRegression(C=1e4, solver="lbfgs").fit(decisions[written].reshape(-1, 1), y[written])
        a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        platt_a.append(a)
        platt_b.append(b)
        cv[frame] = prf(y, 1 / (1 + np.exp(-(a * decisions + b))) >= 0.5)
    return (platt_a, platt_b), cv


def _sentence_metrics(model: LinearModel, units: list[list[str]], examples: list[Example], frames: list[str]) -> dict:
    probs = model.predict_proba(units)
    return {frame: prf(_labels(examples, frame), probs[:, j] >= 0.5) for j, frame in enumerate(frames)}


def train(
    data_dir: str | Path, frames: list[str] | None = None, folds: int | None = None, real_dir: str | Path | None = None
) -> TrainReport:
    """Sentence classifier from written + real sentences, document model from the real dev articles (both needed)."""
    _sklearn()
    if real_dir is None:
        raise FramingError(
            None, "train needs the real-data folder (--real data/real): the document model is fitted on it"
        )
    started = time.perf_counter()
    frames = frames or load_lexicon_set().ids  # a frame is added by adding its lexicon file
    folds = folds or HYPER["folds"]
    data_dir = Path(data_dir)
    train_path, test_path = data_dir / "train.jsonl", data_dir / "test.jsonl"
    if not train_path.exists():
        raise FramingError(str(train_path), "no such file (a training folder holds train.jsonl and test.jsonl)")
    written = load_examples(train_path, frames)
    test_set = load_examples(test_path, frames) if test_path.exists() else []
    real_dir = Path(real_dir)
    sentences_path, dev_path = real_dir / "sentences.jsonl", real_dir / "dev.jsonl"
    if not (sentences_path.exists() and dev_path.exists()):
        raise FramingError(str(real_dir), "a real-data folder holds sentences.jsonl and dev.jsonl")
    real = load_examples(sentences_path, frames)
    examples = written + real
    units = featurize([e.text for e in examples], examples=examples)
    x_test = featurize([e.text for e in test_set])

    platt, cv = cross_validated_platt(units, examples, frames, folds, str(train_path))
    linear = fit_sentence_model(units, examples, frames, platt)
    test = _sentence_metrics(linear, x_test, test_set, frames) if test_set else {}

    real_heldout: dict = {}
    if real:
        # Sentences of real articles never seen in training: hold out a fixed share of the articles.
        held = [
            e.article is not None and article_fold(e.article, 100) < 100 * HYPER["real_heldout_share"] for e in examples
        ]
        keep = [i for i, h in enumerate(held) if not h]
        back = [i for i, h in enumerate(held) if h and examples[i].article]
        partial = fit_sentence_model([units[i] for i in keep], [examples[i] for i in keep], frames, platt)
        real_heldout = _sentence_metrics(partial, [units[i] for i in back], [examples[i] for i in back], frames)
    spent = spent_splits(real_dir)
    linear.document, document_cv = fit_document_model([dev_path, *spent], examples, units, frames, platt, folds)
    sizes = {
        "train_written": len(written),
        "train_real": len(real),
        "test": len(test_set),
        "features": len(linear.features),
        **{f"train_{frame}": int(_labels(examples, frame).sum()) for frame in frames},
        "train_none": sum(1 for e in examples if not e.labels),
    }
    report = TrainReport(linear, cv, test, sizes, time.perf_counter() - started, real_heldout, document_cv)
    data_files = [p for p in (train_path, test_path, sentences_path, dev_path, *spent) if p.exists()]
    linear.card = model_card(report, data_files)
    return report


def example_fold(example: Example, folds: int) -> int:
    """Fold of a training sentence: its article's for a real sentence, its own text's for a written one."""
    return article_fold(example.article or "written:" + example.text, folds)


def spent_splits(real_dir: Path) -> list[Path]:
    """The locked test splits already evaluated once: `NAME.jsonl` with `locked_NAME_result.json` beside it.

    A spent split has done its one job (an unbiased figure, reported as it came out) and its article codes then
    train the document model like dev articles; its articles have no sentence labels, so the sentence classifier
    never sees them. A split still locked has no result file yet and stays out: the rule needs no list to keep.
    """
    return sorted(
        path
        for path in real_dir.glob("test*.jsonl")
        if (real_dir / f"locked_{path.stem}_result.json").exists()
    )


def document_rows(
    gold_paths: list[Path], examples: list[Example], units: list[list[str]], frames: list[str], platt, folds: int
):
    """Rows for the document model: every coded article (codes, dominant, fold, each frame's feature values) and a
    sample of the written sentences as one-sentence texts (`short`: code 2 for each labelled frame), so that the
    model also knows what a headline-length text with its one framed sentence looks like. The classifier
    component of every row comes from a sentence model that never saw the row's sentences."""
    from .analyzer import Analyzer
    from .evaluate import load_gold

    articles = [(path.stem, a) for path in gold_paths for a in load_gold(path, frames)]
    written = [e for e in examples if e.article is None]
    short = [written[i] for i in range(0, len(written), max(1, len(written) // HYPER["short_texts"]))]
    items = [
        (a.text, a.id or a.source, a.codes, a.dominant, split, article_fold(a.id or a.source, folds))
        for split, a in articles
    ]
    items += [
        (
            e.text,
            e.text[:40],
            {f: 2 * (f in e.labels) for f in frames},
            next(iter(e.labels)) if len(e.labels) == 1 else None,
            "short",
            example_fold(e, folds),
        )
        for e in short
    ]
    rows: list[dict] = [{} for _ in items]
    for fold in range(folds):
        members = [i for i, item in enumerate(items) if item[5] == fold]
        if not members:
            continue
        keep = [i for i, e in enumerate(examples) if example_fold(e, folds) != fold]
        model = fit_sentence_model([units[i] for i in keep], [examples[i] for i in keep], frames, platt)
        analyzer = Analyzer(model=model, mode="combined")
        for i in members:
            text, row_id, codes, dominant, split, _ = items[i]
            analysis = analyzer.analyze(text)
            rows[i] = {
                "id": row_id,
                "codes": codes,
                "dominant": dominant,
                "fold": fold,
                "short": split == "short",
                "split": split,
                "features": {f.id: feature_values(f.lexicon, f.classifier, analysis.tokens) for f in analysis.frames},
            }
    return rows


def _fit_logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...]):
    """L2-penalised logistic regression on standardised features whose evidence coefficients are held ≥ 0.

    Monotone by construction: more lexicon or classifier evidence can never lower a frame's probability. Without
    the bounds, correlated features took opposite signs on the real dev set, and texts unlike it (short written
    articles whose every sentence carries the frame) fell on the wrong side.
    """
    from scipy.optimize import minimize

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    target = y.astype(float)
    penalty = 1.0 / HYPER["document_C"]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margin = z @ w + b
        p = 1.0 / (1.0 + np.exp(-margin))
        value = float(np.sum(np.logaddexp(0.0, margin) - target * margin) + 0.5 * penalty * w @ w)
        residual = p - target
        return value, np.append(z.T @ residual + penalty * w, residual.sum())

    bounds = [(0.0, None)] * len(names) + [(None, None)]  # every feature is evidence; the intercept is free
    result = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    if not np.all(np.isfinite(result.x)):
        raise FramingError(None, f"the document model did not converge ({result.message})")
    return mean, scale, result.x[:-1], float(result.x[-1])


def _matrix(rows: list[dict], frame: str, mode: str) -> np.ndarray:
    return np.array([[row["features"][frame][name] for name in FEATURES[mode]] for row in rows])


def fit_document_model(
    gold_paths: list[Path], examples, units, frames, platt, folds: int
) -> tuple[DocumentModel, dict]:
    """The document model fitted on all coded articles (dev first, then the spent splits), and its article-level
    metrics under grouped cross-validation, reported on the dev articles (the figures pinned in the tests).

    Each frame's presence threshold is the one that maximises its F1 on out-of-fold probabilities; in the reported
    cross-validation the thresholds are chosen again inside each training part, so the figures stay out-of-sample.
    """
    rows = document_rows(gold_paths, examples, units, frames, platt, folds)
    if len(rows) < 2 * folds:
        raise FramingError(str(gold_paths[0]), f"needs at least {2 * folds} coded articles")
    model = document_model_of(rows, frames)
    model.threshold = {mode: tuned_thresholds(rows, frames, mode) for mode in FEATURES}
    dev_split = gold_paths[0].stem
    real = [i for i, r in enumerate(rows) if r["split"] == dev_split]
    metrics = {}
    for mode in FEATURES:
        probs = np.zeros((len(rows), len(frames)))
        present = np.zeros((len(rows), len(frames)), dtype=bool)
        for fold in range(folds):
            fit = [r for r in rows if r["fold"] != fold]
            held = [i for i, r in enumerate(rows) if r["fold"] == fold]
            if not held:
                continue
            thresholds = tuned_thresholds(fit, frames, mode)
            probs[held] = probabilities_of(document_model_of(fit, frames), [rows[i] for i in held], frames, mode)
            present[held] = probs[held] >= thresholds
        metrics[mode] = article_metrics([rows[i] for i in real], frames, probs[real], present[real], spearman)
    return model, metrics


def probabilities_of(model: DocumentModel, rows: list[dict], frames: list[str], mode: str) -> np.ndarray:
    return np.array([[model.probability(mode, frame, row["features"][frame]) for frame in frames] for row in rows])


# The F1-optimal threshold on a calibrated probability is half the best F1 reachable, so never above 0.5.
THRESHOLD_GRID = np.round(np.arange(0.15, 0.51, 0.05), 2)


def tuned_thresholds(rows: list[dict], frames: list[str], mode: str) -> np.ndarray:
    """Per frame, the presence threshold with the best F1 on out-of-fold probabilities within `rows`."""
    fold_ids = sorted({r["fold"] for r in rows})
    probs = np.zeros((len(rows), len(frames)))
    for fold in fold_ids:
        held = [i for i, r in enumerate(rows) if r["fold"] == fold]
        fit = [r for r in rows if r["fold"] != fold]
        probs[held] = probabilities_of(document_model_of(fit, frames), [rows[i] for i in held], frames, mode)
    best = []
    real = np.array([not r["short"] for r in rows])  # thresholds serve real articles: tuned on them alone
    for k, frame in enumerate(frames):
        truth = np.array([r["codes"][frame] >= 2 for r in rows])[real]
        f1 = np.array([prf(truth, probs[real, k] >= t)["f1"] for t in THRESHOLD_GRID])
        smooth = np.convolve(np.pad(f1, 1, mode="edge"), np.ones(3) / 3, mode="valid")  # a few articles move a raw peak
        best.append(max(zip(smooth, -np.abs(THRESHOLD_GRID - PRESENT), THRESHOLD_GRID))[2])
    return np.array(best, dtype=np.float64)


def document_model_of(rows: list[dict], frames: list[str]) -> DocumentModel:
    mean, scale, coef, intercept = {}, {}, {}, {}
    for mode in FEATURES:
        fitted = []
        for frame in frames:
            y = np.array([r["codes"][frame] >= 2 for r in rows])
            if y.all() or not y.any():
                raise FramingError(None, f"frame '{frame}' needs coded articles with and without it")
            fitted.append(_fit_logistic(_matrix(rows, frame, mode), y, FEATURES[mode]))
        # One standardisation per mode and frame would be cleaner; the arrays keep one per mode, so refit
        # the coefficients on a shared scale: the features are the same quantities for every frame.
        shared_mean = np.mean([f[0] for f in fitted], axis=0)
        shared_scale = np.mean([f[1] for f in fitted], axis=0)
        coefs, intercepts = [], []
        for m, s, c, b in fitted:
            w = c / s * shared_scale  # same linear function of the raw features on the shared scale
            coefs.append(w)
            intercepts.append(b - float(np.sum(c * m / s)) + float(np.sum(w * shared_mean / shared_scale)))
        mean[mode], scale[mode] = shared_mean, shared_scale
        coef[mode], intercept[mode] = np.vstack(coefs), np.array(intercepts)
    threshold = {mode: np.full(len(frames), PRESENT) for mode in FEATURES}
    return DocumentModel(
        frames=list(frames), mean=mean, scale=scale, coef=coef, intercept=intercept, threshold=threshold
    )


def article_metrics(rows: list[dict], frames: list[str], probs: np.ndarray, present: np.ndarray, spearman) -> dict:
    """Presence F1 per frame vs code ≥ 2, macro-F1, dominant accuracy (the present frame with the highest P),
    Spearman ρ of P vs the 0–3 code."""
    per_frame = {}
    for k, frame in enumerate(frames):
        truth = np.array([r["codes"][frame] >= 2 for r in rows])
        per_frame[frame] = {
            **prf(truth, present[:, k]),
            "spearman": round(spearman(list(probs[:, k]), [r["codes"][frame] for r in rows]) or 0.0, 4),
        }
    dominant_hits = 0
    for i, row in enumerate(rows):
        candidates = [k for k in range(len(frames)) if present[i, k]]
        predicted = frames[max(candidates, key=lambda k: probs[i, k])] if candidates else None
        dominant_hits += predicted == row["dominant"]
    return {
        "frames": per_frame,
        "macro_f1": round(float(np.mean([m["f1"] for m in per_frame.values()])), 4),
        "dominant_accuracy": round(dominant_hits / len(rows), 4),
        "mean_spearman": round(float(np.mean([m["spearman"] for m in per_frame.values()])), 4),
        "articles": len(rows),
    }


def model_card(report: TrainReport, data_files: list[Path]) -> dict:
    import sklearn
    import spacy

    try:
        from importlib.metadata import version

        morph_version = version("pymorphy3")
    except Exception:  # pragma: no cover
        morph_version = "unknown"
    document = report.model.document
    return {
        "model": "framing sentence classifier: tf-idf of content-lemma uni/bigrams + lexicon hit flags → one-vs-rest "
        "logistic regression + Platt; document model: logistic regression per frame and mode over named features",
        "trained": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"files": [p.name for p in data_files], "sha256": files_digest(data_files)},
        "sizes": report.sizes,
        "hyperparameters": HYPER,
        "metrics": {
            "cross_validated": report.cv,
            "held_out_test": report.test,
            "real_heldout_sentences": report.real_heldout,
            "document_cross_validated": report.document_cv,
        },
        "document_model": None
        if document is None
        else {
            mode: {
                "features": list(names),
                "thresholds": dict(zip(document.frames, document.threshold[mode].round(2).tolist())),
                "coefficients_per_sd": {
                    f: dict(zip(names, np.round(document.coef[mode][k], 3).tolist()))
                    for k, f in enumerate(document.frames)
                },
            }
            for mode, names in FEATURES.items()
        },
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "spacy": spacy.__version__,
            "pymorphy3": morph_version,
        },
        "seconds": round(report.seconds, 1),
    }
