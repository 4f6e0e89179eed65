"""Classifier features from a lemmatized Doc: lemma unigrams and bigrams per sentence.

The same function feeds training and prediction, so the exported linear model sees exactly the
features it was trained on.
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
