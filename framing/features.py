"""Classifier features: lemma unigrams and bigrams per sentence, plus flags for the lexicon's hits.

The same functions feed training and prediction, so the exported linear model sees exactly the
features it was trained on. The lexicon flags (`__lex_<frame>`: some hit, `__lexstrong_<frame>`:
hits weighing ≥ 0.5) let the model learn how far to trust the curated terms in context; they add
2–3 points of cross-validated F1 (ablation in data/train/README.md).
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import LEMMA
from spacy.tokens import Doc

NUMBER = "<num>"


def sentence_lemmas(doc: Doc, whole: bool = False) -> list[list[str]]:
    """Lemmas of word tokens per razdel sentence (or of the whole doc as one unit when `whole`)."""
    is_word = doc._.is_word
    lemmas = doc.to_array(LEMMA).tolist()
    strings = doc.vocab.strings
    n_units = 1 if whole else len(doc._.sentences)
    units: list[list[str]] = [[] for _ in range(n_units)]
    sentence_of = doc._.token_sentence.tolist()
    for i in np.flatnonzero(is_word).tolist():
        unit = 0 if whole else sentence_of[i]
        if unit < 0:
            continue
        lemma = strings[lemmas[i]]
        units[unit].append(NUMBER if lemma.isdigit() else lemma)
    return units


def ngrams(lemmas: list[str]) -> list[str]:
    """Unigrams and bigrams, the model's feature strings."""
    return lemmas + [f"{a} {b}" for a, b in zip(lemmas, lemmas[1:])]


STRONG = 0.5


def lexicon_flags(weights: dict[str, float]) -> list[str]:
    """Feature tokens for one unit from its summed lexicon weight per frame id."""
    flags = []
    for frame_id, weight in weights.items():
        flags.append(f"__lex_{frame_id}")
        if weight >= STRONG:
            flags.append(f"__lexstrong_{frame_id}")
    return flags


def unit_features(lemma_units: list[list[str]], weights_per_unit: list[dict[str, float]]) -> list[list[str]]:
    return [ngrams(lemmas) + lexicon_flags(weights) for lemmas, weights in zip(lemma_units, weights_per_unit)]
