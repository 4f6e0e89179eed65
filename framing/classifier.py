"""A linear frame classifier exported from scikit-learn to plain arrays, predicted with numpy.

Why not the sklearn objects at run time: importing scikit-learn costs ~0.8 s of start-up, and loading
pickles a user hands us would execute code. The model file is an `.npz` of plain arrays (loaded with
allow_pickle=False) whose content digest is checked, so a tampered or foreign file fails with a clear
error. Probability per sentence and frame: sigmoid(a·(w·x + b) + c), x = l2-normalised tf-idf of lemma
uni/bigrams, (a, c) a Platt calibration fitted on cross-validated scores. A unit without features (fewer
than `features.MIN_CONTENT_WORDS` content words) carries no frame: probability 0.
The same file holds the document-level decision (framing.decision), fitted on real coded articles.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .decision import DocumentModel, array_names
from .errors import FramingError
from .features import LemmaUnits

if TYPE_CHECKING:
    from .features import CodedUnits, SentenceCoder

FORMAT = "framing-linear/3"  # /3: features as one UTF-8 text; /2 (fixed-width strings) is read too
READABLE_FORMATS = ("framing-linear/2", FORMAT)  # /1 (no document model) is refused with a hint to retrain
MAX_MODEL_BYTES = 200 * 2**20  # the shipped model is ~0.3 MB; a larger file is not one of ours
SENTENCE_ARRAYS = ("features", "frames", "idf", "coef", "intercept", "platt_a", "platt_b")
ARRAYS = (*SENTENCE_ARRAYS, *array_names())


def builtin_model_dir() -> Path:
    return Path(str(resources.files("framing") / "model"))


def arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the model's arrays (names, types, shapes, bytes): the model file's digest and its identity."""
    h = hashlib.sha256()
    for name in ARRAYS:
        value = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(value.dtype).encode())
        h.update(str(value.shape).encode())
        h.update(value.tobytes())
    return h.hexdigest()


def features_blob(features: list[str]) -> np.ndarray:
    """The feature strings as one newline-separated UTF-8 text in a uint8 array: a tenth of the bytes of numpy's
    fixed-width strings (4 bytes × the longest feature, each), so the model loads and hashes ~0.15 s faster."""
    if any("\n" in feature for feature in features):
        raise ValueError("features must be single-line strings")
    return np.frombuffer("\n".join(features).encode("utf-8"), dtype=np.uint8)


def read_features(stored: np.ndarray) -> list[str]:
    """Feature strings from `features_blob`'s array, or from the fixed-width strings of a framing-linear/2 file."""
    if stored.ndim != 1:
        return []  # refused by the shape check
    if stored.dtype.kind == "U":
        return stored.tolist()
    if stored.dtype != np.uint8:
        return []
    try:
        text = stored.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return []
    return text.split("\n") if text else []


