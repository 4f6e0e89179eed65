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
class CompiledTerm:
    frame: int
    term: Term
    words: tuple[int, ...]
    exclude: tuple[tuple[int, ...], ...]
    require: tuple[tuple[int, ...], ...]
    boost: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class TokenHit:
    """A hit in token positions (indices into the Doc); `sentence` is the razdel sentence index."""

    frame: int
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
        self.lexicons = lexicons

        def ids(phrase: str) -> tuple[int, ...]:
            return tuple(strings.add(word) for word in phrase.split())

        self.index: dict[int, list[CompiledTerm]] = {}
        for frame_index, frame in enumerate(lexicons.frames):
            for term in frame.terms:
                compiled = CompiledTerm(
                    frame_index,
                    term,
                    ids(term.lemma),
                    tuple(ids(p) for p in lexicons.expand(term.exclude)),
                    tuple(ids(p) for p in lexicons.expand(term.require)),
                    tuple(ids(p) for p in lexicons.expand(term.boost)) if term.boosted else (),
                )
                self.index.setdefault(compiled.words[0], []).append(compiled)

    def match(self, doc: Doc) -> list[TokenHit]:
        """Hits in text order. Where terms of one frame overlap, the longest wins (then the leftmost)."""
        columns = doc.to_array([LEMMA, IS_SPACE])
        positions = np.flatnonzero(columns[:, 1] == 0).tolist()
        seq = columns[positions, 0].tolist()
        sentence_of = doc._.token_sentence[positions].tolist()
        index = self.index
        candidates: list[tuple[int, int, CompiledTerm, float]] = []  # (start, width, term, weight)
        n = len(seq)
        for i, lemma in enumerate(seq):
            for cand in index.get(lemma, ()):
                width = len(cand.words)
                if i + width > n or (width > 1 and tuple(seq[i : i + width]) != cand.words):
                    continue
                if sentence_of[i + width - 1] != sentence_of[i]:
                    continue
                weight = cand.term.weight
                if cand.exclude or cand.require or cand.boost:
                    lo, hi = self._window(cand, sentence_of, i, width)
                    if any(_contains(seq, lo, hi, phrase) for phrase in cand.exclude):
                        continue
                    if cand.require and not any(_contains(seq, lo, hi, phrase) for phrase in cand.require):
                        continue
                    if cand.boost and any(_contains(seq, lo, hi, phrase) for phrase in cand.boost):
                        weight = max(weight, cand.term.boosted)
                candidates.append((i, width, cand, weight))
        taken: set[tuple[int, int]] = set()  # (frame, position) covered by an accepted hit
        accepted = []
        for i, width, cand, weight in sorted(candidates, key=lambda c: (-c[1], c[0])):
            if any((cand.frame, j) in taken for j in range(i, i + width)):
                continue
            taken.update((cand.frame, j) for j in range(i, i + width))
            accepted.append(TokenHit(cand.frame, cand.term, positions[i], positions[i + width - 1] + 1, sentence_of[i], weight))
        accepted.sort(key=lambda h: (h.start, h.frame))
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
