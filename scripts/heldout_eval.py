"""Evaluate on the held-out challenge set (written independently of the lexicons and training data).

tests/data/heldout/short_texts.jsonl: short texts, multi-label; a frame counts as predicted when present.
tests/data/heldout/articles/gold.jsonl: coded articles, evaluated like `framing evaluate`.
Usage: python scripts/heldout_eval.py [--misses] [--dir FOLDER]  (another set laid out the same way:
FOLDER/short_texts.jsonl or FOLDER/short.jsonl, FOLDER/articles/gold.jsonl)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from framing.analyzer import Analyzer
from framing.evaluate import evaluate
from framing.metrics import prf

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout"


def short_texts(folder: Path, misses: bool) -> None:
    path = folder / "short_texts.jsonl" if (folder / "short_texts.jsonl").exists() else folder / "short.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for mode in ("lexicon", "classifier", "combined"):
        analyzer = Analyzer(mode=mode)
        results = [analyzer.analyze(r["text"]) for r in rows]
        frames = analyzer.lexicons.ids
        f1s = []
        line = []
        for frame in frames:
            truth = np.array([frame in r["labels"] for r in rows])
            pred = np.array([a.frame(frame).present for a in results])
            m = prf(truth, pred)
            f1s.append(m["f1"])
            line.append(f"{frame} P{m['precision']:.2f} R{m['recall']:.2f} F{m['f1']:.2f}")
            if misses and mode == "combined":
                for r, a, t, p in zip(rows, results, truth, pred):
                    if t != p:
                        print(f"   {'FN' if t else 'FP'} {frame} {a.frame(frame).score:.2f}: {r['text'][:110]}")
        exact = np.mean([set(r["labels"]) == {f.id for f in a.frames if f.present} for r, a in zip(rows, results)])
        print(f"short texts [{mode:10}] macro-F1 {np.mean(f1s):.3f}  exact-set {exact:.2f}  | " + "; ".join(line))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--dir", type=Path, default=HELDOUT)
    args = parser.parse_args()
    short_texts(args.dir, args.misses)
    report = evaluate(args.dir / "articles" / "gold.jsonl")
    for mode, v in report["modes"].items():
        print(
            f"articles    [{mode:10}] macro-F1 {v['macro_f1']:.3f}  dominant {v['dominant_accuracy']:.2f}  spearman "
            f"{v['spearman_pooled']:.2f}"
        )


if __name__ == "__main__":
    main()
