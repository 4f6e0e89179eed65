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
        for candidates in self.index.values():
            candidates.sort(key=lambda c: -len(c.words))

    def match(self, doc: Doc) -> list[TokenHit]:
        """All hits, longest match first per frame; a shorter term inside a longer hit of its frame is dropped."""
        columns = doc.to_array([LEMMA, IS_SPACE])
        positions = np.flatnonzero(columns[:, 1] == 0).tolist()
        seq = columns[positions, 0].tolist()
        token_sentence = doc._.token_sentence
        sentence_of = token_sentence[positions].tolist()
        index = self.index
        found: list[TokenHit] = []
        taken: set[tuple[int, int]] = set()  # (frame, position) covered by an accepted hit
        n = len(seq)
        for i, lemma in enumerate(seq):
            candidates = index.get(lemma)
            if not candidates:
                continue
            for cand in candidates:
                width = len(cand.words)
                if i + width > n or (width > 1 and tuple(seq[i : i + width]) != cand.words):
                    continue
                sentence = sentence_of[i]
                if sentence_of[i + width - 1] != sentence:
                    continue
                if any((cand.frame, j) in taken for j in range(i, i + width)):
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
                taken.update((cand.frame, j) for j in range(i, i + width))
                found.append(TokenHit(cand.frame, cand.term, positions[i], positions[i + width - 1] + 1, sentence, weight))
        return found

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
