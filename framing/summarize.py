"""Corpus summaries from finished batch outputs (JSONL or CSV), without analysing anything again.

Records are read back into the shape `batch` produced and fed to the same `Summary.add`, so the numbers
equal the live batch summary. Group series (present share and mean score per group, months without
documents filled in) feed the terminal sparklines and the charts; nothing here needs matplotlib.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .corpus import jsonl_objects, open_table
from .errors import FramingError
from .lexicon import load_lexicon_set
from .metrics import SMALL_GROUP, wilson
from .serialize import CSV_FIXED, csv_text
from .tally import DATE_GROUPINGS, MISSING, NO_DATE, Summary, Tally, field_grouping

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
ALL_DOCUMENTS = "all documents"
RECORDED = "group"  # summarize's grouping when the records carry the `group` that `batch --group-by FIELD` wrote


def _jsonl_records(handle, source: str) -> Iterator[dict]:
    for number, record in jsonl_objects(handle, source, what="a framing record"):
        if not ("frames" in record or "error" in record):
            raise FramingError(source, "not a framing record (no 'frames' or 'error'): is this a batch output?", number)
        yield record


def csv_frame_ids(columns: list[str]) -> list[str]:
    """Frame ids from a batch CSV header: `<frame>_score, <frame>_present` pairs after the fixed columns."""
    return [
        c[: -len("_score")] for c in columns if c.endswith("_score") and f"{c[: -len('_score')]}_present" in columns
    ]


def _csv_records(handle, source: str) -> Iterator[dict]:
    """Batch CSV rows as records (`csv_row` in reverse): empty cells are absent values, as batch wrote them."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.DictReader(handle)
    columns = reader.fieldnames or []
    frame_ids = csv_frame_ids(columns)
    if not set(CSV_FIXED) <= set(columns) or not frame_ids:
        raise FramingError(source, f"not a framing batch CSV (columns: {', '.join(columns) or 'none'})")
    for row in reader:
        base = {"source": csv_text(row["source"])} | ({"id": csv_text(row["id"])} if row.get("id") else {})
        if row.get("error"):
            yield base | {"error": csv_text(row["error"])}
            continue
        try:
            frames = [
                {"id": f, "score": float(row[f"{f}_score"]), "present": row[f"{f}_present"] == "1"}
                for f in frame_ids
                if row[f"{f}_score"] != ""
            ]
            tokens = int(row["tokens"] or 0)
        except (TypeError, ValueError) as exc:
            raise FramingError(source, f"not a framing batch CSV row ({exc})", reader.line_num) from None
        language = {"language": row["language"]} if row.get("language") else {}
        yield (
            base
            | {"date": row["date"] or None, "tokens": tokens, "dominant": row["dominant"] or None, "frames": frames}
            | language
        )


def iter_records(path: str | Path) -> Iterator[dict]:
    """Records of a batch output: CSV by suffix, otherwise JSON lines. Streams, so any size fits in memory."""
    path = Path(path)
    handle = open_table(path)
    with handle:
        try:
            yield from (_csv_records if path.suffix.lower() == ".csv" else _jsonl_records)(handle, str(path))
        except UnicodeDecodeError as exc:
            raise FramingError(str(path), f"not UTF-8 (byte {exc.start}): batch outputs are UTF-8") from None


@dataclass
class CorpusSummary:
    summary: Summary
    labels: dict[str, str]  # frame id → label, for tables and chart legends
    source: str
    inferred_grouping: bool = False  # grouped by the records' own `group` (batch --group-by FIELD) unasked


def summarize_file(
    path: str | Path, group_by: str | None = None, codebook_labels: dict[str, str] | None = None
) -> CorpusSummary:
    """Summary of a batch output. FIELD groups by the record's own field, else by the `group` batch wrote.

    `codebook_labels` (id → label, in lexicon order; default: the built-in set) orders the frames and names
    those the records do not label (CSV). Without `group_by`, records that carry a `group` (written by
    `batch --group-by FIELD`) are grouped by it, as the batch grouped them; `inferred_grouping` says so.
    """
    if codebook_labels is None:
        codebook_labels = {frame.id: frame.label for frame in load_lexicon_set().frames}
    field_group = field_grouping(group_by)
    summary = Summary([], group_by)
    labels: dict[str, str] = {}
    is_csv = Path(path).suffix.lower() == ".csv"
    recorded: dict[str, Tally] = defaultdict(Tally)  # the batch's own grouping, in case none was asked for
    for record in iter_records(path):
        for frame in record.get("frames", []):
            labels.setdefault(frame["id"], frame.get("label") or "")
        if field_group and field_group != "group" and record.get(field_group) not in (None, ""):
            record["group"] = str(record[field_group])
        summary.add(record)
        if group_by is None and "error" not in record:
            recorded[record.get("group") or MISSING].add(record)
    inferred = group_by is None and bool(set(recorded) - {MISSING})
    if inferred:
        summary.group_by, summary.groups = RECORDED, recorded
    summary.frame_ids = [f for f in codebook_labels if f in labels] + [f for f in labels if f not in codebook_labels]
    _check_grouping(summary, str(path), is_csv)
    labels = {f: labels[f] or codebook_labels.get(f) or f for f in summary.frame_ids}
    return CorpusSummary(summary, labels, str(path), inferred)


