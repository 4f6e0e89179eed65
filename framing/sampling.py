"""A stratified random sample of a batch output as a blind coding sheet, its sampling key and a coding guide.

Validating a content-analysis tool on one's own material means hand-coding a random sample and comparing. This
module draws that sample (`sample_results`) and writes three files (`write_sheet`):

* the sheet (CSV or JSONL, by suffix): what a coder reads and fills — id, source, date, title, the text (when the
  batch ran with --with-text) or a reference to it, and an empty 0–3 column per frame plus `dominant` and `notes`;
* the key (`<sheet>.key.jsonl`): the tool's scores, `present` flags, thresholds and dominant frame for each row,
  and the sampling design (strata, population and sample sizes, weights). It sits beside the sheet, not in it, so
  coders stay blind to the tool; `framing evaluate` joins the two (framing.validation);
* the guide (`<sheet>.guide.md`): the codebook (lexicons/codebook.toml) as a coding manual.

Rows are shuffled after drawing, so the order of the sheet does not reveal the strata either.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .errors import FramingError
from .lexicon import LexiconSet, builtin_lexicon_dir, load_lexicon_set
from .summarize import iter_records

STRATIFY = ("frame", "score", "group", "none")
NO_FRAME = "none"  # the frame stratum of documents with no frame present
SCORE_EDGES = (0.25, 0.5, 0.75)  # bins of a document's highest frame score: the tool's confidence
FIRST_WORDS = 12  # a title stand-in when the record has no title
CELL_LIMIT = 32_000  # spreadsheet programs cut cells near 32,767 characters: longer texts are cut with a pointer
INFO_COLUMNS = ["id", "source", "date", "title", "text", "text_ref"]
KEY_FORMAT = "framing-sample/1"
MAX_CODERS = 9


def key_path(sheet: str | Path) -> Path:
    """Where the sampling key of `sheet` lives: `sheet.csv` → `sheet.key.jsonl`."""
    sheet = Path(sheet)
    return sheet.with_name(f"{sheet.stem}.key.jsonl")


def guide_path(sheet: str | Path) -> Path:
    sheet = Path(sheet)
    return sheet.with_name(f"{sheet.stem}.guide.md")


def coder_suffixes(coders: int) -> list[str]:
    """Column suffixes of the coders' columns: one coder writes `partnership`, two write `partnership_1`, `_2`."""
    return [""] if coders == 1 else [f"_{k}" for k in range(1, coders + 1)]


def coder_columns(frames: list[str], coders: int = 1) -> list[str]:
    return [
        column
        for suffix in coder_suffixes(coders)
        for column in (*(f + suffix for f in frames), f"dominant{suffix}", f"notes{suffix}")
    ]


@dataclass
class Stratum:
    name: str
    population: int
    sampled: int = 0

    @property
    def weight(self) -> float | None:
        """Documents of the population each sampled one stands for (inverse inclusion probability)."""
        return self.population / self.sampled if self.sampled else None


@dataclass
class Sample:
    """The drawn records (in sheet order) with their strata, and the design that produced them."""

    results: str
    frames: list[str]
    stratify: str
    seed: int
    requested: int
    group_by: str | None
    strata: list[Stratum]
    records: list[dict] = field(default_factory=list)
    record_strata: list[str] = field(default_factory=list)
    skipped_errors: int = 0

    @property
    def population(self) -> int:
        return sum(s.population for s in self.strata)


def _present(record: dict) -> list[dict]:
    return [f for f in record.get("frames", []) if f.get("present")]


def stratum_of(record: dict, stratify: str, group_by: str | None = None) -> str:
    """The stratum a batch record falls in under one stratification."""
    if stratify == "frame":
        present = _present(record)
        if not present:
            return NO_FRAME
        ids = {f["id"] for f in present}
        return record["dominant"] if record.get("dominant") in ids else max(present, key=lambda f: f["score"])["id"]
    if stratify == "score":
        top = max((f["score"] for f in record.get("frames", [])), default=0.0)
        edges = (0.0, *SCORE_EDGES, 1.0)
        for low, high in zip(edges, edges[1:]):
            if top < high or high == 1.0:
                return f"score {low:.2f}–{high:.2f}"
    if stratify == "group":
        if group_by in ("date:month", "date:year"):
            date = record.get("date") or ""
            return (date[:7] if group_by == "date:month" else date[:4]) or "(no date)"
        if group_by == "folder":
            return str(Path(record["source"]).parent)
        value = record.get(group_by) if group_by else None
        value = value if value not in (None, "") else record.get("group")
        return str(value) if value not in (None, "") else "(missing)"
    return "all"


