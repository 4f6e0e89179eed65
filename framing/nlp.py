"""Tokenize, lemmatize and split sentences: a `spacy.blank("ru")` pipeline with our own components.

Why not spaCy's defaults: its Russian tokenizer splits hyphenated words (two infix rules) and runs at
~180k tokens/s here; its pymorphy3 lemmatizer without POS tags is slow and leaves words unlemmatized;
its sentencizer mis-splits Russian abbreviations. So: a regex tokenizer that keeps hyphenated words whole
(~1M tokens/s), a lemmatizer that caches pymorphy3's first normal form per lowercase word (ё→е), and
sentences from razdel.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import itemgetter

import numpy as np
import spacy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from .lemma_table import LemmaTable, dictionary_identity, form_key
from .lemma_table import load_table as load_lemma_table
from .normalize import fold_yo
from .sentences import sentence_spans

# A word is letters/digits joined by inner hyphens (российско-казахстанских, Санкт-Петербург, 2015-2020);
# anything else that is not whitespace is a one-character token.
# Soft hyphens and combining marks (stress accents, decomposed ё) stay inside their word.
_IN_WORD = r"[\w\u00ad\u0300-\u036f]"
_WORD_TOKEN = rf"\w{_IN_WORD}*(?:-\w{_IN_WORD}*)*"
# A token (group 1), its text again when it is a word (group 2), and one following space (group 3): spaCy's
# `whitespace_`. A whitespace run is greedy, so it is never followed by a space; what is left of a run after
# the word's space (or a run that starts with a line break, or starts the text) is a whitespace token.
PIECE = re.compile(rf"(({_WORD_TOKEN})|[^\w\s]|\s+)( ?)")
TOKEN_TEXT, WORD_PART, TRAILING_SPACE = itemgetter(0), itemgetter(1), itemgetter(2)  # PIECE's groups
_MARKS = re.compile(r"[\u00ad\u0300-\u036f]")
WORD = re.compile(r"\w")
# The lexeme attributes the pipeline reads (lemmatizer, language check, matcher). spaCy computes every
# attribute of its language (shape, like_num, prefix, suffix, a dozen flags) for each word it meets for the
# first time; on unseen news text that was a tenth or more of the first pass.
USED_LEXEME_ATTRS = (LOWER, IS_SPACE)

if not Doc.has_extension("sentences"):
    Doc.set_extension("sentences", default=None)  # list[(start, stop)] character spans from razdel
    Doc.set_extension("token_sentence", default=None)  # np.ndarray: sentence index per token (-1 outside)
    Doc.set_extension("is_word", default=None)  # np.ndarray[bool]: token has a letter or digit


def plain_word(lower: str) -> str:
    """A word as the dictionary spells it: decomposed ё composed (and folded to е), stress marks and soft
    hyphens dropped. Words without such marks come back unchanged (the common, fast case)."""
    if _MARKS.search(lower):
        return _MARKS.sub("", unicodedata.normalize("NFC", lower).replace("\u0451", "е"))
    return lower


class RegexTokenizer:
    """Builds a Doc whose text is exactly the input; extra whitespace becomes whitespace tokens, as in spaCy.

    One `findall` of PIECE gives each token, its word part (empty unless it is a word) and the single space
    spaCy keeps as the token's trailing whitespace; no Python work per token besides the Doc's own.
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        pieces = PIECE.findall(text)
        # columns by itemgetter maps (C loops; zip(*pieces) builds a tuple per token and cost twice as much)
        words, spaces = list(map(TOKEN_TEXT, pieces)), list(map(TRAILING_SPACE, pieces))
        doc = Doc(self.vocab, words=words, spaces=spaces)  # a space is " " or "": Cython takes its truth value
        doc._.is_word = np.fromiter(map(bool, map(WORD_PART, pieces)), dtype=bool, count=len(pieces))
        doc.user_data["text"] = text  # Doc.text re-joins every token: keep the input instead
        return doc


@spacy.registry.tokenizers("framing.regex_tokenizer.v1")
def create_regex_tokenizer():
    def make(nlp: Language) -> RegexTokenizer:
        return RegexTokenizer(nlp.vocab)

    return make


