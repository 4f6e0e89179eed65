"""Is this Russian? The share of Russian words, and a guess at the language when it is not.

Frames are only claimed for Russian text: the lexicons and the classifier know Russian lemmas, and on
Ukrainian, Kazakh or English text they would fire on cognates and names. A *Russian word* is a Cyrillic
word without letters of other Cyrillic alphabets that pymorphy3's dictionary knows (a guess does not
count); the share is over all words with letters (numbers excluded). Names and abbreviations are
unknown even in Russian: Russian articles measured here score 0.91–0.99, one-line Russian texts 0.67
and up, Ukrainian 0.35, Bulgarian 0.50, Kazakh 0.12, English 0. Thresholds (README, "Limits and bad input"):

- `language = "ru"` when Russian words are ≥ RUSSIAN_MIN_SHARE of the words and words of other Cyrillic
  alphabets ≤ FOREIGN_MAX_SHARE; texts under SHORT_TEXT_WORDS words are judged by their letters only,
  since a headline of names and abbreviations has few dictionary words;
- otherwise the most frequent marker decides: "uk" (і ї є ґ), "be" (ў), "kk" (ә ғ қ ң ө ұ ү һ),
  "sr"/"mk" (ђ ј љ њ ћ џ ѓ ќ ѕ), "en" (Latin words with English function words), "latin", or "unknown"
  (mostly digits, symbols or no letters at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import IS_SPACE, LENGTH, LOWER
from spacy.tokens import Doc

RUSSIAN_MIN_SHARE = 0.65
FOREIGN_MAX_SHARE = 0.03
SHORT_TEXT_WORDS = 12
MIN_LETTER_SHARE = 0.3  # of non-space characters; below this the input is mostly not text

MARKERS = {
    "be": set("ў"),  # checked first: Belarusian shares і with Ukrainian and Kazakh
    "uk": set("іїєґ"),
    "kk": set("әғқңөұүһ"),
    "sr": set("ђјљњћџѓќѕ"),
}
ENGLISH_FUNCTION_WORDS = {"the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "was", "are", "by", "it", "as"}
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
RUSSIAN_LETTERS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")

# word classes
RUSSIAN, CYRILLIC_UNKNOWN, LATIN, NUMERIC, OTHER = range(5)


@dataclass
class LanguageCounts:
    """Word counts by class, summed over a document (or its segments)."""

    words: int = 0
    russian: int = 0
    cyrillic: int = 0
    latin: int = 0
    english: int = 0
    letters: int = 0
    non_space: int = 0
    markers: dict[str, int] = field(default_factory=dict)

    def add(self, other: LanguageCounts) -> None:
        for name in ("words", "russian", "cyrillic", "latin", "english", "letters", "non_space"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.markers.items():
            self.markers[code] = self.markers.get(code, 0) + n


@dataclass(frozen=True)
class Language:
    code: str  # "ru", "uk", "be", "kk", "sr", "en", "latin", "unknown"
    russian_share: float  # Russian words / words with letters
    is_russian: bool
    warning: str | None = None


class LanguageCounter:
    """Counts word classes per Doc; each distinct lowercase form is classified once and cached."""

    def __init__(self, morph) -> None:
        self.morph = morph
        self.cache: dict[int, tuple[int, str | None, bool, int]] = {}  # class, marker, English word, letters

    def _classify(self, lower: str) -> tuple[int, str | None, bool]:
        """(class, marker language or None, is an English function word)."""
        if not any(ch.isalpha() for ch in lower):
            return NUMERIC, None, False
        for code, letters in MARKERS.items():
            if any(ch in letters for ch in lower):
                return CYRILLIC_UNKNOWN, code, False
        if _CYRILLIC.search(lower):
            if all(ch in RUSSIAN_LETTERS or not ch.isalpha() for ch in lower) and self.morph.word_is_known(lower.replace("ё", "е")):
                return RUSSIAN, None, False
            return CYRILLIC_UNKNOWN, None, False
        if _LATIN.search(lower):
            return LATIN, None, lower in ENGLISH_FUNCTION_WORDS
        return OTHER, None, False

    def count(self, doc: Doc) -> LanguageCounts:
        """Word classes of one Doc, from its token arrays: no pass over the characters in Python."""
        counts = LanguageCounts()
        if not len(doc):
            return counts
        columns = doc.to_array([LOWER, LENGTH, IS_SPACE])
        counts.non_space = int(columns[columns[:, 2] == 0, 1].sum())  # tokens never mix space and non-space
        hashes, freqs = np.unique(columns[doc._.is_word, 0], return_counts=True)
        strings, cache = doc.vocab.strings, self.cache
        for h, n in zip(hashes.tolist(), freqs.tolist()):
            info = cache.get(h)
            if info is None:
                lower = strings[h]
                info = cache[h] = (*self._classify(lower), sum(ch.isalpha() for ch in lower))
            kind, marker, english, letters = info
            counts.letters += n * letters  # every letter is inside a word token
            if kind == NUMERIC:
                continue
            counts.words += n
            if kind == RUSSIAN:
                counts.russian += n
                counts.cyrillic += n
            elif kind == CYRILLIC_UNKNOWN:
                counts.cyrillic += n
                if marker:
                    counts.markers[marker] = counts.markers.get(marker, 0) + n
            elif kind == LATIN:
                counts.latin += n
                counts.english += english
        return counts


def judge(counts: LanguageCounts) -> Language:
    """The language verdict from counts (thresholds in the module docstring)."""
    share = counts.russian / counts.words if counts.words else 0.0
    share = round(share, 4)
    if counts.non_space and counts.letters < MIN_LETTER_SHARE * counts.non_space or counts.words == 0:
        return Language("unknown", share, False, "mostly not text (few letters)")
    foreign = sum(counts.markers.values())
    if counts.cyrillic >= counts.latin:
        if foreign > FOREIGN_MAX_SHARE * counts.cyrillic:
            code = "be" if counts.markers.get("be") else max(counts.markers, key=counts.markers.get)
            return Language(code, share, False, f"not Russian (looks like {LANGUAGE_NAMES[code]}; {share:.0%} Russian words)")
        if counts.words < SHORT_TEXT_WORDS or share >= RUSSIAN_MIN_SHARE:
            return Language("ru", share, True)
        return Language("unknown", share, False, f"not Russian enough ({share:.0%} Russian words < {RUSSIAN_MIN_SHARE:.0%})")
    code = "en" if counts.english >= 0.05 * counts.latin else "latin"
    return Language(code, share, False, f"not Russian (looks like {LANGUAGE_NAMES[code]}; {share:.0%} Russian words)")


LANGUAGE_NAMES = {
    "ru": "Russian",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "kk": "Kazakh",
    "sr": "Serbian/Macedonian",
    "en": "English",
    "latin": "a Latin-script language",
    "unknown": "unknown",
}
