"""Evaluate `present`, `dominant` and scores against a coded gold set, for each scoring mode."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .corpus import read_jsonl
from .decision import dominant_frame, frame_verdict
from .errors import FramingError
from .metrics import prf, spearman
from .reader import read_document
from .scoring import MODES


@dataclass
class GoldArticle:
    source: str
    text: str
    codes: dict[str, int]
    dominant: str | None
    id: str | None = None  # corpus id of a real article (data/real), for grouped cross-validation


def article_text(row: dict) -> str:
    """What is analysed for a coded article: its headline (when the row has one) on the first line, then the text."""
    title = row.get("title")
    return f"{title.strip()}\n{row['text']}" if isinstance(title, str) and title.strip() else row["text"]


def load_gold(path: str | Path, frames: list[str]) -> list[GoldArticle]:
    path = Path(path)
    articles = []
    for number, row in read_jsonl(path):
        codes = row.get("codes")
        if not isinstance(codes, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3 for v in codes.values()
        ):
            raise FramingError(str(path), "'codes' must map frame ids to integers 0..3", number)
        missing, unknown = set(frames) - set(codes), set(codes) - set(frames)
        if missing:
            raise FramingError(str(path), f"codes missing for {', '.join(sorted(missing))}", number)
        if unknown:
            raise FramingError(str(path), f"codes for unknown frame(s) {', '.join(sorted(unknown))}", number)
        dominant = row.get("dominant", "none")
        if dominant not in (*frames, "none", None):
            raise FramingError(str(path), f"unknown dominant frame {dominant!r}", number)
        if isinstance(row.get("text"), str):
            text, source = article_text(row), str(row["id"]) if isinstance(row.get("id"), str) else f"{path}:{number}"
            if not text.strip():
                raise FramingError(str(path), "empty 'text'", number)
        elif isinstance(row.get("path"), str):
            try:
                document = read_document(path.parent / row["path"])
            except FramingError as exc:
                raise FramingError(str(path), f"{row['path']}: {exc.reason}", number) from None
            text, source = document.text, row["path"]
        else:
            raise FramingError(str(path), "each line needs 'path' or 'text'", number)
        article_id = row["id"] if isinstance(row.get("id"), str) else None
        articles.append(
            GoldArticle(
                source,
                text,
                {k: int(v) for k, v in codes.items()},
                None if dominant in ("none", None) else dominant,
                article_id,
            )
        )
    if not articles:
        raise FramingError(str(path), "no gold articles")
    return articles


def mode_view(analysis, mode: str, document) -> tuple[dict[str, float], dict[str, bool], str | None]:
    """Scores, present flags and dominant frame of a combined-mode analysis as `mode` would give them, from its
    components and the document model `document` (no re-analysis)."""
    frames = []
    for frame in analysis.frames:
        cls_score = frame.classifier if mode != "lexicon" else None
        score, present, threshold = frame_verdict(
            document, mode, frame.id, frame.lexicon, cls_score, analysis.tokens, analysis.language
        )
        frames.append(replace(frame, score=score, present=present, threshold=threshold))
    return {f.id: f.score for f in frames}, {f.id: f.present for f in frames}, dominant_frame(frames)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate(gold_path: str | Path, modes: tuple[str, ...] = MODES, lexicons=None, model=None) -> dict:
    """Per mode: per-frame P/R/F1 of `present` vs code ≥ 2, macro-F1, dominant accuracy, Spearman.

    Each article is analysed once (both components); the modes differ only in how they combine them.
    A frame with no gold positives and no predictions has no F1 (null) and stays out of macro-F1.
    """
    from .analyzer import Analyzer

    analyzer = Analyzer(lexicons=lexicons, model=model, mode="combined" if set(modes) - {"lexicon"} else "lexicon")
    frames = analyzer.lexicons.ids
    articles = load_gold(gold_path, frames)
    analyses = [analyzer.analyze(a.text, source=a.source) for a in articles]
    report: dict = {"gold": str(gold_path), "articles": len(articles), "modes": {}}
    for mode in modes:
        views = [mode_view(an, mode, analyzer.model.document) for an in analyses]
        per_frame = {}
        pooled_scores, pooled_codes = [], []
        for frame in frames:
            truth = np.array([a.codes[frame] >= 2 for a in articles])
            predicted = np.array([present[frame] for _, present, _ in views])
            scores = [score[frame] for score, _, _ in views]
            codes = [a.codes[frame] for a in articles]
            pooled_scores += scores
            pooled_codes += codes
            metrics = prf(truth, predicted)
            if not truth.any() and not predicted.any():
                metrics["f1"] = None
            per_frame[frame] = {**metrics, "spearman": _round(spearman(scores, codes))}
        defined = [m["f1"] for m in per_frame.values() if m["f1"] is not None]
        dominant_hits = sum(1 for a, (_, _, dominant) in zip(articles, views) if a.dominant == dominant)
        report["modes"][mode] = {
            "frames": per_frame,
            "macro_f1": round(float(np.mean(defined)), 4) if defined else None,
            "dominant_accuracy": round(dominant_hits / len(articles), 4),
            "spearman_pooled": _round(spearman(pooled_scores, pooled_codes)),
            "documents": [
                {"source": an.source, "dominant": dominant, "scores": scores}
                for an, (scores, _, dominant) in zip(analyses, views)
            ],
        }
    return report


SENTENCE_THRESHOLD = 0.5  # summed term weight at which a sentence carries a frame (see data/FORMATS.md)


def lexicon_sentence_eval(sentences_dir: str | Path, lexicons=None) -> dict[str, dict]:
    """Lexicon-only precision/recall per frame on `<frame>.jsonl` sets of frame sentences and hard negatives."""
    from .analyzer import Analyzer

    analyzer = Analyzer(lexicons=lexicons, mode="lexicon")
    results: dict[str, dict] = {}
    for path in sorted(Path(sentences_dir).glob("*.jsonl")):
        frame = path.stem
        truth, predicted, misses = [], [], []
        for number, row in read_jsonl(path):
            analysis = analyzer.analyze(row["text"])
            weighted = analysis.frame(frame).lexicon.weighted
            truth.append(bool(row["label"]))
            predicted.append(weighted >= SENTENCE_THRESHOLD)
            if truth[-1] != predicted[-1]:
                misses.append({"line": number, "label": row["label"], "weighted": weighted, "text": row["text"]})
        results[frame] = {
            **prf(np.array(truth), np.array(predicted)),
            "negatives": truth.count(False),
            "errors": misses,
        }
    return results
