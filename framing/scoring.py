"""Per-frame document scores from lexicon hits and classifier probabilities (formulas in the README).

lexicon    = sat(per_1k, 8) · sat(weighted, m_lex)               per_1k = 1000 · weighted / tokens
classifier = sat(share, 0.12) · sat(mass, m_cls)                 mass = Σ p over sentences with p ≥ 0.5,
                                                                 share = mass / sentences
m_lex = max(0.5, 1.5 · min(1, tokens / 150)),  m_cls = max(0.4, 1.0 · min(1, sentences / 8)):
the evidence a frame needs shrinks for short texts (a headline has room for one sentence only)
combined   = 0.5 · lexicon + 0.5 · classifier
sat(x, s)  = 1 − exp(−x / s)  (saturates: more evidence helps less and less, stays in [0, 1])

A frame is present when its score ≥ PRESENT; the dominant frame is the present frame with the
highest score — in combined mode the highest classifier score (`dominant_frame`); None when no frame
is present.
"""

from __future__ import annotations

import math

import numpy as np

from .results import ClassifierScore, FrameResult, LexiconScore

MODES = ("lexicon", "classifier", "combined")
PRESENT = {"lexicon": 0.3, "classifier": 0.3, "combined": 0.4}
SENTENCE_PROB = 0.5  # a sentence carries a frame for the classifier at p ≥ this
LEXICON_DENSITY_SCALE = 8.0
LEXICON_MASS_SCALE = 1.5
LEXICON_MASS_FLOOR = 0.5
FULL_LENGTH_TOKENS = 150
CLASSIFIER_SHARE_SCALE = 0.12
CLASSIFIER_MASS_SCALE = 1.0
CLASSIFIER_MASS_FLOOR = 0.4
FULL_LENGTH_SENTENCES = 8


def saturate(x: float, scale: float) -> float:
    return 1.0 - math.exp(-x / scale)


def lexicon_score(weights: list[float], tokens: int) -> LexiconScore:
    weighted = float(sum(weights))
    per_1k = 1000.0 * weighted / tokens if tokens else 0.0
    mass_scale = max(LEXICON_MASS_FLOOR, LEXICON_MASS_SCALE * min(1.0, tokens / FULL_LENGTH_TOKENS))
    score = saturate(per_1k, LEXICON_DENSITY_SCALE) * saturate(weighted, mass_scale)
    return LexiconScore(hits=len(weights), weighted=round(weighted, 4), per_1k=round(per_1k, 3), score=round(score, 4))


def classifier_score(probs: np.ndarray) -> ClassifierScore:
    """`probs`: this frame's probability for each sentence of the document."""
    if probs.size == 0:
        return ClassifierScore(0.0, 0.0, 0, 0.0)
    carrying = probs[probs >= SENTENCE_PROB]
    mass = float(carrying.sum())
    share = mass / probs.size
    mass_scale = max(CLASSIFIER_MASS_FLOOR, CLASSIFIER_MASS_SCALE * min(1.0, probs.size / FULL_LENGTH_SENTENCES))
    score = saturate(share, CLASSIFIER_SHARE_SCALE) * saturate(mass, mass_scale)
    return ClassifierScore(
        mean_prob=round(float(probs.mean()), 4),
        top_prob=round(float(probs.max()), 4),
        sentences=int(carrying.size),
        score=round(score, 4),
    )


def combine(mode: str, lexicon: LexiconScore, classifier: ClassifierScore | None) -> float:
    """The frame's score in the chosen mode; a frame the model does not know falls back to the lexicon."""
    if mode == "lexicon" or classifier is None:
        return lexicon.score
    if mode == "classifier":
        return classifier.score
    return round(0.5 * lexicon.score + 0.5 * classifier.score, 4)


def dominant_frame(results: list[FrameResult], mode: str) -> str | None:
    """The present frame that carries the most of the text, None when no frame is present.

    Combined mode decides *whether* a frame is present from both components, but *which* present frame
    dominates by the classifier score (the share of sentences carrying the frame): on every coded set
    (development, held-out, challenge) that picks the dominant frame at least as often as the combined
    score, which the lexicon's term density can tip towards a frame named often in a few sentences.
    """
    present = [r for r in results if r.present]
    if not present:
        return None

    def primary(r: FrameResult) -> float:
        return (r.classifier.score if r.classifier else r.lexicon.score) if mode == "combined" else r.score

    return min(present, key=lambda r: (-primary(r), -r.score, r.id)).id  # ties: higher score, then id