class CachedMorphLemmatizer:
    """Sets LEMMA to pymorphy3's first `normal_form` (ё→е), caching it per lowercase form.

    A warm cache makes lemmatization a dict lookup per token; one uncached parse costs ~50–70 µs, so a form
    never seen in this process is looked up first in the shipped table of news word forms (framing.lemma_table,
    made by `parse` itself), and only parsed when it is not there.
    """

    def __init__(self, nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self.morph = shared_morph()
        from pymorphy3.units.by_lookup import DictionaryAnalyzer  # pymorphy3 is imported with the analyzer

        self._dictionary_unit = DictionaryAnalyzer
        self.cache: dict[int, int] = {}
        # filled from the shipped file at the first new form (load_table); one per process
        self.table = SHARED_TABLE
        self._table_asked = False  # load_table once at most, even where the file is missing
        self._parsed: dict[str, bool] = {}  # form → dictionary knows it, for the Doc being lemmatized
        # table lemma number → its hash in this pipeline's strings; valid because the table is filled once, while
        # empty, and never changed after (load_table)
        self._lemma_ids: dict[int, int] = {}

    def lemma_of(self, lower: str) -> str:
        lower = plain_word(lower)
        found = self.table.lookup(lower)
        return found[0] if found is not None else self.parse(lower)

    def parse(self, lower: str) -> str:
        """pymorphy3's first normal form, ё→е (what the table holds for the forms it has)."""
        return self.parse_known(lower)[0]

    def parse_known(self, lower: str) -> tuple[str, bool | None]:
        """`parse`, and whether pymorphy3's dictionary knows the form (None when not parsed).

        Known = some parse comes straight from the dictionary (a one-step DictionaryAnalyzer parse): the very
        lookup `word_is_known` makes (same DAWG, same ё/е substitutes), so the language check need not repeat it
        (equal on every form tests/test_lemma_table.py compares: the build and bench halves' and tricky ones)."""
        if not WORD.search(lower) or lower.isdigit():
            return lower, None
        try:
            parses = self.morph.parse(lower)
        except (KeyError, ValueError):  # pymorphy3 looks up Unicode names, which unassigned/unnamed letters lack
            return lower, None
        dictionary = self._dictionary_unit
        known = any(len(p.methods_stack) == 1 and type(p.methods_stack[0][0]) is dictionary for p in parses)
        return fold_yo(parses[0].normal_form), known

    def load_table(self) -> None:
        if not len(self.table):  # a renewed pipeline (analyzer.BATCH_VOCABULARY_LIMIT) finds it loaded
            self.table.fill(load_lemma_table(dictionary_identity(self.morph)))

    def _lemmatize_new(self, lower_hashes: list[int]) -> dict[int, int]:
        """Lemma hashes of forms new to this pipeline (and cached): from the table, one lookup for them all, and
        parsed where it has none. What either tells of the dictionary goes to `_parsed` for the language check."""
        if not self._table_asked:
            self._table_asked = True
            self.load_table()
        strings, parsed, cache, lemma_ids = self.strings, self._parsed, self.cache, self._lemma_ids
        plain = [plain_word(strings[h]) for h in lower_hashes]
        keys = [form_key(form) for form in plain]  # not the spaCy id: symbols ("det", "root") have small ones
        numbers, known_flags = self.table.entries(self.table.find(keys))
        lemma_hashes = {}
        for lower_hash, form, number, known in zip(lower_hashes, plain, numbers, known_flags):
            if number >= 0:  # in the table: its lemma's hash, added to the strings once per lemma
                lemma_hash = lemma_ids.get(number)
                if lemma_hash is None:
                    lemma_hash = lemma_ids[number] = strings.add(self.table.lemmas[number])
            else:
                lemma, known = self.parse_known(form)
                lemma_hash = strings.add(lemma)
            if known is not None:
                parsed[form] = known
            lemma_hashes[lower_hash] = cache[lower_hash] = lemma_hash
        return lemma_hashes

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        cache = self.cache
        # once per distinct form: a news article repeats its forms ~2× (and whitespace/punctuation far more)
        forms, where = np.unique(doc.to_array(LOWER), return_inverse=True)
        hashes = forms.tolist()
        found = list(map(cache.get, hashes))  # C-level loop; a miss (None) only on forms new to this process
        if None in found:
            self._parsed = doc.user_data[PARSED_KNOWN] = {}  # what the table and parses tell of new forms
            new = self._lemmatize_new([h for h, lemma in zip(hashes, found) if lemma is None])
            found = [lemma if lemma is not None else new[h] for h, lemma in zip(hashes, found)]
        lemmas = np.array(found, dtype=np.uint64)
        doc.from_array([LEMMA], lemmas[where].reshape(-1, 1))
        doc.user_data[DISTINCT_FORMS] = (forms, where)  # for the language check (language.LanguageCounter)
        return doc


# Our names in spaCy's registries: `framing.<name>.v1` for registered functions (the tokenizer), and
# `framing_<name>` for pipeline components, whose names spaCy forbids dots in.
LEMMATIZER = "framing_lemmatizer"
DISTINCT_FORMS = "framing_distinct_forms"  # Doc.user_data key: (distinct LOWER hashes, index of each token's)
# Doc.user_data key: {form: pymorphy3's dictionary knows it} for the forms parsed for this Doc (the language check
# asks exactly that of new forms: LanguageCounter._known)
PARSED_KNOWN = "framing_parsed_known"
SENTENCES = "framing_sentences"


@Language.factory(LEMMATIZER)
def make_cached_morph_lemmatizer(nlp: Language, name: str) -> CachedMorphLemmatizer:
    return CachedMorphLemmatizer(nlp)


@Language.component(SENTENCES)
def razdel_sentences(doc: Doc) -> Doc:
    """Sentence spans from razdel (knows г., долл., initials, «quotes»), mapped onto tokens."""
    spans = sentence_spans(doc.user_data.get("text") or doc.text)
    doc._.sentences = spans
    starts = doc.to_array(IDX).astype(np.int64)  # no Token objects: they dominate the profile otherwise
    if doc._.is_word is None:  # a Doc not made by RegexTokenizer
        doc._.is_word = np.fromiter((bool(WORD.search(t.text)) for t in doc), dtype=bool, count=len(doc))
    if spans:
        sent_starts = np.array([s for s, _ in spans], dtype=np.int64)
        doc._.token_sentence = np.searchsorted(sent_starts, starts, side="right") - 1
    else:
        doc._.token_sentence = np.full(len(doc), -1, dtype=np.int64)
    return doc


@lru_cache(maxsize=1)
def shared_morph():
    """The process's one pymorphy3 MorphAnalyzer (its dictionaries take ~0.3 s to load), for every pipeline."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


SHARED_TABLE = LemmaTable()  # the process's lemma table, filled once (CachedMorphLemmatizer.load_table)


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The shared pipeline (built once per process)."""
    return build_pipeline()


def build_pipeline() -> Language:
    """A new pipeline with an empty vocabulary; the MorphAnalyzer and the lemma table are the process's own."""
    # Naming our tokenizer in the config spares spaCy building its own Russian one (~0.15 s of start-up).
    nlp = spacy.blank("ru", config={"nlp": {"tokenizer": {"@tokenizers": "framing.regex_tokenizer.v1"}}})
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {attr: get for attr, get in getters.items() if attr in USED_LEXEME_ATTRS}
    nlp.max_length = 100_000_000  # input is analysed in segments (analyzer.SEGMENT_CHARS); no need for spaCy's cap
    nlp.add_pipe(LEMMATIZER)
    nlp.add_pipe(SENTENCES)
    return nlp


def pipeline_lemmatizer(nlp: Language | None = None) -> CachedMorphLemmatizer:
    """The pipeline's lemmatizer: its `morph` is the process's one pymorphy3 MorphAnalyzer, `table` the lemma table."""
    return (nlp or load_pipeline()).get_pipe(LEMMATIZER)


def lemmatize_phrase(phrase: str) -> list[str]:
    """Lemma sequence of a phrase, exactly as documents are lemmatized (used for lexicon entries)."""
    nlp = load_pipeline()
    doc = pipeline_lemmatizer(nlp)(nlp.make_doc(fold_yo(phrase.lower())))
    return [t.lemma_ for t in doc if not t.is_space]
