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

from dataclasses import dataclass

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


# --- the same features as integer codes, for prediction -----------------------------------------------------------
NOT_CONTENT = -1  # code of a function word or number: not in the content sequence at all
UNKNOWN_CONTENT = 0  # code of a content lemma the model has no feature for: it counts, and breaks bigrams
CODE_CACHE_MAX = 200_000  # lemma hashes remembered by a coder; cleared when full (a cache, so results do not change)


@dataclass
class CodedUnits:
    """Units as the content-lemma codes of a SentenceCoder: what `unit_features` needs, without strings.

    `codes` are the content lemmas of all units in text order, `unit` the unit of each (non-decreasing), `n` the
    number of units (a unit may have no content lemma at all)."""

    codes: np.ndarray  # int64, ≥ 0
    unit: np.ndarray  # int64
    n: int

    @classmethod
    def empty(cls) -> CodedUnits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)

    def take(self, lo: int, hi: int) -> CodedUnits:
        """Units lo..hi-1, renumbered from 0."""
        a, b = np.searchsorted(self.unit, [lo, hi]).tolist()
        return CodedUnits(self.codes[a:b], self.unit[a:b] - lo, hi - lo)

    @classmethod
    def join(cls, parts: list[CodedUnits]) -> CodedUnits:
        offsets = np.cumsum([0] + [p.n for p in parts]).tolist()
        return cls(
            np.concatenate([p.codes for p in parts]),
            np.concatenate([p.unit + offset for p, offset in zip(parts, offsets)]),
            offsets[-1],
        )


@dataclass
class LemmaUnits:
    """Units as lemma strings (`sentence_lemmas`), with the interface of CodedUnits: the prediction path that needs
    no SentenceCoder (building one costs ~0.1–0.2 s, more than a short article's whole analysis)."""

    lemmas: list[list[str]]

    @property
    def n(self) -> int:
        return len(self.lemmas)

    @classmethod
    def empty(cls) -> LemmaUnits:
        return cls([])

    def take(self, lo: int, hi: int) -> LemmaUnits:
        return LemmaUnits(self.lemmas[lo:hi])

    @classmethod
    def join(cls, parts: list[LemmaUnits]) -> LemmaUnits:
        return cls([lemmas for part in parts for lemmas in part.lemmas])


class SentenceCoder:
    """The model's features per distinct lemma, so that a document's sentences become feature columns with numpy.

    Built once from the model's feature strings: every lemma that occurs in a feature gets a code ≥ 1 with its
    unigram column and its context (`ctx:`) column (-1 where the model has none), and each bigram feature becomes
    the integer key code(a)·M + code(b). A lemma of a document is classified once per coder (function word or
    number: NOT_CONTENT; content without features: UNKNOWN_CONTENT) and remembered by its hash. The columns found
    are exactly those `unit_features` + `LinearModel.index` give (tests/test_optimizations.py).
    """

    def __init__(self, index: dict[str, int]) -> None:
        self.index = index
        codes: dict[str, int] = {}
        bigrams: list[tuple[str, str, int]] = []
        for feature, column in index.items():
            first, space, second = feature.partition(" ")
            if space:  # lemmas never hold a space (tokens do not), so this is a bigram feature
                bigrams.append((first, second, column))
                codes.setdefault(first, len(codes) + 1)
                codes.setdefault(second, len(codes) + 1)
            else:
                codes.setdefault(feature[len(CONTEXT) :] if feature.startswith(CONTEXT) else feature, len(codes) + 1)
        self.codes = codes
        self.width = len(codes) + 1  # M: codes are 0..M-1
        lemmas = [""] + list(codes)  # code 0 (UNKNOWN_CONTENT) has no columns
        self.unigram = np.array([index.get(lemma, -1) if lemma else -1 for lemma in lemmas], dtype=np.int64)
        self.context = np.array([index.get(CONTEXT + lemma, -1) if lemma else -1 for lemma in lemmas], dtype=np.int64)
        keys = np.array([codes[a] * self.width + codes[b] for a, b, _ in bigrams], dtype=np.int64)
        order = np.argsort(keys)
        self.bigram_keys = keys[order]
        self.bigram_columns = np.array([c for _, _, c in bigrams], dtype=np.int64)[order]
        self.cache: dict[int, int] = {}  # lemma hash → code

    def code(self, lemma: str) -> int:
        if lemma.isdigit() or lemma in FUNCTION_WORDS:  # what `content_lemmas` drops (a number is NUMBER first)
            return NOT_CONTENT
        return self.codes.get(lemma, UNKNOWN_CONTENT)

    def encode(self, doc: Doc) -> CodedUnits:
        """The Doc's razdel sentences as coded units (the content lemmas `sentence_lemmas` + `content_lemmas` give)."""
        n = len(doc._.sentences)
        word = doc._.is_word & (doc._.token_sentence >= 0)
        hashes, where = np.unique(doc.to_array(LEMMA)[word], return_inverse=True)
        cache, strings = self.cache, doc.vocab.strings
        if len(cache) > CODE_CACHE_MAX:
            cache.clear()
        lemmas = hashes.tolist()
        distinct = list(map(cache.get, lemmas))  # C-level loop; None only for lemmas new to this coder
        if None in distinct:
            distinct = [code if code is not None else cache.setdefault(h, self.code(strings[h]))
                        for h, code in zip(lemmas, distinct)]
        codes = np.array(distinct, dtype=np.int64)[where]
        content = codes >= 0
        return CodedUnits(codes[content], doc._.token_sentence[word][content].astype(np.int64), n)

    def columns(
        self, around: CodedUnits, lo: int, hi: int, weights: list[dict[str, float]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns) of the features of units lo..hi-1 of `around` (rows from 0), as `unit_features` over
        `around` with `weights` for those units, and which of them have features at all (≥ MIN_CONTENT_WORDS)."""
        codes, unit = around.codes, around.unit
        eligible = np.bincount(unit, minlength=around.n) >= MIN_CONTENT_WORDS
        eligible[:lo] = False
        eligible[hi:] = False
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []

        def add(row: np.ndarray, col: np.ndarray) -> None:
            keep = (col >= 0) & eligible[row]
            rows.append(row[keep] - lo)
            cols.append(col[keep])

        add(unit, self.unigram[codes])
        same = unit[1:] == unit[:-1]
        pair_units = unit[1:][same]
        first, second = codes[:-1][same], codes[1:][same]
        known = (first > 0) & (second > 0)
        keys = first[known] * self.width + second[known]
        found = np.searchsorted(self.bigram_keys, keys)
        found[found == len(self.bigram_keys)] = 0
        hit = self.bigram_keys[found] == keys if len(self.bigram_keys) else np.zeros(len(keys), dtype=bool)
        add(pair_units[known][hit], self.bigram_columns[found[hit]])
        context = self.context[codes]
        for step in (-1, 1):  # a unit's words are context for the units either side
            row = unit + step
            inside = (row >= 0) & (row < around.n)
            add(row[inside], context[inside])
        flag_rows, flag_cols = [], []
        for i, unit_weights in enumerate(weights):
            for flag in lexicon_flags(unit_weights):
                column = self.index.get(flag)
                if column is not None:
                    flag_rows.append(lo + i)
                    flag_cols.append(column)
        add(np.array(flag_rows, dtype=np.int64), np.array(flag_cols, dtype=np.int64))
        return np.concatenate(rows), np.concatenate(cols), eligible[lo:hi]
