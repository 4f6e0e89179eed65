"""The library entry point: text in, typed `Analysis` out. The CLI and batch runner only wrap this."""

from __future__ import annotations

import ctypes
import gc
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from .classifier import LinearModel
from .decision import dominant_frame, frame_verdict
from .features import CodedUnits, LemmaUnits, sentence_lemmas
from .furniture import blank_furniture
from .language import LanguageCounter, LanguageCounts, judge
from .lexicon import LexiconSet, load_lexicon_set
from .matcher import LexiconMatcher, summed_weights
from .nlp import build_pipeline, load_pipeline, pipeline_lemmatizer
from .normalize import normalize, split_date_header
from .results import Analysis, Evidence, FrameResult, Hit, Substring, TermCount
from .scoring import MODES, SENTENCE_PROB, classifier_score, lexicon_score

EVIDENCE_PER_FRAME = 3
SEGMENT_CHARS = 500_000  # ~80k tokens per Doc: bounds memory on huge files at no cost in speed
# spaCy keeps every word form it has met (its StringStore and lexemes), and so do the lemma and language caches:
# over an archive they grow with the vocabulary without end (Heaps' law; 270 → 370 MB from 400 to 2,400 articles).
# With a limit, past that many strings the analyzer starts on a fresh pipeline and caches between two documents:
# memory levels off (a --jobs 2 worker at ~230 MB, freed memory handed back to the system, the first pipeline let
# go too: see _renew) for ~10–15 % more CPU (forms are met again; the lemma table keeps that cheap).
# Results do not change. Batch engines set it (a long run); one process analysing a few files keeps everything.
BATCH_VOCABULARY_LIMIT = 80_000
# Sentences are predicted from integer lemma codes (features.SentenceCoder), whose one-off build (~0.1–0.2 s) pays
# only over many sentences: a process analysing one or a few short texts predicts from lemma strings (the same
# probabilities, bit for bit) and never builds it; past this many documents, or for a text this long, it does.
CODER_AFTER_DOCUMENTS = 10
CODER_MIN_CHARS = 200_000


