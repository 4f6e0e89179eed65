"""The document-level decision: a small learned model turns a frame's components into a probability.

A coder's question is "is this frame a developed strand (code ≥ 2) of the article?". The lexicon and the
sentence classifier each give evidence; how much each is worth, and where the line falls, was set by hand
before (½·lexicon + ½·classifier ≥ 0.4) and did not carry to real news. Here a logistic regression per
frame and mode, fitted on the hand-coded real development articles (data/real/, `framing train --real`),
maps standardised document features to P(code ≥ 2). The frame is present at P ≥ `PRESENT`; the dominant
frame is the present frame with the highest P. The features are few and named (`FEATURES`), so the
coefficients in the model card read as "how much each component counts".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .results import ClassifierScore, FrameResult, LexiconScore

PRESENT = 0.5  # default presence threshold on P(code ≥ 2); the model file holds a tuned one per mode and frame

LEXICON_FEATURES = ("lex_weighted", "lex_density", "lex_score", "lex_window")
CLASSIFIER_FEATURES = ("cls_share", "cls_mass", "cls_top", "cls_top3", "cls_lead", "cls_score", "cls_window")
# Every coefficient is fitted ≥ 0 (framing.train): more evidence, or more text to carry it, never lowers a
# probability. A free length coefficient came out negative, and one short neutral sentence got a frame from the prior.
FEATURES = {
    "lexicon": (*LEXICON_FEATURES, "length"),
    "classifier": (*CLASSIFIER_FEATURES, "length"),
    "combined": (*LEXICON_FEATURES, *CLASSIFIER_FEATURES, "length"),
}


def feature_values(lexicon: LexiconScore, classifier: ClassifierScore | None, tokens: int) -> dict[str, float]:
    """Every named document feature of one frame (log-scaled where the raw value is a count)."""
    c = classifier or ClassifierScore(0.0, 0.0, 0, 0.0)
    return {
        "lex_weighted": math.log1p(lexicon.weighted),
        "lex_density": math.log1p(lexicon.per_1k),
        "lex_score": lexicon.score,
        "lex_window": math.log1p(lexicon.window),
        "cls_share": c.share,
        "cls_mass": math.log1p(c.mass),
        "cls_top": c.top_prob,
        "cls_top3": c.top3_prob,
        "cls_lead": c.lead_prob,
        "cls_score": c.score,
        "cls_window": math.log1p(c.window),
        "length": math.log1p(tokens),
    }


@dataclass
class DocumentModel:
    """Per mode: standardisation (mean, scale) and logistic coefficients per frame, as plain arrays."""

    frames: list[str]
    mean: dict[str, np.ndarray]  # mode → (D,)
    scale: dict[str, np.ndarray]  # mode → (D,)
    coef: dict[str, np.ndarray]  # mode → (K, D)
    intercept: dict[str, np.ndarray]  # mode → (K,)
    threshold: dict[str, np.ndarray]  # mode → (K,): P at which the frame is present (best F1 out of fold)

    def present_at(self, mode: str, frame: str) -> float:
        return float(self.threshold[mode][self.frames.index(frame)]) if frame in self.frames else PRESENT

    def probability(self, mode: str, frame: str, values: dict[str, float]) -> float | None:
        """P(code ≥ 2) for one frame, None for a frame the model was not fitted on."""
        if frame not in self.frames:
            return None
        k = self.frames.index(frame)
        x = (np.array([values[name] for name in FEATURES[mode]]) - self.mean[mode]) / self.scale[mode]
        z = float(x @ self.coef[mode][k] + self.intercept[mode][k])
        return 1.0 / (1.0 + math.exp(-z))

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"doc_frames": np.asarray(self.frames, dtype=str)}
        for mode in FEATURES:
            out[f"doc_{mode}_mean"] = np.asarray(self.mean[mode], dtype=np.float64)
            out[f"doc_{mode}_scale"] = np.asarray(self.scale[mode], dtype=np.float64)
            out[f"doc_{mode}_coef"] = np.asarray(self.coef[mode], dtype=np.float64)
            out[f"doc_{mode}_intercept"] = np.asarray(self.intercept[mode], dtype=np.float64)
            out[f"doc_{mode}_threshold"] = np.asarray(self.threshold[mode], dtype=np.float64)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> DocumentModel:
        modes = list(FEATURES)
        return cls(
            frames=arrays["doc_frames"].tolist(),
            mean={m: arrays[f"doc_{m}_mean"] for m in modes},
            scale={m: arrays[f"doc_{m}_scale"] for m in modes},
            coef={m: arrays[f"doc_{m}_coef"] for m in modes},
            intercept={m: arrays[f"doc_{m}_intercept"] for m in modes},
            threshold={m: arrays[f"doc_{m}_threshold"] for m in modes},
        )

    def shapes_ok(self) -> bool:
        k = len(self.frames)
        return all(
            self.mean[m].shape == (len(names),)
            and self.scale[m].shape == (len(names),)
            and self.coef[m].shape == (k, len(names))
            and self.intercept[m].shape == (k,)
            and self.threshold[m].shape == (k,)
            and bool(np.all(self.scale[m] > 0))
            for m, names in FEATURES.items()
        )


def array_names() -> tuple[str, ...]:
    return (
        "doc_frames",
        *(f"doc_{m}_{part}" for m in FEATURES for part in ("mean", "scale", "coef", "intercept", "threshold")),
    )


def decide(model: DocumentModel | None, mode: str, frame: str, lexicon: LexiconScore,
           classifier: ClassifierScore | None, tokens: int) -> tuple[float, float]:
    """The frame's score in `mode` — P(code ≥ 2) from the document model — and whether it is present. A frame
    the model was not fitted on (a user's own lexicon frame) falls back to its lexicon component, the only
    evidence there is for it. Returns (score, threshold): the frame is present when score ≥ threshold."""
    probability = None if model is None else model.probability(mode, frame, feature_values(lexicon, classifier, tokens))
    if probability is None:
        return lexicon.score, PRESENT
    return round(probability, 4), model.present_at(mode, frame)


def claims_frames(language: str) -> bool:
    """Frames are claimed only for Russian text: elsewhere the components stay visible, the score is 0."""
    return language == "ru"


def frame_verdict(model: DocumentModel | None, mode: str, frame: str, lexicon: LexiconScore,
                  classifier: ClassifierScore | None, tokens: int, language: str) -> tuple[float, bool, float]:
    """(score, present, threshold) of one frame in `mode`: `decide`, then no frame for text that is not Russian."""
    score, threshold = decide(model, mode, frame, lexicon, classifier, tokens)
    claimed = claims_frames(language)
    score = score if claimed else 0.0
    return score, claimed and score >= threshold, threshold


def dominant_frame(results: list[FrameResult]) -> str | None:
    """The present frame with the highest probability, None when no frame is present. Ties (a long text can make
    the model certain of two frames) go to the frame with more evidence in its components, then by id."""
    present = [r for r in results if r.present]

    def evidence(r: FrameResult) -> float:
        return r.lexicon.score + (r.classifier.score if r.classifier else 0.0)

    return min(present, key=lambda r: (-r.score, -evidence(r), r.id)).id if present else None
