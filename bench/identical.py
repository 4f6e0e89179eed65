"""Byte-identical outputs across speed work: dump every record of a fixed input set, or compare with a dump.

    python bench/identical.py dump OUT.jsonl        # on the reference code
    python bench/identical.py compare REF.jsonl     # on the changed code: exit 1 on any difference

Inputs: ARTICLES real articles spread over ../shared/corpus/rt_ng_news.jsonl.gz (both halves), the seed, and
odd inputs (empty, English, Ukrainian, stress marks, soft hyphens, decomposed ё, a date header). Each is analysed
in the combined, lexicon and classifier modes, serialised as the CLI does (framing.serialize.to_json); then a
combined run with small segments (segment boundaries inside articles) and a small vocabulary limit (pipeline
renewals), so that every path of the analyzer is covered. Speed changes must leave every line unchanged.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "rt_ng_news.jsonl.gz"
SEED = ROOT / "seeds" / "000_0281386bebb0d4b9.txt"
ARTICLES = 300
STRIDE = 25  # every 25th article of the 7,580: both outlets, both halves, the whole date range
SMALL_SEGMENT_CHARS = 2_000  # segments cut inside articles: sentence context across segment boundaries
SMALL_VOCABULARY = 20_000  # renew the pipeline every few dozen articles
ODD_INPUTS = [
    "",
    "   \n\n  ",
    "The government said that the talks with Russia were over, and the ministers of the EU agreed.",
    "Президент України заявив, що Київ і Брюссель підписали угоду про вільну торгівлю.",
    "Росси\u0301я и Кита\u0301й подписа\u0301ли соглаше\u0301ние о стратеги\u0301ческом партнёрстве.",
    "Суве\u00adрени\u00adтет и незави\u00adсимость — основа госу\u00adдарства.",
    "Е\u0308жик и е\u0308лка: Росси\u0438\u0306ская Федерация укрепляет суверенитет.",
    " date 2023-05-01 \nМосква и Пекин договорились о сотрудничестве в области энергетики.",
    "12345 67 890 — 2015-2020 гг. 3,5% ВВП.",
    "Ақорда: Казахстан и Россия обсудили партнерство. Қазақстан Республикасы.",
    "«Санкт-Петербург» — российско-казахстанских переговоров т.е. и т.д. г. Москва, 5 долл.\n\nНовый абзац!!!",
    "\ufeffЁлки\u00a0и\u2009палки\u2011да\u202fнет\u2007нет\u2010нет.",
]


def inputs() -> list[tuple[str, str]]:
    """(name, text) pairs, in a fixed order."""
    items = [("seed", SEED.read_text(encoding="utf-8"))]
    items += [(f"odd{i}", text) for i, text in enumerate(ODD_INPUTS)]
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if n % STRIDE:
                continue
            row = json.loads(line)
            items.append((row["id"], f"{row['title']}\n{row['text']}"))
            if len(items) >= ARTICLES + 1 + len(ODD_INPUTS):
                break
    return items


def records() -> list[str]:
    """One JSON line per (run, input): the CLI's serialisation of the analysis."""
    from framing.analyzer import Analyzer
    from framing.serialize import to_json

    items = inputs()
    out = []
    for mode in ("combined", "lexicon", "classifier"):
        analyzer = Analyzer(mode=mode)
        for name, text in items:
            out.append(json.dumps({"run": mode, "name": name, "record": to_json(analyzer.analyze(text, source=name))},
                                  ensure_ascii=False))
    analyzer = Analyzer(mode="combined")
    analyzer.segment_chars = SMALL_SEGMENT_CHARS
    analyzer.vocabulary_limit = SMALL_VOCABULARY
    for name, text in items:
        out.append(json.dumps({"run": "segments", "name": name, "record": to_json(analyzer.analyze(text, source=name))},
                              ensure_ascii=False))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=("dump", "compare"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args()
    import framing

    print(f"framing from {Path(framing.__file__).parent}", file=sys.stderr)
    lines = records()
    if args.action == "dump":
        args.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} records written to {args.path}")
        return
    reference = args.path.read_text(encoding="utf-8").splitlines()
    if len(reference) != len(lines):
        print(f"DIFFERENT: {len(lines)} records, reference has {len(reference)}")
        sys.exit(1)
    different = [json.loads(a)["name"] + "/" + json.loads(a)["run"] for a, b in zip(lines, reference) if a != b]
    if different:
        print(f"DIFFERENT: {len(different)} of {len(lines)} records, e.g. {different[:10]}")
        sys.exit(1)
    print(f"identical: {len(lines)} records ({len(lines) // 4} inputs × combined, lexicon, classifier, segments)")


if __name__ == "__main__":
    main()