def release_free_memory() -> None:
    """glibc keeps freed memory in its arenas; malloc_trim hands it back (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


class Analyzer:
    """Holds the loaded pipeline, lexicons and model; reuse one instance for many documents."""

    def __init__(
        self,
        lexicons: LexiconSet | str | Path | None = None,
        model: LinearModel | str | Path | None = None,
        mode: str = "combined",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.lexicons = lexicons if isinstance(lexicons, LexiconSet) else load_lexicon_set(lexicons)
        self._attach(load_pipeline())
        self.segment_chars = SEGMENT_CHARS
        self.vocabulary_limit: int | None = None  # BATCH_VOCABULARY_LIMIT in batch runs
        self.documents = 0  # analysed by this analyzer: sentences go through the model's SentenceCoder from the 11th
        # Every mode needs the model file: it holds the document-level decision (lexicon mode skips its sentences).
        self.model = model if isinstance(model, LinearModel) else LinearModel.load(model)

    def _attach(self, nlp) -> None:
        """Use `nlp`: the matcher and the language check hold its strings and caches."""
        self.nlp = nlp
        self.matcher = LexiconMatcher(self.lexicons, nlp.vocab.strings)
        lemmatizer = pipeline_lemmatizer(nlp)
        self.language_counter = LanguageCounter(lemmatizer.morph, lemmatizer.table)

    def _renew(self) -> None:
        """A fresh pipeline and caches, between documents; the old ones are freed first and their memory handed
        back to the system, so that the process's size levels off instead of keeping its high-water mark."""
        # On the process's shared pipeline, its cache would keep this vocabulary alive (~35 MB a worker, for good):
        # let it go; a later caller gets a fresh one. (Asked only while cached: an empty cache would build one.)
        if load_pipeline.cache_info().currsize and self.nlp is load_pipeline():
            load_pipeline.cache_clear()
        self.nlp = self.matcher = self.language_counter = None
        gc.collect()
        release_free_memory()
        self._attach(build_pipeline())

    def analyze(self, text: str, source: str | None = None, date: str | None = None) -> Analysis:
        if self.vocabulary_limit and len(self.nlp.vocab.strings) > self.vocabulary_limit:
            self._renew()
        header_date, body_start = split_date_header(text)
        normalized = blank_furniture(normalize(text))  # other stories' teasers are not this article (furniture)
        if body_start:
            normalized = " " * body_start + normalized[body_start:]  # keep offsets, drop the header
        frames = self.lexicons.frames
        tokens = 0
        sentences: list[tuple[int, int]] = []
        hits_by_frame: dict[int, list[Hit]] = defaultdict(list)
        context = None
        if self.mode != "lexicon":
            coded = self.model.has_coder or self.documents >= CODER_AFTER_DOCUMENTS or len(text) >= CODER_MIN_CHARS
            context = _ContextWindow(self.model, CodedUnits if coded else LemmaUnits)
        self.documents += 1
        counts = LanguageCounts()
        # Long texts go through in segments cut at line breaks: sentences and terms never cross a line
        # break, so the result is the same as for one Doc, and memory is bounded by the segment size.
        for seg_start, seg_stop in segments(normalized, self.segment_chars):
            doc = self.nlp(normalized[seg_start:seg_stop])
            counts.add(self.language_counter.count(doc))
            tokens += int(doc._.is_word.sum())
            first_sentence = len(sentences)
            sentences.extend((seg_start + a, seg_start + b) for a, b in doc._.sentences)
            token_hits = self.matcher.match(doc)
            for hit in token_hits:
                last = doc[hit.end - 1]
                start, stop = seg_start + doc[hit.start].idx, seg_start + last.idx + len(last)
                span = Substring(start, stop, text[start:stop])
                sentence = first_sentence + hit.sentence
                hits_by_frame[hit.frame_index].append(
                    Hit(frames[hit.frame_index].id, hit.term.lemma, hit.weight, span, sentence)
                )
            if context is not None:
                weights = summed_weights(token_hits, self.lexicons.ids, len(doc._.sentences))
                units = self.model.coder.encode(doc) if context.kind is CodedUnits else LemmaUnits(sentence_lemmas(doc))
                context.add(units, weights)
            del doc
        language = judge(counts)
        probs = context.finish() if context is not None else None
        model_columns = {frame_id: j for j, frame_id in enumerate(self.model.frames)} if probs is not None else {}

        results = []
        for index, frame in enumerate(frames):
            hits = hits_by_frame.get(index, [])
            lex_score = lexicon_score([h.weight for h in hits], tokens, [h.sentence for h in hits], len(sentences))
            frame_probs = probs[:, model_columns[frame.id]] if probs is not None and frame.id in model_columns else None
            cls_score = classifier_score(frame_probs) if frame_probs is not None else None
            score, present, threshold = frame_verdict(
                self.model.document, self.mode, frame.id, lex_score, cls_score, tokens, language.code
            )
            evidence, classifier_only = _evidence(text, sentences, hits, frame_probs)
            results.append(
                FrameResult(
                    id=frame.id,
                    label=frame.label,
                    score=score,
                    present=present,
                    lexicon=lex_score,
                    classifier=cls_score,
                    terms=_term_counts(hits),
                    evidence=evidence,
                    classifier_only=classifier_only,
                    matches=hits,  # already in text order: segments in order, the matcher's hits sorted
                    threshold=threshold,
                )
            )
        results.sort(key=lambda r: (-r.score, r.id))
        dominant = dominant_frame(results)
        warnings = [language.warning + "; no frame claimed"] if language.warning else []
        return Analysis(
            source,
            date or header_date,
            text,
            tokens,
            len(sentences),
            self.mode,
            results,
            dominant,
            language=language.code,
            russian_share=language.russian_share,
            warnings=warnings,
        )


