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

import numpy as np
import razdel
import spacy
from spacy.attrs import IDX, IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from .lemma_table import LOAD_AFTER_MISSES, LemmaTable
from .lemma_table import load_table as load_lemma_table
from .normalize import fold_yo

# A word is letters/digits joined by inner hyphens (российско-казахстанских, Санкт-Петербург, 2015-2020);
# anything else that is not whitespace is a one-character token.
# Soft hyphens and combining marks (stress accents, decomposed ё) stay inside their word.
_IN_WORD = r"[\w\u00ad\u0300-\u036f]"
TOKEN = re.compile(rf"\w{_IN_WORD}*(?:-\w{_IN_WORD}*)*|[^\w\s]|\s+")
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
    """Builds a Doc whose text is exactly the input; extra whitespace becomes whitespace tokens, as in spaCy."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        is_word: list[bool] = []
        for piece in TOKEN.findall(text):
            if piece[0].isspace():
                if words and not spaces[-1] and not words[-1][0].isspace() and piece[0] == " ":
                    spaces[-1] = True
                    piece = piece[1:]
                    if not piece:
                        continue
                words.append(piece)
                spaces.append(False)
                is_word.append(False)
            else:
                words.append(piece)
                spaces.append(False)
                is_word.append(piece[0].isalnum() or piece[0] == "_")
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc._.is_word = np.array(is_word, dtype=bool)
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
        self.cache: dict[int, int] = {}
        # filled from the shipped file after LOAD_AFTER_MISSES new forms (load_table); one per process
        self.table = SHARED_TABLE
        self.misses = 0

    def lemma_of(self, lower: str) -> str:
        lower = plain_word(lower)
        lemma = self.table.lemmas.get(lower)
        return lemma if lemma is not None else self.parse(lower)

    def parse(self, lower: str) -> str:
        """pymorphy3's first normal form, ё→е (what the table holds for the forms it has)."""
        if not WORD.search(lower) or lower.isdigit():
            return lower
        try:
            return fold_yo(self.morph.parse(lower)[0].normal_form)
        except (KeyError, ValueError):  # pymorphy3 looks up Unicode names, which unassigned/unnamed letters lack
            return lower

    def load_table(self) -> None:
        if not self.table.lemmas:  # a renewed pipeline (analyzer.BATCH_VOCABULARY_LIMIT) finds it loaded
            self.table.fill(load_lemma_table())

    def _miss(self, lower_hash: int) -> int:
        self.misses += 1
        if self.misses == LOAD_AFTER_MISSES:
            self.load_table()
        lemma_hash = self.strings.add(self.lemma_of(self.strings[lower_hash]))
        self.cache[lower_hash] = lemma_hash
        return lemma_hash

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        cache, miss = self.cache, self._miss
        lowers = doc.to_array(LOWER).tolist()
        lemmas = [cache[h] if h in cache else miss(h) for h in lowers]
        doc.from_array([LEMMA], np.array(lemmas, dtype=np.uint64).reshape(-1, 1))
        return doc


# Our names in spaCy's registries: `framing.<name>.v1` for registered functions (the tokenizer), and
# `framing_<name>` for pipeline components, whose names spaCy forbids dots in.
LEMMATIZER = "framing_lemmatizer"
SENTENCES = "framing_sentences"


@Language.factory(LEMMATIZER)
def make_cached_morph_lemmatizer(nlp: Language, name: str) -> CachedMorphLemmatizer:
    return CachedMorphLemmatizer(nlp)


LINE = re.compile(r"[^\n]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """razdel sentences within each line: a line break always ends a sentence (headings, bylines)."""
    spans = []
    for line in LINE.finditer(text):
        base = line.start()
        spans.extend((base + s.start, base + s.stop) for s in razdel.sentenize(line.group()) if s.text.strip())
    return spans


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
