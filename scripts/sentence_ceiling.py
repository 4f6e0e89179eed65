"""How good could the document decision be with a perfect sentence classifier? (dev only)

    python scripts/sentence_ceiling.py

For the dev articles whose sentences were labelled by hand (data/real/sentences.jsonl), the classifier's
sentence probabilities are replaced by the human labels (1 for a sentence carrying the frame, else 0); the
lexicon component stays the tool's. The document model is then fitted and evaluated with the same grouped
5-fold cross-validation and threshold choice as `framing train`, beside the same articles scored with the
real classifier's out-of-fold probabilities. The difference is what a better sentence classifier could buy.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from framing import train as T
from framing.analyzer import Analyzer
from framing.corpus import load_examples
from framing.decision import feature_values
from framing.evaluate import load_gold
from framing.lexicon import load_lexicon_set
from framing.metrics import spearman
from framing.results import ClassifierScore
from framing.scoring import classifier_score

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
TRAIN = Path(__file__).resolve().parents[1] / "data" / "train"


def human_rows(frames: list[str]) -> list[dict]:
    labels: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for line in (REAL / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[row["article"]][row["text"].strip()] = row["labels"]
    analyzer = Analyzer(mode="lexicon")
    rows = []
    for article in load_gold(REAL / "dev.jsonl", frames):
        if article.id not in labels:
            continue
        analysis = analyzer.analyze(article.text)
        spans = _sentences(analyzer, article.text)
        known = labels[article.id]
        features = {}
        for frame in analysis.frames:
            probs = np.array([1.0 if frame.id in known.get(text, []) else 0.0 for text in spans])
            score = classifier_score(probs) if probs.size else ClassifierScore(0.0, 0.0, 0, 0.0)
            features[frame.id] = feature_values(frame.lexicon, score, analysis.tokens)
        rows.append({"id": article.id, "codes": article.codes, "dominant": article.dominant, "short": False,
                     "fold": T.article_fold(article.id, 5), "features": features})
    return rows


def _sentences(analyzer: Analyzer, text: str) -> list[str]:
    from framing.normalize import normalize

    doc = analyzer.nlp(normalize(text))
    return [text[a:b].strip() for a, b in doc._.sentences]


def cross_validated(rows: list[dict], frames: list[str], mode: str) -> dict:
    probs = np.zeros((len(rows), len(frames)))
    present = np.zeros_like(probs, dtype=bool)
    for fold in range(5):
        held = [i for i, r in enumerate(rows) if r["fold"] == fold]
        fit = [r for r in rows if r["fold"] != fold]
        if held:
            probs[held] = T.probabilities_of(T.document_model_of(fit, frames), [rows[i] for i in held], frames, mode)
            present[held] = probs[held] >= T.tuned_thresholds(fit, frames, mode)
    return T.article_metrics(rows, frames, probs, present, spearman)


def main() -> None:
    frames = load_lexicon_set().ids
    human = human_rows(frames)
    ids = {r["id"] for r in human}
    examples = load_examples(TRAIN / "train.jsonl", frames) + load_examples(REAL / "sentences.jsonl", frames)
    units = T.featurize([e.text for e in examples], examples=examples)
    platt, _ = T.cross_validated_platt(units, examples, frames, 5, "train")
    tool = [r for r in T.document_rows([REAL / "dev.jsonl"], examples, units, frames, platt, 5) if r["id"] in ids]
    for name, rows in (("human sentence labels", human), ("classifier, out of fold", tool)):
        for mode in ("classifier", "combined"):
            m = cross_validated(rows, frames, mode)
            per_frame = ", ".join(f"{f} {v['f1']:.2f}" for f, v in m["frames"].items())
            print(f"{name:<24} {mode:<10} macro-F1 {m['macro_f1']:.3f}  dominant {m['dominant_accuracy']:.3f}  "
                  f"({len(rows)} articles; {per_frame})")


if __name__ == "__main__":
    main()