def _check_grouping(summary: Summary, source: str, is_csv: bool) -> None:
    """A grouping no record has a value for is a mistake worth one clear line, not an empty chart."""
    if not summary.group_by or not summary.ok.documents or set(summary.groups) - {NO_DATE, MISSING}:
        return
    if summary.group_by in DATE_GROUPINGS:
        raise FramingError(
            source, f"--group-by {summary.group_by}: no record has a date; group by folder or a corpus field instead"
        )
    hint = (
        "CSV outputs keep no group column: summarise the JSONL output of `batch --group-by FIELD`, or group by "
        "date:month, date:year or folder"
        if is_csv
        else f"the records were not written by `batch --group-by {summary.group_by}`"
    )
    raise FramingError(source, f"--group-by {summary.group_by}: no record has this field ({hint})")


# --- group series -----------------------------------------------------------------------------
@dataclass
class GroupSeries:
    """Per-group values in chart order; None where a group (a month with no documents) has nothing to show."""

    grouping: str  # date:month, date:year, folder, a FIELD, or "all"
    names: list[str]
    documents: list[int]
    present_count: dict[str, list[int]]
    present_share: dict[str, list[float | None]]
    mean_score: dict[str, list[float | None]]
    left_out: int  # documents without a value for the grouping (no date, missing field)

    def interval(self, frame_id: str, index: int) -> tuple[float, float] | None:
        """95 % Wilson interval of a group's present share; None where the group has no documents."""
        n = self.documents[index]
        return wilson(self.present_count[frame_id][index], n) if n else None

    def intervals(self, frame_id: str) -> list[tuple[float, float] | None]:
        return [self.interval(frame_id, i) for i in range(len(self.names))]

    def small(self, index: int) -> bool:
        """A group too small for its shares to say much (fewer than SMALL_GROUP documents, but some)."""
        return 0 < self.documents[index] < SMALL_GROUP

    @property
    def over_time(self) -> bool:
        return self.grouping in DATE_GROUPINGS


def _fill_periods(names: list[str], grouping: str) -> list[str]:
    """Every month (or year) from the first to the last, so a gap shows as a gap and not as a neighbour."""
    pattern = r"\d{4}-\d{2}" if grouping == "date:month" else r"\d{4}"
    if not names or not all(re.fullmatch(pattern, name) for name in names):
        return names
    if grouping == "date:year":
        return [str(year) for year in range(int(names[0]), int(names[-1]) + 1)]
    first, last = (int(names[0][:4]) * 12 + int(names[0][5:]) - 1), (int(names[-1][:4]) * 12 + int(names[-1][5:]) - 1)
    return [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first, last + 1)]


def group_series(groups: dict[str, Tally], grouping: str, frame_ids: list[str]) -> GroupSeries:
    real = sorted(name for name in groups if name not in (NO_DATE, MISSING))
    names = _fill_periods(real, grouping) if grouping in DATE_GROUPINGS else real
    tallies = [groups.get(name) or Tally() for name in names]
    documents = [t.documents for t in tallies]
    return GroupSeries(
        grouping=grouping,
        names=names,
        documents=documents,
        present_count={f: [t.present[f] for t in tallies] for f in frame_ids},
        present_share={f: [t.present[f] / t.documents if t.documents else None for t in tallies] for f in frame_ids},
        mean_score={f: [t.score_sum[f] / t.documents if t.documents else None for t in tallies] for f in frame_ids},
        left_out=sum(groups[name].documents for name in groups if name in (NO_DATE, MISSING)),
    )


def chart_series(summary: Summary) -> GroupSeries:
    """What the charts show: the --group-by groups, else months when records are dated, else all documents as one."""
    if summary.group_by:
        series = group_series(summary.groups, summary.group_by, summary.frame_ids)
    else:
        series = group_series(summary.months, "date:month", summary.frame_ids)
        series.left_out = summary.ok.documents - sum(series.documents)
    if not series.names:  # nothing to group by (no dates at all): one bar group for the whole corpus
        series = group_series({ALL_DOCUMENTS: summary.ok}, "all", summary.frame_ids)
    return series


def month_series(summary: Summary) -> GroupSeries:
    return group_series(summary.months, "date:month", summary.frame_ids)


def sparkline(values: list[float | None], top: float = 1.0) -> str:
    """Values in [0, top] as block characters (▁ 0 … █ top); blank where a group has no documents.

    Give every frame the same `top` so their lines compare; the caller says what █ means.
    """
    steps = len(SPARK_BLOCKS) - 1
    top = top or 1.0
    return "".join(" " if v is None else SPARK_BLOCKS[round(min(max(v / top, 0.0), 1.0) * steps)] for v in values)
