"""Print lexicon-only sentence-level precision/recall per frame on tests/data/sentences (and the misses).

Usage: python scripts/lexicon_eval.py [--misses] [--lexicons DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from framing.evaluate import lexicon_sentence_eval

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list misclassified sentences")
    parser.add_argument("--lexicons", default=None)
    args = parser.parse_args()
    results = lexicon_sentence_eval(ROOT / "tests" / "data" / "sentences", lexicons=args.lexicons)
    console = Console()
    table = Table(title="Lexicon-only, sentence level (carries frame ⇔ summed weight ≥ 0.5)")
    for column in ("frame", "precision", "recall", "F1", "positives", "hard negatives"):
        table.add_column(column, justify="left" if column == "frame" else "right")
    for frame, m in results.items():
        table.add_row(
            frame,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            str(m["support"]),
            str(m["negatives"]),
        )
    console.print(table)
    if args.misses:
        for frame, m in results.items():
            for miss in m["errors"]:
                kind = "FN" if miss["label"] else "FP"
                console.print(
                    f"[bold]{frame}[/bold] {kind} line {miss['line']} w={miss['weighted']:.2f}: {miss['text']}",
                    highlight=False,
                )


if __name__ == "__main__":
    main()
