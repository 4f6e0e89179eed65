"""Evaluate the project-written sets (regression checks) and store the figures the README table shows.

    python scripts/written_sets.py   → data/written_results.json (then scripts/readme_tables.py renders it)

Article sets are scored like `framing evaluate` (combined mode: macro-F1 of present vs code ≥ 2, dominant
accuracy); short-text sets by macro-F1 of present vs the labelled frames.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framing.analyzer import Analyzer
from framing.evaluate import evaluate
from framing.metrics import prf

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "written_results.json"
ARTICLE_SETS = {
    "examples/gold": ROOT / "examples" / "gold" / "gold.jsonl",
    "tests/data/heldout/articles": ROOT / "tests" / "data" / "heldout" / "articles" / "gold.jsonl",
    "tests/data/challenge/articles": ROOT / "tests" / "data" / "challenge" / "articles" / "gold.jsonl",
    "tests/data/challenge_long": ROOT / "tests" / "data" / "challenge_long" / "articles" / "gold.jsonl",
}
SHORT_SETS = {
    "tests/data/heldout/short_texts": ROOT / "tests" / "data" / "heldout" / "short_texts.jsonl",
    "tests/data/challenge/short": ROOT / "tests" / "data" / "challenge" / "short.jsonl",
}


def short_macro_f1(path: Path, analyzer: Analyzer) -> float:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = [analyzer.analyze(r["text"]) for r in rows]
    f1s = []
    for frame in analyzer.lexicons.ids:
        truth = np.array([frame in r["labels"] for r in rows])
        f1s.append(prf(truth, np.array([a.frame(frame).present for a in results]))["f1"])
    return round(float(np.mean(f1s)), 3)


def main() -> None:
    results: dict[str, dict] = {}
    for name, path in ARTICLE_SETS.items():
        combined = evaluate(path)["modes"]["combined"]
        results[name] = {"macro_f1": combined["macro_f1"], "dominant_accuracy": combined["dominant_accuracy"]}
    analyzer = Analyzer(mode="combined")
    for name, path in SHORT_SETS.items():
        results[name] = {"macro_f1": short_macro_f1(path, analyzer)}
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
