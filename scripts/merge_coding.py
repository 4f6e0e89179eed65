"""Merge the coders' files into data/real/ (kept for the record; the coding files live outside the repo).

    python scripts/merge_coding.py sentences CODING_DIR    → data/real/sentences.jsonl
    python scripts/merge_coding.py articles CODING_DIR     → data/real/dev.jsonl, test.jsonl, test2.jsonl,
                                                             agreement.json
    python scripts/merge_coding.py round3 CODING_DIR       → more dev sentences appended to sentences.jsonl;
                                                             data/real/test3.jsonl, agreement_test3.json
    python scripts/merge_coding.py round4 CODING_DIR       → new dev articles (codes + sentences) appended to
                                                             dev.jsonl and sentences.jsonl; test4.jsonl,
                                                             agreement_test4.json
    python scripts/merge_coding.py round5 CODING_DIR       → more dev articles (codes + sentences); run again on the
                                                             sixth round's folder, test5.jsonl, agreement_test5.json
    python scripts/merge_coding.py round6 CODING_DIR       → the same, sixth round; run again on test6's folder (codes
                                                             only), test6.jsonl, agreement_test6.json
    python scripts/merge_coding.py round8 CODING_DIR       → test8.jsonl, agreement_test8.json (round7: dev7's
                                                             articles and sentences)
    python scripts/merge_coding.py second7 CODING_DIR      → agreement_dev7.json: dev7's blind second coding
    python scripts/merge_coding.py resolve7 CODING_DIR     → dev.jsonl: its 5 disagreements settled by a third blind
                                                             coding and, where that differs, adjudication
    python scripts/merge_coding.py round9 CODING_DIR       → test9.jsonl, agreement_test9.json (round10, round11: the
                                                             same for test10, test11)
    python scripts/merge_coding.py recode CODING_DIR       → dev.jsonl, test.jsonl … test7.jsonl: the articles coded
                                                             before test8's rules, coded again blind by the current
                                                             codebook and the disagreements adjudicated (both
                                                             codings kept as `first`, `second`);
                                                             agreement_recode.json

CODING_DIR holds what coders were given (`sentences_*.txt`: `[ID#N] sentence` lines) and `out/` what they
wrote (`sentences_*.jsonl`, `primary_*.jsonl`, `second_*.jsonl`, `adjudicated_*.jsonl`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from framing.validation import krippendorff_alpha

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
FRAMES = ("partnership", "sovereignty", "global_south", "language_policy")
SENTENCE_LINE = re.compile(r"^\[(?P<id>[^#\]]+)#(?P<n>\d+)\] (?P<text>.*)$")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict], mode: str = "w") -> None:
    """One JSON object per line (`mode` "a" appends), the counterpart of `read_jsonl`."""
    with path.open(mode, encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def given_sentences(coding: Path, pattern: str) -> dict[tuple[str, int], str]:
    """(article id, sentence number) → text, from the `[ID#N] sentence` lines the labellers were given."""
    texts: dict[tuple[str, int], str] = {}
    for given in sorted(coding.glob(pattern)):
        for line in given.read_text(encoding="utf-8").splitlines():
            match = SENTENCE_LINE.match(line)
            if match:
                texts[(match["id"], int(match["n"]))] = match["text"]
    return texts


def merge_sentences(coding: Path) -> None:
    texts = given_sentences(coding, "sentences_*.txt")
    rows = []
    for labelled in sorted((coding / "out").glob("sentences_*.jsonl")):
        for article in read_jsonl(labelled):
            for n in range(article["n"]):
                labels = sorted(set(article["labels"].get(str(n), [])), key=FRAMES.index)
                rows.append({"text": texts[(article["id"], n)], "labels": labels, "article": article["id"], "n": n})
    write_jsonl(REAL / "sentences.jsonl", rows)
    print(f"{len(rows)} sentences from {len({r['article'] for r in rows})} articles")


def presence_f1(first: list[int], second: list[int]) -> float | None:
    both = sum(1 for a, b in zip(first, second) if a >= 2 and b >= 2)
    either = sum(1 for a in first if a >= 2) + sum(1 for b in second if b >= 2)
    return None if either == 0 else 2 * both / either


def agreement(primary: dict[str, dict], second: dict[str, dict]) -> dict:
    ids = sorted(set(primary) & set(second))
    report: dict = {"articles": len(ids), "frames": {}}
    for frame in FRAMES:
        first = [primary[i]["codes"][frame] for i in ids]
        other = [second[i]["codes"][frame] for i in ids]
        alpha = krippendorff_alpha([list(pair) for pair in zip(first, other)], "ordinal")
        f1 = presence_f1(first, other)
        report["frames"][frame] = {
            "presence_f1": None if f1 is None else round(f1, 3),
            "alpha_ordinal": None if alpha is None else round(alpha, 3),
            "exact": round(sum(a == b for a, b in zip(first, other)) / len(ids), 3),
            "positives": [sum(a >= 2 for a in first), sum(b >= 2 for b in other)],
        }
    defined = [m["presence_f1"] for m in report["frames"].values() if m["presence_f1"] is not None]
    report["presence_macro_f1"] = round(sum(defined) / len(defined), 3)
    report["dominant_agreement"] = round(
        sum(primary[i]["dominant"] == second[i]["dominant"] for i in ids) / len(ids), 3
    )
    return report


def disagreements(primary: dict[str, dict], second: dict[str, dict]) -> list[str]:
    """Articles whose presence (code ≥ 2) or dominant frame differ between the coders."""
    return sorted(
        i
        for i in set(primary) & set(second)
        if primary[i]["dominant"] != second[i]["dominant"]
        or any((primary[i]["codes"][f] >= 2) != (second[i]["codes"][f] >= 2) for f in FRAMES)
    )


def write_agreement(
    name: str, primary: dict[str, dict], second: dict[str, dict], adjudicated: dict[str, dict] | None = None
) -> dict:
    """The agreement report of two codings (with the disagreements and, where there was adjudication, which articles
    were adjudicated) → data/real/`name`; printed without the disagreement list."""
    report = agreement(primary, second)
    report["disagreements"] = disagreements(primary, second)
    if adjudicated is not None:
        report["adjudicated"] = sorted(adjudicated)
    (REAL / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "disagreements"}, indent=1))
    return report


def merge_articles(coding: Path) -> None:
    out = coding / "out"
    primary = {r["id"]: r for path in sorted(out.glob("primary_*.jsonl")) for r in read_jsonl(path)}
    second = {r["id"]: r for path in sorted(out.glob("second_*.jsonl")) for r in read_jsonl(path)}
    adjudicated = {r["id"]: r for path in sorted(out.glob("adjudicated_*.jsonl")) for r in read_jsonl(path)}
    report = write_agreement("agreement.json", primary, second, adjudicated)
    pool = read_jsonl(REAL / "articles.jsonl")
    splits: dict[str, list[dict]] = {"dev": [], "test": [], "test2": []}
    for article in pool:
        final = adjudicated.get(article["id"]) or primary.get(article["id"])
        if final is None:
            continue
        record = {k: article[k] for k in ("id", "outlet", "url", "date", "title", "text", "stratum")}
        record.update(
            codes={f: int(final["codes"][f]) for f in FRAMES},
            dominant=final["dominant"],
            why=final["why"],
            coding="adjudicated"
            if article["id"] in adjudicated
            else ("double" if article["id"] in second else "single"),
        )
        splits[article["split"]].append(record)
    # The seed article (seeds/, real, not in the corpus) coded blind like the others; dev only.
    seed_codes = out / "seed_1.jsonl"
    if seed_codes.exists():
        final = read_jsonl(seed_codes)[0]
        seed = next((REAL.parent.parent / "seeds").glob("*.txt"))
        splits["dev"].append(
            {
                "id": "seed-000",
                "outlet": "seed",
                "url": None,
                "date": "2025-11-12",
                "title": "",
                "text": seed.read_text(encoding="utf-8"),
                "stratum": "seed",
                "codes": {f: int(final["codes"][f]) for f in FRAMES},
                "dominant": final["dominant"],
                "why": final["why"],
                "coding": "single",
            }
        )
    for name, rows in splits.items():
        write_jsonl(REAL / f"{name}.jsonl", rows)
    print("disagreements:", len(report["disagreements"]), "dev", len(splits["dev"]), "test", len(splits["test"]))


def final_code(record: dict) -> dict:
    """A coder's record checked against the codebook's scale and dominant rule (the dominant frame has the top code)."""
    codes = {f: int(record["codes"][f]) for f in FRAMES}
    top = max(codes.values())
    if not all(0 <= v <= 3 for v in codes.values()) or (
        record["dominant"] != "none" if top < 2 else codes.get(record["dominant"]) != top
    ):
        raise SystemExit(f"{record['id']}: codes {codes} and dominant {record['dominant']!r} break the codebook's rule")
    return {"codes": codes, "dominant": record["dominant"], "why": record["why"]}


def merge_later_round(coding: Path, tag: str) -> None:
    """Sentence labels of round `tag` (`sentences_r{tag}_*`; with codes, their articles join dev) and the locked
    split test{tag} (`primary_t{tag}_*`, `second_t{tag}_*`, `adjudicated_t{tag}_*`)."""
    out = coding / "out"
    pool = {r["id"]: r for r in read_jsonl(REAL / "articles.jsonl")}
    existing = read_jsonl(REAL / "sentences.jsonl")
    done = {r["article"] for r in existing}
    texts = given_sentences(coding, f"sentences_r{tag}_*.txt")
    added, new_dev = 0, []
    with (REAL / "sentences.jsonl").open("a", encoding="utf-8") as handle:
        for labelled in sorted(out.glob(f"sentences_r{tag}_*.jsonl")):
            for article in read_jsonl(labelled):
                if article["id"] in done:
                    continue
                done.add(article["id"])
                if "codes" in article:
                    new_dev.append(article_record(pool[article["id"]], final_code(article), "single"))
                for n in range(article["n"]):
                    labels = sorted(set(article["labels"].get(str(n), [])), key=FRAMES.index)
                    row = {"text": texts[(article["id"], n)], "labels": labels, "article": article["id"], "n": n}
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                    added += 1
    print(f"{added} sentences added; {len(done)} dev articles have sentence labels")
    if new_dev:
        write_jsonl(REAL / "dev.jsonl", new_dev, mode="a")
        print(f"dev: {len(new_dev)} articles added")
    primary = {r["id"]: r for path in sorted(out.glob(f"primary_t{tag}_*.jsonl")) for r in read_jsonl(path)}
    if not primary:
        return  # a round of training articles only
    second = {r["id"]: r for path in sorted(out.glob(f"second_t{tag}*.jsonl")) for r in read_jsonl(path)}
    adjudicated = {r["id"]: r for path in sorted(out.glob(f"adjudicated_t{tag}_*.jsonl")) for r in read_jsonl(path)}
    if second:
        write_agreement(f"agreement_test{tag}.json", primary, second, adjudicated)
    rows = []
    for article in pool.values():
        final = adjudicated.get(article["id"]) or primary.get(article["id"])
        if article["split"] != f"test{tag}" or final is None:
            continue
        double = "double" if article["id"] in second else "single"
        coding_kind = "adjudicated" if article["id"] in adjudicated else double
        rows.append(article_record(article, final_code(final), coding_kind))
    write_jsonl(REAL / f"test{tag}.jsonl", rows)
    print(f"test{tag}: {len(rows)} articles")


def article_record(article: dict, final: dict, coding_kind: str) -> dict:
    record = {k: article[k] for k in ("id", "outlet", "url", "date", "title", "text", "stratum")}
    record.update(**final, coding=coding_kind)
    return record


def dev_round_agreement(coding: Path, tag: str) -> None:
    """A blind second coding of some of dev round `tag`'s articles (`second_r{tag}.jsonl`) against the labellers'
    codes (`sentences_r{tag}_*.jsonl`) → agreement_dev{tag}.json. The labellers' codes stay the dev codes."""
    out = coding / "out"
    primary = {r["id"]: r for path in sorted(out.glob(f"sentences_r{tag}_*.jsonl")) for r in read_jsonl(path)}
    second = {r["id"]: r for r in read_jsonl(out / f"second_r{tag}.jsonl")}
    write_agreement(f"agreement_dev{tag}.json", primary, second)


