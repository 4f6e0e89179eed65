"""Candidate lexicon terms from real dev sentences: words of frame sentences that the lexicon missed.

    python scripts/mine_terms.py [--min-count 6] [--top 40]

For each frame, over the labelled sentences of real dev articles (data/real/sentences.jsonl) that carry the
frame but have no lexicon hit for it, content-lemma uni/bigrams ranked by smoothed log-odds against the
sentences without the frame, with their precision there. A list to read, not to paste: names of places and
people (topics of the sampled articles) come out on top too; terms were added by hand and checked against
the hard negatives with `python scripts/lexicon_eval.py`.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

from framing.corpus import load_examples
from framing.lexicon import load_lexicon_set
from framing.train import featurize

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "sentences.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-count", type=int, default=6)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    frames = load_lexicon_set().ids
    examples = load_examples(REAL, frames)
    units = featurize([e.text for e in examples])
    for frame in frames:
        carrying, other = Counter(), Counter()
        n_carrying = n_other = 0
        for example, unit in zip(examples, units):
            terms = {x for x in unit if not x.startswith("__")}
            if frame in example.labels:
                n_carrying += 1
                if f"__lex_{frame}" not in unit:
                    carrying.update(terms)
            else:
                n_other += 1
                other.update(terms)
        ranked = sorted(
            ((math.log((c + 0.5) / (n_carrying + 1)) - math.log((other[t] + 0.5) / (n_other + 1)), t, c, other[t])
             for t, c in carrying.items() if c >= args.min_count),
            reverse=True,
        )
        print(f"{frame} ({n_carrying} sentences carry it)")
        for _, term, c, o in ranked[: args.top]:
            print(f"  {term:<32} {c:>4} with, {o:>4} without  precision {c / (c + o):.2f}")


if __name__ == "__main__":
    main()
