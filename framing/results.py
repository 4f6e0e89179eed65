"""Typed results of an analysis: what `framing.analyze` returns and the serialisers read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Substring:
    """A span of the original document: `text == document[start:stop]`."""

    start: int
    stop: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One lexicon term matched in the document."""

    frame: str
    lemma: str
    weight: float
    span: Substring
    sentence: int


@dataclass
class TermCount:
    lemma: str
    count: int
    weight: float  # total weight its hits contributed


@dataclass
class Evidence:
    """A sentence supporting a frame, with the terms that hit in it and the classifier's probability."""

    span: Substring
    terms: list[str]
    term_spans: list[Substring]
    probability: float | None = None


@dataclass
class LexiconScore:
    hits: int
    weighted: float
    per_1k: float
    score: float
    window: float = 0.0  # largest summed weight over five consecutive sentences (a paragraph)


@dataclass
class ClassifierScore:
    mean_prob: float
    top_prob: float
    sentences: int
    score: float
    share: float = 0.0  # Σ p over carrying sentences / sentences
    mass: float = 0.0  # Σ p over carrying sentences (p ≥ 0.5)
    top3_prob: float = 0.0  # mean of the three highest sentence probabilities
    lead_prob: float = 0.0  # highest probability among the first sentences (headline and lead)
    window: float = 0.0  # largest Σ p of carrying sentences over five consecutive sentences (a paragraph)


@dataclass
class FrameResult:
    id: str
    label: str
    score: float  # P(a coder codes the frame ≥ 2), from the document model (framing.decision)
    present: bool
    lexicon: LexiconScore
    classifier: ClassifierScore | None
    terms: list[TermCount] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # Sentences the classifier found for this frame although no lexicon term hit them.
    classifier_only: list[Evidence] = field(default_factory=list)
    # Every lexicon hit of this frame in text order: the HTML report highlights all of them, not only the evidence.
    matches: list[Hit] = field(default_factory=list)
    threshold: float = 0.5  # the score at which this frame counts as present in this mode


@dataclass
class Analysis:
    """The whole result for one document. `frames` is sorted by score, highest first."""

    source: str | None
    date: str | None
    text: str
    tokens: int
    sentences: int
    mode: str
    frames: list[FrameResult]
    dominant: str | None
    language: str = "ru"  # framing.language: "ru", "uk", "kk", "en", … or "unknown"
    russian_share: float = 1.0  # share of words that are Russian dictionary words
    warnings: list[str] = field(default_factory=list)  # e.g. not Russian: no frame claimed

    def frame(self, frame_id: str) -> FrameResult:
        for result in self.frames:
            if result.id == frame_id:
                return result
        raise KeyError(frame_id)
