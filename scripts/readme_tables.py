"""The README's real-news table, rendered from the files that hold the numbers (none typed by hand).

    python scripts/readme_tables.py           # rewrite the table between the README's markers
    python scripts/readme_tables.py --check   # exit 1 when the README differs (tests/test_real_data.py)

Sources: the shipped model card (dev figures, 5-fold grouped cross-validation, written by `framing train`),
data/real/*_result.json (each `framing evaluate … --format json` on a locked split, run once) and
data/written_results.json (`python scripts/written_sets.py`, the project-written regression sets) and the
full-archive table of bench/SOAK.md (`python bench/soak.py`) and the tables of bench/REAL.md
(`python bench/real.py`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
REAL = ROOT / "data" / "real"
CARD = ROOT / "framing" / "model" / "model_card.json"
START, END = "<!-- real-news-table:start (scripts/readme_tables.py) -->", "<!-- real-news-table:end -->"
WRITTEN_START = "<!-- written-table:start (scripts/readme_tables.py) -->"
WRITTEN_END = "<!-- written-table:end -->"
WRITTEN = ROOT / "data" / "written_results.json"
SOAK = ROOT / "bench" / "SOAK.md"
REAL_BENCH = ROOT / "bench" / "REAL.md"
SPEED_START, SPEED_END = "<!-- speed-table:start (scripts/readme_tables.py) -->", "<!-- speed-table:end -->"
SOAK_START, SOAK_END = "<!-- soak-table:start (scripts/readme_tables.py) -->", "<!-- soak-table:end -->"
# The tool before the real-news work (commit 186cdb1), combined mode, as recorded then: the written sets were
# its development and challenge sets. (macro-F1, dominant accuracy or None for short-text sets)
WRITTEN_BEFORE = {
    "examples/gold": (1.0, 1.0),
    "tests/data/heldout/articles": (1.0, 1.0),
    "tests/data/heldout/short_texts": (0.965, None),
    "tests/data/challenge/articles": (0.95, 0.92),
    "tests/data/challenge/short": (0.966, None),
    "tests/data/challenge_long": (0.914, 0.86),
}
FRAMES = ("partnership", "sovereignty", "global_south", "language_policy")
SMALL_SUPPORT = 12  # below this many articles coded ≥ 2, a frame's F1 is shown with its count

# (label, file, modes): the rows of the table, newest evidence first.
LOCKED = [
    ("**test13, locked** (the model test12 left: test12's codes in, dev7's disagreements settled, one run, as it came "
     "out)", "locked_test13_result.json", ("lexicon", "classifier", "combined")),
    ("**test12, locked** (the model test11 left: the tenth with test10's and test11's codes in, one run, as it came "
     "out)", "locked_test12_result.json", ("combined",)),
    ("**test11, locked** (the model test10 left: the tenth with test10's codes in, one run, as it came out)",
     "locked_test11_result.json", ("combined",)),
    ("**test10, locked** (tenth model: the older articles coded again by the current codebook, test9's codes in, "
     "one run, as it came out)", "locked_test10_result.json", ("combined",)),
    ("**test9, locked** (ninth model: eight Global South terms added, test8's codes in, one run, as it came out)",
     "locked_test9_result.json", ("combined",)),
    ("**test8, locked** (eighth model: dev7's articles and sentences, test7's codes in, one run, as it came out)",
     "locked_test8_result.json", ("combined",)),
    ("**test7, locked** (seventh model: page furniture blanked, test6's codes in, one run, as it came out)",
     "locked_test7_result.json", ("combined",)),
    ("**test6, locked** (the model test5 left, one run, as it came out)", "locked_test6_result.json", ("combined",)),
    ("**test5, locked** (fifth model, one run, as it came out)", "locked_test5_result.json", ("combined",)),
    ("test5, the previous model (for comparison, after the locked run)", "test5_previous_model.json", ("combined",)),
    ("**test4, locked** (fourth model, one run, as it came out)", "locked_test4_result.json", ("combined",)),
    ("test4, the model before it (for comparison, after the locked run)", "test4_previous_model.json", ("combined",)),
    ("**test3, locked** (third model, one run, as it came out)", "locked_test3_result.json", ("combined",)),
    ("**test2, locked** (second model, one run, as it came out)", "locked_test2_result.json", ("combined",)),
    ("**test, locked** (first model, one run, as it came out)", "locked_test_result.json", ("combined",)),
]


def mean_spearman(view: dict) -> float:
    if "mean_spearman" in view:
        return view["mean_spearman"]
    values = [view["frames"][f]["spearman"] for f in FRAMES if view["frames"][f]["spearman"] is not None]
    return sum(values) / len(values)  # a frame whose codes are all alike has no ρ and is left out


def frame_cell(metrics: dict) -> str:
    if metrics["f1"] is None:  # no article coded ≥ 2 and none predicted: F1 undefined, left out of macro-F1
        return "— (0)"
    support = metrics.get("support")
    suffix = f" ({support})" if support is not None and support < SMALL_SUPPORT else ""
    return f"{metrics['f1']:.2f}{suffix}"


def row(label: str, mode: str, view: dict, bold: bool = False) -> str:
    cells = [frame_cell(view["frames"][f]) for f in FRAMES]
    summary = [f"{view['macro_f1']:.3f}", f"{view['dominant_accuracy']:.3f}", f"{mean_spearman(view):.3f}"]
    if bold:
        summary = [f"**{value}**" for value in summary[:2]] + summary[2:]
    return "| " + " | ".join([label, mode, *cells, *summary]) + " |"


def table() -> str:
    lines = ["| set | mode | partnership F1 | sovereignty F1 | global_south F1 | language_policy F1 | macro-F1 "
             "| dominant acc. | mean ρ |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    card = json.loads(CARD.read_text(encoding="utf-8"))
    dev = card["metrics"]["document_cross_validated"]
    for mode in ("lexicon", "classifier", "combined"):
        lines.append(row("dev, 5-fold cross-validated by article", mode, dev[mode], bold=mode == "combined"))
    for label, name, modes in LOCKED:
        result = json.loads((REAL / name).read_text(encoding="utf-8"))
        for mode in modes:
            lines.append(row(label, mode, result["modes"][mode], bold=name.startswith("locked") and mode == "combined"))
    return "\n".join(lines)


def written_table() -> str:
    now = json.loads(WRITTEN.read_text(encoding="utf-8"))
    lines = ["| set | before (combined) | now (combined) |", "|---|---|---|"]

    def cell(macro: float, dominant: float | None) -> str:
        return f"macro-F1 {macro:.3f}" + (f", dominant {dominant:.2f}" if dominant is not None else "")

    for name, (macro, dominant) in WRITTEN_BEFORE.items():
        lines.append(f"| `{name}` | {cell(macro, dominant)} | "
                     f"{cell(now[name]['macro_f1'], now[name].get('dominant_accuracy'))} |")
    return "\n".join(lines)


def replace_between(text: str, start: str, end: str, body: str) -> str:
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def soak_table() -> str:
    """The table rows of the full run's block in bench/SOAK.md."""
    block = SOAK.read_text(encoding="utf-8").split("<!-- soak:full:begin -->", 1)[1].split("<!-- soak:full:end -->")[0]
    return "\n".join(line for line in block.splitlines() if line.startswith("|"))


def speed_tables() -> str:
    """The run and target tables of bench/REAL.md (`python bench/real.py`), as it wrote them."""
    text = REAL_BENCH.read_text(encoding="utf-8").split("\n## ", 1)[0]
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    return "\n".join(lines[first:]).strip()


def render(readme: str) -> str:
    readme = replace_between(readme, START, END, table())
    readme = replace_between(readme, SPEED_START, SPEED_END, speed_tables())
    readme = replace_between(readme, SOAK_START, SOAK_END, soak_table())
    return replace_between(readme, WRITTEN_START, WRITTEN_END, written_table())


def main() -> None:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        sys.exit(0 if fresh == current else "README's real-news table is stale: run python scripts/readme_tables.py")
    README.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
