"""Running corpus aggregates over batch records: the live `batch` summary and `framing summarize` share them.

`Summary.add` takes records as `batch` writes them (or as `summarize` reads them back), keeps counts only,
never the records, so memory does not grow with the corpus. `field_grouping` is the one rule for which
`--group-by` values name a record field rather than a date period or the folder.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .records import record_key

DATE_GROUPINGS = ("date:month", "date:year")
FOLDER = "folder"
NO_DATE, MISSING = "(no date)", "(missing)"  # the group of records that lack the grouping value
ERRORS_LISTED = 20  # failures quoted in the summary; the rest are counted (all are in the records)


def field_grouping(group_by: str | None) -> str | None:
    """The record (or corpus row) field that `--group-by` names, None for date:month, date:year and folder."""
    return group_by if group_by and group_by not in (*DATE_GROUPINGS, FOLDER) else None


def group_key(record: dict, group_by: str | None) -> str | None:
    if not group_by:
        return None
    if group_by in DATE_GROUPINGS:
        date = record.get("date") or ""
        return (date[:7] if group_by == "date:month" else date[:4]) or NO_DATE
    if group_by == FOLDER:
        return str(Path(record["source"]).parent)
    return record.get("group") or MISSING


@dataclass
class Tally:
    documents: int = 0
    tokens: int = 0
    present: Counter = field(default_factory=Counter)
    score_sum: Counter = field(default_factory=Counter)
    dominant: Counter = field(default_factory=Counter)
    not_russian: int = 0  # analysed with a language warning: no frame claimed

    def add(self, record: dict) -> None:
        self.documents += 1
        self.tokens += record.get("tokens", 0)
        self.not_russian += int(record.get("language", "ru") != "ru")
        for frame in record.get("frames", []):
            self.present[frame["id"]] += int(frame["present"])
            self.score_sum[frame["id"]] += frame["score"]
        self.dominant[record.get("dominant") or "none"] += 1


@dataclass
class Summary:
    """Running aggregates only (no records kept), so memory does not grow with the corpus."""

    frame_ids: list[str]
    group_by: str | None = None
    ok: Tally = field(default_factory=Tally)
    failed: int = 0
    skipped: int = 0  # records an interrupted run had already written (--resume): not in `ok`
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # Always kept (one tally per month seen): the trend sparklines and the default charts are by month.
    months: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[str] = field(default_factory=list)
    first_date: str | None = None  # the earliest and latest date of the documents analysed (None: none dated)
    last_date: str | None = None

    def add(self, record: dict) -> None:
        if "error" in record:
            self.failed += 1
            if len(self.errors) < ERRORS_LISTED:
                self.errors.append(f"{record_key(record)}: {record['error']}")
            return
        self.ok.add(record)
        key = group_key(record, self.group_by)
        if key is not None:
            self.groups[key].add(record)
        date = record.get("date")
        if date:
            self.months[group_key(record, "date:month")].add(record)
            self.first_date = date if self.first_date is None else min(self.first_date, date)
            self.last_date = date if self.last_date is None else max(self.last_date, date)

    @property
    def undated(self) -> int:
        """Documents analysed without a date: counted in every total, in no month."""
        return self.ok.documents - sum(t.documents for t in self.months.values())
