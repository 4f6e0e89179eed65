"""Match lexicon terms on lemma sequences (integer lemma hashes), with per-term context rules.

Like spaCy's PhraseMatcher on LEMMA, but with the disambiguation the lexicons carry as data:
`exclude` phrases near a hit drop it, `require` phrases must be near it, both within the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_SPACE, LEMMA
from spacy.strings import StringStore
from spacy.tokens import Doc

from .lexicon import LexiconSet, Term


@dataclass(frozen=True)
class Context:
    """Context phrases as lemma ids: one-word phrases in a set (one intersection per window, however many
    there are — context lists like @state hold a hundred words), longer phrases scanned for."""

    words: frozenset[int]
    phrases: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, phrases: list[tuple[int, ...]]) -> Context:
        return cls(frozenset(p[0] for p in phrases if len(p) == 1), tuple(p for p in phrases if len(p) > 1))

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def found(self, seq: list[int], lo: int, hi: int, window: set[int]) -> bool:
        return not self.words.isdisjoint(window) or any(_contains(seq, lo, hi, phrase) for phrase in self.phrases)


@dataclass(frozen=True)
class CompiledTerm:
    frame: int
    term: Term
    words: tuple[int, ...]
    exclude: Context
    require: Context
    boost: Context


@dataclass(frozen=True)
class TokenHit:
    """A hit in token positions (indices into the Doc); `sentence` is the razdel sentence index and
    `frame_index` the frame's position in the lexicon set (results.Hit carries the frame's id)."""

    frame_index: int
    term: Term
    start: int
    end: int
    sentence: int
    weight: float


def _contains(seq: list[int], lo: int, hi: int, phrase: tuple[int, ...]) -> bool:
    n = len(phrase)
    first = phrase[0]
    for i in range(lo, hi - n + 1):
        if seq[i] == first and tuple(seq[i : i + n]) == phrase:
            return True
    return False


class LexiconMatcher:
    """Compiled once per lexicon set; `match(doc)` is a dict lookup per token plus work at candidate hits."""

    def __init__(self, lexicons: LexiconSet, strings: StringStore) -> None:
        known: dict[str, tuple[int, ...]] = {}  # context lists repeat across terms: each phrase is hashed once

        def ids(phrase: str) -> tuple[int, ...]:
            if phrase not in known:
                known[phrase] = tuple(strings.add(word) for word in phrase.split())
            return known[phrase]

        contexts: dict[tuple[str, ...], Context] = {}  # and so do whole context specs ("@state"): built once each

        def context(phrases: tuple[str, ...]) -> Context:
            if phrases not in contexts:
                contexts[phrases] = Context.of([ids(p) for p in lexicons.expand(phrases)])
            return contexts[phrases]

        self.index: dict[int, list[CompiledTerm]] = {}
        for frame_index, frame in enumerate(lexicons.frames):
            for term in frame.terms:
                compiled = CompiledTerm(
                    frame_index,
                    term,
                    ids(term.lemma),
                    context(term.exclude),
                    context(term.require),
                    context(term.boost if term.boosted else ()),
                )
                self.index.setdefault(compiled.words[0], []).append(compiled)
        self.first_words = np.array(sorted(self.index), dtype=np.uint64)  # lemma hashes that start some term

    def match(self, doc: Doc) -> list[TokenHit]:
        """Hits in text order. Where terms of one frame overlap, the longest wins (then the leftmost)."""
        columns = doc.to_array([LEMMA, IS_SPACE])
        non_space = np.flatnonzero(columns[:, 1] == 0)
        lemmas = columns[non_space, 0]
        # where a term can start: one binary search per token in the sorted first words, no Python per token
        found = np.searchsorted(self.first_words, lemmas) % max(1, len(self.first_words))
        starts = np.flatnonzero(self.first_words[found] == lemmas).tolist() if len(self.first_words) else []
        positions = non_space.tolist()
        seq = lemmas.tolist()
        sentence_of = doc._.token_sentence[non_space].tolist()
        index = self.index
        candidates: list[tuple[int, int, CompiledTerm, float]] = []  # (start, width, term, weight)
        n = len(seq)
        for i in starts:
            for cand in index[seq[i]]:
                width = len(cand.words)
                if i + width > n or (width > 1 and tuple(seq[i : i + width]) != cand.words):
                    continue
                if sentence_of[i + width - 1] != sentence_of[i]:
                    continue
                weight = cand.term.weight
                if cand.exclude or cand.require or cand.boost:
                    lo, hi = self._window(cand, sentence_of, i, width)
                    window = set(seq[lo:hi])
                    if cand.exclude and cand.exclude.found(seq, lo, hi, window):
                        continue
                    if cand.require and not cand.require.found(seq, lo, hi, window):
                        continue
                    if cand.boost and cand.boost.found(seq, lo, hi, window):
                        weight = max(weight, cand.term.boosted)
                candidates.append((i, width, cand, weight))
        taken: set[tuple[int, int]] = set()  # (frame, position) covered by an accepted hit
        accepted = []
        for i, width, cand, weight in sorted(candidates, key=lambda c: (-c[1], c[0])):
            if any((cand.frame, j) in taken for j in range(i, i + width)):
                continue
            taken.update((cand.frame, j) for j in range(i, i + width))
            accepted.append(
                TokenHit(cand.frame, cand.term, positions[i], positions[i + width - 1] + 1, sentence_of[i], weight)
            )
        accepted.sort(key=lambda h: (h.start, h.frame_index))
        return accepted

    @staticmethod
    def _window(cand: CompiledTerm, sentence_of: list[int], i: int, width: int) -> tuple[int, int]:
        """Token range [lo, hi) around a hit, `window` tokens either side, clipped to its sentence."""
        sentence = sentence_of[i]
        lo = max(0, i - cand.term.window)
        while sentence_of[lo] != sentence:
            lo += 1
        hi = min(len(sentence_of), i + width + cand.term.window)
        while sentence_of[hi - 1] != sentence:
            hi -= 1
        return lo, hi


def summed_weights(hits: list[TokenHit], frame_ids: list[str], sentences: int | None = None) -> list[dict[str, float]]:
    """Summed hit weight per frame id, for each of `sentences` sentences, or for the whole Doc as one unit
    (None). The classifier's lexicon flags (framing.features) read these, in training and in analysis alike."""
    units: list[dict[str, float]] = [{} for _ in range(1 if sentences is None else sentences)]
    for hit in hits:
        unit = units[0 if sentences is None else hit.sentence]
        frame_id = frame_ids[hit.frame_index]
        unit[frame_id] = unit.get(frame_id, 0.0) + hit.weight
    return units