def own_coding(row: dict) -> dict:
    """The coding a data row holds now, kept as `first` when another coding replaces it."""
    return {k: row[k] for k in ("codes", "dominant", "why", "coding")}


def resolve_dev_round(coding: Path, tag: str) -> None:
    """The disagreements of dev round `tag`'s blind second coding (agreement_dev{tag}.json), settled later: a third
    blind coding (`third_dev{tag}.jsonl`) where it agrees with the labeller's code on presence and dominant frame, else
    an adjudicator (`adjudicated_dev{tag}.jsonl`) who read the article and both codes. The labeller's code stays on the
    row as `first`, the third coding as `third`; the sentence labels are not changed."""
    out = coding / "out"
    name = f"agreement_dev{tag}.json"
    report = json.loads((REAL / name).read_text(encoding="utf-8"))
    third = {r["id"]: final_code(r) for r in read_jsonl(out / f"third_dev{tag}.jsonl")}
    adjudicated = {r["id"]: final_code(r) for r in read_jsonl(out / f"adjudicated_dev{tag}.jsonl")}
    rows = read_jsonl(REAL / "dev.jsonl")
    for row in rows:
        if row["id"] not in report["disagreements"]:
            continue
        first = row.get("first") or own_coding(row)  # re-runs keep it
        agree = not disagreements({row["id"]: first}, {row["id"]: third[row["id"]]})
        if not agree and row["id"] not in adjudicated:
            raise SystemExit(f"{row['id']}: the third coding differs from the first and is not adjudicated")
        row.update(first=first, third=third[row["id"]])
        if not agree:
            row.update(adjudicated[row["id"]], coding="adjudicated")
        else:
            row["coding"] = "double"  # two blind codings (first and third) agree
    write_jsonl(REAL / "dev.jsonl", rows)
    report["adjudicated"] = sorted(adjudicated)
    report["settled_by_third_coding"] = sorted(set(report["disagreements"]) - set(adjudicated))
    (REAL / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(report['disagreements'])} disagreements: {len(adjudicated)} adjudicated, "
          f"{len(report['settled_by_third_coding'])} settled by a third blind coding")