class _ContextWindow:
    """Sentence probabilities segment by segment, each sentence seeing its neighbours across segment boundaries.

    A segment's sentences are predicted once the next segment's first sentence is known (one segment behind),
    so the result equals one pass over the whole text while only two segments' sentences are held at a time.
    Sentences are `kind` units: the model's lemma codes (features.CodedUnits) or lemma strings (LemmaUnits).
    """

    def __init__(self, model: LinearModel, kind: type[CodedUnits] | type[LemmaUnits]) -> None:
        self.model = model
        self.kind = kind
        self.before = kind.empty()  # the sentence just before the pending ones
        self.pending: tuple[CodedUnits | LemmaUnits, list[dict[str, float]]] | None = None
        self.blocks: list[np.ndarray] = []

    def add(self, units: CodedUnits | LemmaUnits, weights: list[dict[str, float]]) -> None:
        if not units.n:
            return
        self._predict(after=units.take(0, 1))
        self.pending = (units, weights)

    def finish(self) -> np.ndarray | None:
        self._predict(after=self.kind.empty())
        return np.vstack(self.blocks) if self.blocks else None

    def _predict(self, after: CodedUnits | LemmaUnits) -> None:
        if self.pending is None:
            return
        units, weights = self.pending
        around = self.kind.join([self.before, units, after])
        lo = self.before.n
        self.blocks.append(self.model.predict_units(around, lo, lo + units.n, weights))
        self.before = units.take(units.n - 1, units.n)
        self.pending = None


def segments(text: str, size: int) -> list[tuple[int, int]]:
    """[start, stop) pieces of at most ~`size` characters, cut after a line break where there is one.

    A single line longer than `size` is cut at whitespace (or, failing that, anywhere): only then can a
    sentence be split in two.
    """
    spans = []
    start, n = 0, len(text)
    while n - start > size:
        cut = text.rfind("\n", start, start + size) + 1
        if cut <= start:
            cut = max(text.rfind(" ", start, start + size) + 1, 0)
        if cut <= start:
            cut = start + size
        spans.append((start, cut))
        start = cut
    spans.append((start, n))
    return spans


def _term_counts(hits: list[Hit]) -> list[TermCount]:
    """Terms by total weight contributed (a boosted hit counts with its boosted weight)."""
    counts = Counter(h.lemma for h in hits)
    totals: Counter = Counter()
    for hit in hits:
        totals[hit.lemma] += hit.weight
    return [
        TermCount(lemma, counts[lemma], round(totals[lemma], 4))
        for lemma in sorted(counts, key=lambda k: (-totals[k], k))
    ]


def _evidence(
    text: str, sentences: list[tuple[int, int]], hits: list[Hit], probs: np.ndarray | None
) -> tuple[list[Evidence], list[Evidence]]:
    """Best sentences for a frame (lexicon weight + classifier probability), and classifier-only finds."""
    by_sentence: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_sentence[hit.sentence].append(hit)

    def make(i: int) -> Evidence:
        start, stop = sentences[i]
        sentence_hits = sorted(by_sentence.get(i, []), key=lambda h: h.span.start)
        return Evidence(
            span=Substring(start, stop, text[start:stop]),
            terms=sorted({h.lemma for h in sentence_hits}),
            term_spans=[h.span for h in sentence_hits],
            probability=None if probs is None else round(float(probs[i]), 4),
        )

    def strength(i: int) -> float:
        lexical = sum(h.weight for h in by_sentence.get(i, []))
        return lexical + (float(probs[i]) if probs is not None else 0.0)

    candidates = set(by_sentence)
    if probs is not None:
        candidates |= set(np.flatnonzero(probs >= SENTENCE_PROB).tolist())
    ranked = sorted(candidates, key=lambda i: (-strength(i), i))
    evidence = [make(i) for i in ranked[:EVIDENCE_PER_FRAME]]
    evidence.sort(key=lambda e: e.span.start)
    only = []
    if probs is not None:
        lonely = [i for i in np.flatnonzero(probs >= SENTENCE_PROB).tolist() if i not in by_sentence]
        lonely.sort(key=lambda i: -probs[i])
        only = sorted((make(i) for i in lonely[:EVIDENCE_PER_FRAME]), key=lambda e: e.span.start)
    return evidence, only
