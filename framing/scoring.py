"""Per-frame components from lexicon hits and classifier probabilities (formulas in the README).

These hand-set saturating scores are the *components* the report shows and the document model
(framing.decision) takes as features with the raw amounts; the frame's score is the model's probability.

lexicon    = sat(per_1k, 8) · sat(weighted, m_lex)               per_1k = 1000 · weighted / tokens
classifier = sat(share, 0.12) · sat(mass, m_cls)                 mass = Σ p over sentences with p ≥ 0.5,
                                                                 share = mass / sentences
m_lex = max(0.5, 1.5 · min(1, tokens / 150)),  m_cls = max(0.4, 1.0 · min(1, sentences / 8)):
the evidence a frame needs shrinks for short texts (a headline has room for one sentence only)
sat(x, s)  = 1 − exp(−x / s)  (saturates: more evidence helps less and less, stays in [0, 1])
"""

from __future__ import annotations

import math

import numpy as np

from .results import ClassifierScore, LexiconScore

MODES = ("lexicon", "classifier", "combined")
SENTENCE_PROB = 0.5  # a sentence carries a frame for the classifier at p ≥ this
LEXICON_DENSITY_SCALE = 8.0
LEXICON_MASS_SCALE = 1.5
LEXICON_MASS_FLOOR = 0.5
FULL_LENGTH_TOKENS = 150
CLASSIFIER_SHARE_SCALE = 0.12
CLASSIFIER_MASS_SCALE = 1.0
CLASSIFIER_MASS_FLOOR = 0.4
FULL_LENGTH_SENTENCES = 8
LEAD_SENTENCES = 3  # headline and lead: where a news article states its angle
TOP_K = 3
WINDOW_SENTENCES = 5  # about a paragraph: a secondary thread is a few adjacent sentences, not a share of the text


def window_peak(per_sentence: np.ndarray, width: int = WINDOW_SENTENCES) -> float:
    """The largest sum over `width` consecutive sentences (the whole text when shorter)."""
    if per_sentence.size == 0:
        return 0.0
    if per_sentence.size <= width:
        return float(per_sentence.sum())
    sums = np.convolve(per_sentence, np.ones(width), mode="valid")
    return float(sums.max())


def saturate(x: float, scale: float) -> float:
    return 1.0 - math.exp(-x / scale)


def lexicon_score(
    weights: list[float], tokens: int, sentence_of: list[int] | None = None, sentences: int = 0
) -> LexiconScore:
    """`weights`: the frame's hit weights; `sentence_of`: each hit's sentence (for the paragraph-window peak)."""
    weighted = float(sum(weights))
    per_1k = 1000.0 * weighted / tokens if tokens else 0.0
    mass_scale = max(LEXICON_MASS_FLOOR, LEXICON_MASS_SCALE * min(1.0, tokens / FULL_LENGTH_TOKENS))
    score = saturate(per_1k, LEXICON_DENSITY_SCALE) * saturate(weighted, mass_scale)
    per_sentence = np.zeros(max(sentences, 1))
    if sentence_of:
        np.add.at(per_sentence, np.minimum(sentence_of, per_sentence.size - 1), weights)
    return LexiconScore(
        hits=len(weights),
        weighted=round(weighted, 4),
        per_1k=round(per_1k, 3),
        score=round(score, 4),
        window=round(window_peak(per_sentence), 4),
    )


def classifier_score(probs: np.ndarray) -> ClassifierScore:
    """`probs`: this frame's probability for each sentence of the document."""
    if probs.size == 0:
        return ClassifierScore(0.0, 0.0, 0, 0.0)
    carrying = probs[probs >= SENTENCE_PROB]
    mass = float(carrying.sum())
    share = mass / probs.size
    mass_scale = max(CLASSIFIER_MASS_FLOOR, CLASSIFIER_MASS_SCALE * min(1.0, probs.size / FULL_LENGTH_SENTENCES))
    score = saturate(share, CLASSIFIER_SHARE_SCALE) * saturate(mass, mass_scale)
    top = np.sort(probs)[::-1][:TOP_K]
    return ClassifierScore(
        mean_prob=round(float(probs.mean()), 4),
        top_prob=round(float(probs.max()), 4),
        sentences=int(carrying.size),
        score=round(score, 4),
        share=round(share, 4),
        mass=round(mass, 4),
        top3_prob=round(float(top.mean()), 4),
        lead_prob=round(float(probs[:LEAD_SENTENCES].max()), 4),
        window=round(window_peak(np.where(probs >= SENTENCE_PROB, probs, 0.0)), 4),
    )