def allocate(populations: dict[str, int], n: int) -> dict[str, int]:
    """Equal allocation capped by each stratum's size; what a small stratum cannot take goes to the others.

    Equal (not proportional) sizes are the point: rare frames get enough documents to estimate their precision.
    """
    sizes = dict.fromkeys(populations, 0)
    remaining = min(n, sum(populations.values()))
    while remaining:
        open_strata = [s for s in populations if sizes[s] < populations[s]]
        share = max(remaining // len(open_strata), 1)
        for name in open_strata:
            take = min(share, populations[name] - sizes[name], remaining)
            sizes[name] += take
            remaining -= take
            if not remaining:
                break
    return sizes


def sample_results(
    results: str | Path,
    n: int,
    stratify: str = "frame",
    seed: int = 0,
    group_by: str | None = None,
    lexicons: LexiconSet | None = None,
) -> Sample:
    """Draw `n` records of a batch output (JSONL or CSV) without replacement, stratified; reproducible by `seed`.

    Two passes over the file (strata first, then the chosen records), so a large output is never held in memory.
    Error records are not sampled.
    """
    if stratify not in STRATIFY:
        raise FramingError(None, f"--stratify takes {', '.join(STRATIFY)}")
    if stratify == "group" and not group_by:
        raise FramingError(None, "--stratify group needs --group-by (date:month, date:year, folder or a record field)")
    strata: list[str] = []
    frames: list[str] = []
    errors = 0
    for record in iter_records(results):
        if "error" in record:
            strata.append("")
            errors += 1
            continue
        frames = frames or [f["id"] for f in record.get("frames", [])]
        strata.append(stratum_of(record, stratify, group_by))
    if len(strata) == errors:
        raise FramingError(str(results), "no analysed documents to sample (empty batch output, or only error records)")
    if lexicons is not None:  # the codebook's frame order, for the sheet's columns
        frames = [f for f in lexicons.ids if f in frames] + [f for f in frames if f not in lexicons.ids]
    populations = Counter(s for s in strata if s)
    order = sorted(populations, key=lambda s: (s == NO_FRAME, s))
    sizes = allocate({s: populations[s] for s in order}, n)
    rng = np.random.default_rng(seed)
    chosen: dict[int, str] = {}
    for name in order:
        members = [i for i, s in enumerate(strata) if s == name]
        for index in rng.choice(members, size=sizes[name], replace=False):
            chosen[int(index)] = name
    sheet_order = [int(i) for i in rng.permutation(sorted(chosen))]
    position = {index: k for k, index in enumerate(sheet_order)}
    picked: list[dict | None] = [None] * len(sheet_order)
    for index, record in enumerate(iter_records(results)):
        if index in position:
            picked[position[index]] = record
    sample = Sample(
        str(results),
        frames,
        stratify,
        seed,
        n,
        group_by,
        [Stratum(s, populations[s], sizes[s]) for s in order],
        records=[r for r in picked if r is not None],
        record_strata=[chosen[i] for i in sheet_order],
        skipped_errors=errors,
    )
    return sample


def _corpus_rows(path: Path, ids: set[str], id_field: str) -> dict[str, dict]:
    """The corpus rows with the wanted ids (for titles), or nothing when the corpus is not readable from here."""
    found: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            if path.suffix.lower() == ".csv":
                csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
                rows: Iterable = csv.DictReader(handle)
            else:
                rows = (json.loads(line) for line in handle if line.strip())
            for row in rows:
                if isinstance(row, dict) and str(row.get(id_field)) in ids:
                    found[str(row[id_field])] = row
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return found


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")


def sheet_rows(sample: Sample, title_field: str = "title", id_field: str = "id") -> list[dict]:
    """The coder-facing columns of each drawn record: title from the corpus row when readable, else first words."""
    wanted: dict[str, set[str]] = {}
    for record in sample.records:
        if record.get("id") not in (None, ""):
            wanted.setdefault(record["source"], set()).add(str(record["id"]))
    corpora = {
        source: _corpus_rows(Path(source), ids, id_field) for source, ids in wanted.items() if Path(source).is_file()
    }
    rows = []
    for record in sample.records:
        record_id = str(record.get("id") or "")
        corpus_row = corpora.get(record["source"], {}).get(record_id, {})
        text = record.get("text") or ""
        title = corpus_row.get(title_field) or (_first_words(text) if text else "")
        if not title and not record_id:
            try:
                from .reader import read_document

                title = _first_words(read_document(record["source"]).text)
            except FramingError:
                title = ""
        if len(text) > CELL_LIMIT:
            text = text[:CELL_LIMIT] + " … [cut: see text_ref]"
        ref = f"{record['source']}#{record_id}" if record_id else record["source"]
        rows.append(
            {
                "id": record_id,
                "source": record["source"],
                "date": record.get("date") or "",
                "title": str(title).strip(),
                "text": text,
                "text_ref": ref,
            }
        )
    return rows


def key_records(sample: Sample) -> list[dict]:
    """The key file's lines: the design first, then the tool's view of every sheet row, in sheet order."""
    header = {
        "format": KEY_FORMAT,
        "results": sample.results,
        "stratify": sample.stratify,
        "group_by": sample.group_by,
        "seed": sample.seed,
        "requested": sample.requested,
        "population": sample.population,
        "frames": sample.frames,
        "skipped_errors": sample.skipped_errors,
        "strata": [
            {"name": s.name, "population": s.population, "sampled": s.sampled, "weight": s.weight}
            for s in sample.strata
        ],
    }
    weights = {s.name: s.weight for s in sample.strata}
    rows = []
    for record, stratum in zip(sample.records, sample.record_strata):
        frames = {
            f["id"]: {k: f[k] for k in ("score", "present", "threshold") if k in f} for f in record.get("frames", [])
        }
        rows.append(
            {
                "id": str(record.get("id") or ""),
                "source": record["source"],
                "stratum": stratum,
                "weight": weights[stratum],
                "dominant": record.get("dominant") or NO_FRAME,
                "frames": frames,
            }
        )
    return [header, *rows]


def coding_guide(lexicons: LexiconSet, sheet_name: str, frames: list[str], coders: int = 1) -> str:
    """The codebook as a Markdown coding manual: scale, rules, each frame's definition, inclusions, exclusions."""
    coding = _coding_section(lexicons)
    lines = [
        f"# Coding guide for `{sheet_name}`",
        "",
        "Code every row of the sheet by reading the article (the `text` column, or the file named in `text_ref`). "
        "Do not look at the tool's output: the key file beside the sheet is for `framing evaluate` only.",
        "",
        "Columns to fill"
        + (" (each coder fills only their own numbered columns, without seeing the other's)" if coders > 1 else "")
        + ":",
        "",
        *(f"- `{f}{s}`: 0–3, by the scale below" for s in coder_suffixes(coders) for f in frames),
        *(f"- `dominant{s}`: one of {', '.join(f'`{f}`' for f in frames)} or `none`" for s in coder_suffixes(coders)),
        *(f"- `notes{s}`: optional, free text" for s in coder_suffixes(coders)),
        "",
        "Leave a row's codes all blank to skip it (it is reported as not coded).",
        "",
        "## Scale",
        "",
    ]
    lines += [f"- {step}" for step in coding.get("scale", [])] or ["- 0 absent, 1 marginal, 2 present, 3 central"]
    if coding.get("dominant"):
        lines += ["", f"**Dominant frame:** {coding['dominant']}"]
    if coding.get("rules"):
        lines += ["", "## Rules", "", *(f"{k}. {rule}" for k, rule in enumerate(coding["rules"], 1))]
    for frame in lexicons.frames:
        if frame.id not in frames:
            continue
        lines += ["", f"## `{frame.id}` — {frame.label_en} / {frame.label_ru}", "", " ".join(frame.definition.split())]
        for title, items in (
            ("Counts", frame.includes),
            ("Does not count", frame.excludes),
            ("Examples", frame.examples),
        ):
            if items:
                lines += ["", f"**{title}:**", "", *(f"- {item}" for item in items)]
    return "\n".join(lines) + "\n"


def _coding_section(lexicons: LexiconSet) -> dict:
    """The codebook's [coding] table (scale, dominant rule, rules), from the set's own codebook or the built-in one."""
    for root in (Path(str(lexicons.root)), builtin_lexicon_dir()):
        path = root / "codebook.toml"
        try:
            coding = tomllib.loads(path.read_text(encoding="utf-8")).get("coding")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(coding, dict):
            return coding
    return {}


def _write_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    tmp.replace(path)


@dataclass
class SheetFiles:
    sheet: Path
    key: Path
    guide: Path


def write_sheet(
    sample: Sample,
    output: str | Path,
    lexicons: LexiconSet | None = None,
    coders: int = 1,
    title_field: str = "title",
    id_field: str = "id",
) -> SheetFiles:
    """Write the sheet (CSV with a BOM, so spreadsheet programs read the Cyrillic right, or JSONL), key and guide."""
    if not 1 <= coders <= MAX_CODERS:
        raise FramingError(None, f"--coders takes 1 … {MAX_CODERS}")
    output = Path(output)
    lexicons = lexicons or load_lexicon_set()
    blank = dict.fromkeys(coder_columns(sample.frames, coders), "")
    rows = [row | blank for row in sheet_rows(sample, title_field, id_field)]
    if output.suffix.lower() == ".csv":
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*INFO_COLUMNS, *blank], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        _write_atomic(output, buffer.getvalue(), encoding="utf-8-sig")
    else:
        _write_atomic(output, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    files = SheetFiles(output, key_path(output), guide_path(output))
    _write_atomic(files.key, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in key_records(sample)))
    _write_atomic(files.guide, coding_guide(lexicons, output.name, sample.frames, coders))
    return files
