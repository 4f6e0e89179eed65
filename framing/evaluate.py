"""Evaluate `present`, `dominant` and scores against a coded gold set, for each scoring mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import read_jsonl
from .errors import FramingError
from .reader import read_document
from .scoring import MODES
from .train import prf


@dataclass
class GoldArticle:
    source: str
    text: str
    codes: dict[str, int]
    dominant: str | None


def load_gold(path: str | Path, frames: list[str]) -> list[GoldArticle]:
    path = Path(path)
    articles = []
    for number, row in read_jsonl(path):
        codes = row.get("codes")
        if not isinstance(codes, dict) or not all(isinstance(v, int) and 0 <= v <= 3 for v in codes.values()):
            raise FramingError(str(path), "'codes' must map frame ids to integers 0..3", number)
        missing = set(frames) - set(codes)
        if missing:
            raise FramingError(str(path), f"codes missing for {', '.join(sorted(missing))}", number)
        dominant = row.get("dominant", "none")
        if dominant not in (*frames, "none", None):
            raise FramingError(str(path), f"unknown dominant frame {dominant!r}", number)
        if isinstance(row.get("text"), str):
            text, source = row["text"], f"{path}:{number}"
        elif isinstance(row.get("path"), str):
            document = read_document(path.parent / row["path"])
            text, source = document.text, row["path"]
        else:
            raise FramingError(str(path), "each line needs 'path' or 'text'", number)
        articles.append(GoldArticle(source, text, {k: int(v) for k, v in codes.items()}, None if dominant in ("none", None) else dominant))
    if not articles:
        raise FramingError(str(path), "no gold articles")
    return articles


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rho with average ranks for ties (numpy only)."""

    def ranks(values: list[float]) -> np.ndarray:
        array = np.asarray(values, dtype=float)
        order = array.argsort(kind="mergesort")
        result = np.empty(len(array))
        result[order] = np.arange(len(array), dtype=float)
        for value in np.unique(array):
            tied = array == value
            result[tied] = result[tied].mean()
        return result

    if len(x) < 2:
        return float("nan")
    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def evaluate(gold_path: str | Path, modes: tuple[str, ...] = MODES, lexicons=None, model=None) -> dict:
    """Per mode: per-frame P/R/F1 of `present` vs code ≥ 2, macro-F1, dominant accuracy, Spearman."""
    from .analyzer import Analyzer

    first = Analyzer(lexicons=lexicons, model=model, mode=modes[0])
    frames = first.lexicons.ids
    articles = load_gold(gold_path, frames)
    report: dict = {"gold": str(gold_path), "articles": len(articles), "modes": {}}
    for mode in modes:
        analyzer = first if mode == modes[0] else Analyzer(lexicons=first.lexicons, model=model, mode=mode)
        analyses = [analyzer.analyze(a.text, source=a.source) for a in articles]
        per_frame = {}
        pooled_scores, pooled_codes = [], []
        for frame in frames:
            truth = np.array([a.codes[frame] >= 2 for a in articles])
            predicted = np.array([an.frame(frame).present for an in analyses])
            scores = [an.frame(frame).score for an in analyses]
            codes = [a.codes[frame] for a in articles]
            pooled_scores += scores
            pooled_codes += codes
            per_frame[frame] = {**prf(truth, predicted), "spearman": round(spearman(scores, codes), 4)}
        dominant_hits = sum(1 for a, an in zip(articles, analyses) if a.dominant == an.dominant)
        report["modes"][mode] = {
            "frames": per_frame,
            "macro_f1": round(float(np.mean([m["f1"] for m in per_frame.values()])), 4),
            "dominant_accuracy": round(dominant_hits / len(articles), 4),
            "spearman_pooled": round(spearman(pooled_scores, pooled_codes), 4),
            "documents": [
                {"source": an.source, "dominant": an.dominant, "scores": {f.id: f.score for f in an.frames}} for an in analyses
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
        results[frame] = {**prf(np.array(truth), np.array(predicted)), "negatives": truth.count(False), "errors": misses}
    return results