RECODED_FILES = ("dev.jsonl", "test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl",
                 "test7.jsonl")  # the articles coded before test8's rules: coded again, blind, by the current codebook


def merge_recoding(coding: Path) -> None:
    """Articles coded again, blind, by the current codebook (`out/drift_*`, `out/recode_*`, `out/spent_*.jsonl`), the
    two codings' disagreements adjudicated (`out/adjudicated_*.jsonl`): the final codes are the adjudicator's where
    the codings differ on presence or dominant frame, else the second coding's (the current codebook's levels); both
    codings are kept on the row (`first`, `second`). agreement_recode.json measures the drift between them."""
    out = coding / "out"
    paths = sorted([*out.glob("drift_*.jsonl"), *out.glob("recode_*.jsonl"), *out.glob("spent_*.jsonl")])
    recoded = {r["id"]: r for path in paths for r in read_jsonl(path)}
    adjudicated = {r["id"]: r for path in sorted(out.glob("adjudicated_*.jsonl")) for r in read_jsonl(path)}
    files = {name: read_jsonl(REAL / name) for name in RECODED_FILES}
    first = {r["id"]: r.get("first", r) for rows in files.values() for r in rows if r["id"] in recoded}
    report = write_agreement("agreement_recode.json", first, recoded, adjudicated)
    missing = set(report["disagreements"]) - set(adjudicated)
    if missing:
        raise SystemExit(f"{len(missing)} disagreements not adjudicated, e.g. {sorted(missing)[:3]}")
    for name, rows in files.items():
        twice = [row for row in rows if row["id"] in recoded]
        for row in twice:
            row.setdefault("first", own_coding(row))
            row["second"] = final_code(recoded[row["id"]])
            final = adjudicated.get(row["id"]) or recoded[row["id"]]
            row.update(final_code(final), coding="adjudicated" if row["id"] in adjudicated else "double")
        write_jsonl(REAL / name, rows)
        print(f"{name}: {len(twice)} of {len(rows)} articles coded twice")


if __name__ == "__main__":
    command, coding_dir = sys.argv[1], Path(sys.argv[2])
    if command.startswith("round"):  # round3 … round13: the later rounds, one rule
        merge_later_round(coding_dir, command.removeprefix("round"))
    elif command.startswith("second"):  # second7: agreement of a dev round's blind second coding
        dev_round_agreement(coding_dir, command.removeprefix("second"))
    elif command.startswith("resolve"):  # resolve7: its disagreements settled by a third coding and adjudication
        resolve_dev_round(coding_dir, command.removeprefix("resolve"))
    else:
        {"sentences": merge_sentences, "articles": merge_articles, "recode": merge_recoding}[command](coding_dir)
