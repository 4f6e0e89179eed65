"""Is this Russian? The share of Russian words, and a guess at the language when it is not.

Frames are only claimed for Russian text: the lexicons and the classifier know Russian lemmas, and on
Ukrainian, Kazakh or English text they would fire on cognates and names. A *Russian word* is a Cyrillic
word (stress marks and soft hyphens ignored) without letters of other Cyrillic alphabets that pymorphy3's
dictionary knows (a guess does not count); the share is over Cyrillic words and English function words
(Latin-script names in a Russian text do not lower it; numbers are excluded).
Names and abbreviations are unknown even in Russian: Russian articles measured here score 0.91–0.99,
one-line Russian texts 0.67 and up, Ukrainian 0.26–0.35, Bulgarian 0.50, Kazakh 0.12, English 0.
Thresholds (README, "Limits and bad input"):

- texts of SHORT_TEXT_WORDS words or more are Russian when Russian words are ≥ RUSSIAN_MIN_SHARE of the
  words; shorter ones (headlines of names and abbreviations) when they have a Russian word, at least as
  many Russian words as English function words, and letters of other Cyrillic alphabets are at most
  FOREIGN_MAX_SHARE of the Cyrillic letters (a Kazakh name such as Ақорда stays under that);
- otherwise the language is guessed: "be" (ў), "uk" (і ї є ґ), "kk" (ә ғ қ ң ө ұ ү һ), "sr" (ђ ј љ њ ћ џ ѓ ќ ѕ)
  when such letters pass FOREIGN_MAX_SHARE, "en" (Latin words with English function words) or "latin"
  when Latin words outnumber Cyrillic ones, else "unknown"; "unknown" also for input whose non-space
  characters are less than MIN_LETTER_SHARE letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from spacy.attrs import IS_SPACE, LENGTH, LOWER
from spacy.tokens import Doc

from .lemma_table import LemmaTable
from .nlp import DISTINCT_FORMS, PARSED_KNOWN, plain_word

RUSSIAN_MIN_SHARE = 0.65
FOREIGN_MAX_SHARE = 0.03
SHORT_TEXT_WORDS = 12
MIN_LETTER_SHARE = 0.3  # of non-space characters; below this the input is mostly not text

MARKERS = {  # letters that belong to one other Cyrillic alphabet
    "be": set("ў"),
    "uk": set("їєґ"),
    "kk": set("әғқңөұүһ"),
    "sr": set("ђјљњћџѓќѕ"),
}
SHARED_MARKER = "і"  # Ukrainian, Belarusian and Kazakh alike: counts as foreign, names no language
ENGLISH_FUNCTION_WORDS = {
    "the",
    "and",
    "of",
    "to",
    "in",
    "is",
    "that",
    "for",
    "with",
    "on",
    "was",
    "are",
    "by",
    "it",
    "as",
}
MARKER_LETTERS = frozenset(SHARED_MARKER).union(*MARKERS.values())
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
RUSSIAN_LETTERS = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")  # all Cyrillic letters, none a marker letter

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
    cyrillic_letters: int = 0
    markers: dict[str, int] = field(default_factory=dict)  # letters of other Cyrillic alphabets, by language

    def add(self, other: LanguageCounts) -> None:
        for name in ("words", "russian", "cyrillic", "latin", "english", "letters", "non_space", "cyrillic_letters"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.markers.items():
            self.markers[code] = self.markers.get(code, 0) + n


@dataclass(frozen=True)
class Language:
    code: str  # "ru", "uk", "be", "kk", "sr", "en", "latin", "unknown"
    russian_share: float  # Russian words / (Cyrillic words + English function words)
    is_russian: bool
    warning: str | None = None


class WordInfo(NamedTuple):
    """The class of one distinct form (a tuple: built and hashed once per new form, in C)."""

    kind: int
    letters: int
    cyrillic_letters: int = 0
    marker: str | None = None  # language of the other-Cyrillic letters in the word (or SHARED_MARKER)
    marker_letters: int = 0
    english: bool = False  # an English function word


# Distinct WordInfo values a counter keeps: a hundred or so occur in news; odd input that makes more starts afresh.
WORD_INFOS_MAX = 10_000


class LanguageCounter:
    """Counts word classes per Doc; each distinct lowercase form is classified once and cached."""

    def __init__(self, morph, table: LemmaTable | None = None) -> None:
        self.morph = morph
        # forms whose dictionary status is already known (framing.lemma_table): the lemmatizer's table object itself
        self.table = table if table is not None else LemmaTable()
        # form hash → index into `infos`, the distinct WordInfos met (~a hundred: small ints, shared objects), so that
        # a Doc's forms are summed per WordInfo with one bincount
        self.cache: dict[int, int] = {}
        self.infos: list[WordInfo] = []
        self._info_index: dict[WordInfo, int] = {}

    def _classify(self, lower: str, parsed: dict[str, bool] | None = None) -> WordInfo:
        """The class of one form. The set tests first answer the common cases (a word of letters only, no letters
        of other alphabets, only Russian letters) that the per-character counts after them would give too."""
        word = plain_word(lower)
        if word and RUSSIAN_LETTERS.issuperset(word):  # most forms: what `_classify_plain` gives, directly
            known = self._known(word.replace("ё", "е"), parsed)
            return WordInfo(RUSSIAN if known else CYRILLIC_UNKNOWN, len(word), len(word))
        return self._classify_plain(word, parsed)

    def _classify_plain(self, word: str, parsed: dict[str, bool] | None = None) -> WordInfo:
        """The class of a plain form (`plain_word`), by the general steps."""
        letters = len(word) if word.isalpha() else sum(ch.isalpha() for ch in word)
        if not letters:
            return WordInfo(NUMERIC, 0)
        cyrillic = len(_CYRILLIC_LETTER.findall(word))
        if cyrillic:
            if not MARKER_LETTERS.isdisjoint(word):
                found = {code: sum(ch in chars for ch in word) for code, chars in MARKERS.items()}
                found[SHARED_MARKER] = word.count(SHARED_MARKER)
                marker = max(found, key=lambda code: (found[code], code != SHARED_MARKER))
                return WordInfo(CYRILLIC_UNKNOWN, letters, cyrillic, marker, sum(found.values()))
            russian = RUSSIAN_LETTERS.issuperset(word) or all(ch in RUSSIAN_LETTERS or not ch.isalpha() for ch in word)
            known = russian and self._known(word.replace("ё", "е"), parsed)
            return WordInfo(RUSSIAN if known else CYRILLIC_UNKNOWN, letters, cyrillic)
        if _LATIN.search(word):
            return WordInfo(LATIN, letters, english=word in ENGLISH_FUNCTION_WORDS)
        return WordInfo(OTHER, letters)

    def _known(self, word: str, parsed: dict[str, bool] | None = None) -> bool:
        """Whether pymorphy3's dictionary knows `word`: from what the lemmatizer's table or parse told of it
        (`parsed`: nlp.PARSED_KNOWN of the Doc), from the table, or asked."""
        if parsed:
            known = parsed.get(word)
            if known is not None:
                return known
        known = self.table.known(word)
        if known is not None:
            return known
        try:
            return self.morph.word_is_known(word)
        except (KeyError, ValueError):  # pymorphy3 looks up Unicode names, which some letters lack
            return False

    def _classify_new(self, doc: Doc, hashes: list[int], found: list[int | None]) -> list[int]:
        """`found` with the forms new to this counter classified (and cached)."""
        if len(self.infos) >= WORD_INFOS_MAX:  # odd input: start again rather than grow
            self.cache.clear()
            self.infos.clear()
            self._info_index.clear()
            found = [None] * len(hashes)
        strings, parsed = doc.vocab.strings, doc.user_data.get(PARSED_KNOWN)
        for i, (h, index) in enumerate(zip(hashes, found)):
            if index is None:
                info = self._classify(strings[h], parsed)
                index = self._info_index.get(info)
                if index is None:
                    index = self._info_index[info] = len(self.infos)
                    self.infos.append(info)
                found[i] = self.cache[h] = index
        return found

    def count(self, doc: Doc) -> LanguageCounts:
        """Word classes of one Doc, from its token arrays: no pass over the characters in Python.

        Each distinct form is looked up once (the lemmatizer's np.unique of the Doc is reused when it left one),
        and the arithmetic is done once per distinct WordInfo — a few dozen per article, against hundreds of forms.
        """
        counts = LanguageCounts()
        if not len(doc):
            return counts
        columns = doc.to_array([LOWER, LENGTH, IS_SPACE])
        counts.non_space = int(columns[columns[:, 2] == 0, 1].sum())  # tokens never mix space and non-space
        distinct = doc.user_data.get(DISTINCT_FORMS)
        if distinct is None:  # a Doc the framing lemmatizer did not see
            distinct = np.unique(columns[:, 0], return_inverse=True)
        forms, where = distinct
        freqs = np.bincount(where[doc._.is_word], minlength=len(forms))
        present = np.flatnonzero(freqs)
        hashes = forms[present].tolist()
        found = list(map(self.cache.get, hashes))  # C-level loop; None only for forms new to this counter
        if None in found:
            found = self._classify_new(doc, hashes, found)
        totals = np.bincount(np.array(found, dtype=np.intp), weights=freqs[present], minlength=len(self.infos))
        for index in np.flatnonzero(totals).tolist():
            info, n = self.infos[index], int(totals[index])
            counts.letters += n * info.letters  # every letter is inside a word token
            if info.kind == NUMERIC:
                continue
            counts.words += n
            counts.cyrillic_letters += n * info.cyrillic_letters
            if info.kind == RUSSIAN:
                counts.russian += n
                counts.cyrillic += n
            elif info.kind == CYRILLIC_UNKNOWN:
                counts.cyrillic += n
                if info.marker:
                    counts.markers[info.marker] = counts.markers.get(info.marker, 0) + n * info.marker_letters
            elif info.kind == LATIN:
                counts.latin += n
                counts.english += n * info.english
        return counts


def judge(counts: LanguageCounts) -> Language:
    """The language verdict from counts (thresholds in the module docstring)."""
    # Latin-script words count only when they are English function words: a Russian text naming
    # «Astana International Forum» stays Russian, an English text still has no Russian words.
    considered = counts.cyrillic + counts.english
    share = round(counts.russian / considered, 4) if considered else 0.0
    if counts.non_space == 0:
        return Language("unknown", share, False, "no text to analyse (empty body)")
    if counts.words == 0 or counts.letters < MIN_LETTER_SHARE * counts.non_space:
        return Language("unknown", share, False, "mostly not text (few letters)")
    foreign = sum(counts.markers.values()) > FOREIGN_MAX_SHARE * counts.cyrillic_letters
    if counts.words >= SHORT_TEXT_WORDS:
        if share >= RUSSIAN_MIN_SHARE:
            return Language("ru", share, True)
    elif counts.russian and counts.russian >= counts.english and not foreign:
        return Language("ru", share, True)
    if foreign and counts.cyrillic >= counts.latin:
        named = {code: n for code, n in counts.markers.items() if code in MARKERS}
        code = "be" if named.get("be") else max(named, key=named.get) if named else "uk"
    elif counts.latin > counts.cyrillic:
        code = "en" if counts.english >= 0.05 * counts.latin else "latin"
    else:
        return Language(
            "unknown", share, False, f"not Russian enough ({share:.0%} Russian words < {RUSSIAN_MIN_SHARE:.0%})"
        )
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
