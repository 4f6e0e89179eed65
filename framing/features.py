"""Classifier features: lemma unigrams and bigrams per sentence, plus flags for the lexicon's hits.

The same functions feed training and prediction, so the exported linear model sees exactly the
features it was trained on. The lexicon flags (`__lex_<frame>`: some hit, `__lexstrong_<frame>`:
hits weighing ≥ 0.5) let the model learn how far to trust the curated terms in context; they add
2–3 points of cross-validated F1 (ablation in data/train/README.md).

Function words (spaCy's Russian stop list, ё folded, less a few that carry relations) are not features:
a model trained on written sentences had learned «и», «не», «наш» as frame cues, so that «и» alone
was a partnership text. A unit with fewer than MIN_CONTENT_WORDS content words gets no features at all,
and the classifier gives such a unit probability 0: one word is not a frame for the classifier.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import LEMMA
from spacy.lang.ru.stop_words import STOP_WORDS
from spacy.tokens import Doc

from .normalize import fold_yo

NUMBER = "<num>"
RELATION_WORDS = {"между", "взаимно", "вместе", "против", "вопреки", "наперекор", "независимо", "благодаря"}
FUNCTION_WORDS = frozenset(fold_yo(word) for word in STOP_WORDS) - RELATION_WORDS
MIN_CONTENT_WORDS = 2


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


def content_lemmas(lemmas: list[str]) -> list[str]:
    return [lemma for lemma in lemmas if lemma not in FUNCTION_WORDS and lemma != NUMBER]


CONTEXT = "ctx:"  # prefix of the content words of the neighbouring sentences
CONTEXT_WIDTH = 1  # one sentence either side: a frame is often carried by a short run of sentences


def unit_features(lemma_units: list[list[str]], weights_per_unit: list[dict[str, float]],
                  neighbours: list[list[int]] | None = None) -> list[list[str]]:
    """Feature strings per unit: content-lemma uni/bigrams, lexicon flags and the neighbours' content words
    (`neighbours[i]`: indexes of unit i's neighbouring units; by default the adjacent units of the list);
    [] for a unit of fewer than MIN_CONTENT_WORDS content words. Coders label a sentence read in its article,
    so the sentence before and after are part of what the classifier sees."""
    contents = [content_lemmas(lemmas) for lemmas in lemma_units]
    if neighbours is None:
        neighbours = adjacent(len(contents))
    units = []
    for i, (content, weights) in enumerate(zip(contents, weights_per_unit)):
        if len(content) < MIN_CONTENT_WORDS:
            units.append([])
            continue
        context = [CONTEXT + lemma for j in neighbours[i] for lemma in contents[j]]
        units.append(ngrams(content) + lexicon_flags(weights) + context)
    return units


def adjacent(n: int, width: int = CONTEXT_WIDTH) -> list[list[int]]:
    return [[j for j in range(i - width, i + width + 1) if j != i and 0 <= j < n] for i in range(n)]