@dataclass
class LinearModel:
    # F feature strings. A list, not the file's fixed-width numpy array: that is ~4 bytes × the longest feature
    # per entry (34 MB for the shipped model), while the list shares its strings with `index`.
    features: list[str]
    frames: list[str]
    idf: np.ndarray  # (F,)
    coef: np.ndarray  # (K, F)
    intercept: np.ndarray  # (K,)
    platt_a: np.ndarray  # (K,)
    platt_b: np.ndarray  # (K,)
    document: DocumentModel | None = None
    card: dict | None = None

    @cached_property
    def index(self) -> dict[str, int]:
        return {feature: i for i, feature in enumerate(self.features)}

    @cached_property
    def weights(self) -> np.ndarray:
        return (self.coef * self.idf).T.copy()  # (F, K): idf folded in, one gather per feature

    # --- persistence -------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        if self.document is None:
            raise ValueError("a model file needs its document model (framing train --real)")
        return {**self._sentence_arrays(), **self.document.arrays()}

    def _sentence_arrays(self) -> dict[str, np.ndarray]:
        return {
            "features": features_blob(self.features),
            "frames": np.asarray(self.frames, dtype=str),
            "idf": np.asarray(self.idf, dtype=np.float64),
            "coef": np.asarray(self.coef, dtype=np.float64),
            "intercept": np.asarray(self.intercept, dtype=np.float64),
            "platt_a": np.asarray(self.platt_a, dtype=np.float64),
            "platt_b": np.asarray(self.platt_b, dtype=np.float64),
        }

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = self.arrays()
        path = directory / "model.npz"
        np.savez_compressed(path, format=np.array(FORMAT), digest=np.array(arrays_digest(arrays)), **arrays)
        if self.card is not None:
            (directory / "model_card.json").write_text(
                json.dumps(self.card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> LinearModel:
        """Load `model.npz` (or a folder holding it); any damage raises FramingError naming the file."""
        path = Path(path) if path is not None else builtin_model_dir()
        if path.is_dir():
            path = path / "model.npz"
        where = str(path)
        if not path.exists():
            raise FramingError(where, "no such model file")
        if not path.is_file():
            raise FramingError(where, "not a regular file")
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise FramingError(
                where, f"file too large for a model ({size / 2**20:.0f} MB > {MAX_MODEL_BYTES // 2**20} MB)"
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                found = str(data["format"]) if "format" in data else None
                if found == "framing-linear/1":
                    raise FramingError(
                        where, "model of an older format without a document model: rebuild it with `framing train`"
                    )
                if found not in READABLE_FORMATS:
                    raise FramingError(where, f"not a framing model (expected format {FORMAT})")
                arrays = {name: data[name] for name in ARRAYS}
                digest = str(data["digest"])
        except FramingError:
            raise
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            reason = (
                "contains pickled objects, which are never loaded" if "allow_pickle" in str(exc) else type(exc).__name__
            )
            raise FramingError(
                where, f"unreadable or corrupted model file: not an .npz of plain arrays ({reason})"
            ) from None
        if arrays_digest(arrays) != digest:
            raise FramingError(where, "model file content does not match its digest (tampered or corrupted)")
        k, f = arrays["coef"].shape if arrays["coef"].ndim == 2 else (-1, -1)
        features = read_features(arrays["features"])
        shapes_ok = (
            len(features) == f
            and arrays["idf"].shape == (f,)
            and arrays["frames"].shape == (k,)
            and all(arrays[n].shape == (k,) for n in ("intercept", "platt_a", "platt_b"))
        )
        document = DocumentModel.from_arrays(arrays)
        finite = all(np.isfinite(arrays[n]).all() for n in ARRAYS if n not in ("features", "frames", "doc_frames"))
        if not shapes_ok or not document.shapes_ok() or not finite:
            raise FramingError(where, "model arrays have inconsistent shapes or non-finite values")
        card = None
        card_path = path.with_name("model_card.json")
        if card_path.exists():
            try:
                card = json.loads(card_path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                card = None  # the card documents the model; predictions do not depend on it
        return cls(
            features=features,
            frames=arrays["frames"].tolist(),
            idf=arrays["idf"],
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            platt_a=arrays["platt_a"],
            platt_b=arrays["platt_b"],
            document=document,
            card=card,
        )

    # --- prediction --------------------------------------------------------------------------
    @cached_property
    def coder(self) -> SentenceCoder:
        """Feature codes per lemma (framing.features.SentenceCoder): what the analyzer predicts with."""
        from .features import SentenceCoder

        return SentenceCoder(self.index)

    def decision(self, units: list[list[str]]) -> np.ndarray:
        """Raw linear scores (n_units, K) for lists of feature strings, vectorised over all units."""
        index = self.index
        rows: list[int] = []
        cols: list[int] = []
        for row, feats in enumerate(units):
            for feat in feats:
                col = index.get(feat)
                if col is not None:
                    rows.append(row)
                    cols.append(col)
        return self._scores(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), len(units))

    def _scores(self, rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
        """Linear scores (n, K) of n units from their feature occurrences (row, column), in any order."""
        k = len(self.frames)
        scores = np.tile(self.intercept, (n, 1))
        if not len(rows):
            return scores
        f = len(self.features)
        keys, counts = np.unique(rows * f + cols, return_counts=True)
        r, c = keys // f, keys % f
        values = counts * self.idf[c]
        norms = np.sqrt(np.bincount(r, weights=values * values, minlength=n))
        values = counts / norms[r]  # idf is folded into self.weights
        contributions = self.weights[c] * values[:, None]
        for j in range(k):
            scores[:, j] += np.bincount(r, weights=contributions[:, j], minlength=n)
        return scores

    def predict_proba(self, units: list[list[str]]) -> np.ndarray:
        """Calibrated probability per unit and frame, shape (n_units, K), values in [0, 1]; 0 for empty units."""
        return self._calibrated(self.decision(units), np.array([bool(unit) for unit in units], dtype=bool))

    def predict_coded(self, around: CodedUnits, lo: int, hi: int, weights: list[dict[str, float]]) -> np.ndarray:
        """`predict_proba` of units lo..hi-1 of coded units (their neighbours in `around` are context), with the
        lexicon weights of those units: the same features and the same arithmetic, from integer codes."""
        rows, cols, has_features = self.coder.columns(around, lo, hi, weights)
        return self._calibrated(self._scores(rows, cols, hi - lo), has_features)

    def predict_units(
        self, around: CodedUnits | LemmaUnits, lo: int, hi: int, weights: list[dict[str, float]]
    ) -> np.ndarray:
        """Probabilities of units lo..hi-1 of `around` (the others are their context), from codes or from lemmas."""
        if isinstance(around, LemmaUnits):
            from .features import unit_features

            padded = [{}] * lo + weights + [{}] * (around.n - hi)
            return self.predict_proba(unit_features(around.lemmas, padded)[lo:hi])
        return self.predict_coded(around, lo, hi, weights)

    @property
    def has_coder(self) -> bool:
        """Whether `coder` is built already (it is a cached property)."""
        return "coder" in vars(self)

    def _calibrated(self, scores: np.ndarray, has_features: np.ndarray) -> np.ndarray:
        z = scores * self.platt_a + self.platt_b
        probs = 1.0 / (1.0 + np.exp(-z))
        probs[~has_features] = 0.0
        return probs
