"""Batch records on disk: writing them (JSONL or CSV, flushed line by line) and reading back what an
interrupted run wrote, so that `--resume` can finish it.

A `RecordSink` is a run's output: a file written through `NAME.part` (framing.output.AtomicFile) and
renamed when the run completes, or a stream such as stdout. Records are written in input order, so an
interrupted run's `.part` holds a prefix of the inputs; `prepare_output` cuts off a torn last record and
says how many records that prefix has.

Beside an output file, `NAME.settings.json` records what decides its records (framing version, mode,
lexicon set and model digests, corpus fields, format, ...), written when the run starts and kept after it.
A resume whose settings differ is refused (`SettingsMismatch`), so one file never mixes two runs' records.
Readers of the output never look at it.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FramingError
from .output import AtomicFile, write_text
from .serialize import csv_cell, csv_header, csv_row, csv_text

CSV_TRAILING = ["error", "language"]  # after the frame columns: an error record's reason; the language check


SETTINGS_SUFFIX = ".settings.json"
# What decides a run's records, compared on --resume; the sidecar also holds informational keys (lexicon folder).
COMPARED_SETTINGS = (
    "schema",
    "framing",
    "format",
    "mode",
    "lexicons",
    "model",
    "text_field",
    "id_field",
    "date_field",
    "group_field",
    "with_text",
    "max_bytes",
)


class SettingsMismatch(FramingError):
    """A --resume whose settings differ from those the output was started with (a usage error: exit 2)."""

    exit_status = 2


def record_key(record: dict) -> str:
    """How a document is named in messages and matched on resume: source, plus #id for corpus rows."""
    if record.get("id") not in (None, ""):
        return f"{record['source']}#{record['id']}"
    return str(record.get("source"))


def settings_path(output: str | Path) -> Path:
    """The settings sidecar of a batch output: `OUT` → `OUT.settings.json` (kept for the finished file too)."""
    path = Path(output)
    return path.with_name(path.name + SETTINGS_SUFFIX)


class RecordWriter:
    """Writes JSONL or CSV line by line (flushed, so an interrupted run can resume)."""

    def __init__(self, handle, fmt: str, frame_ids: list[str], write_header: bool) -> None:
        self.handle, self.fmt, self.frame_ids = handle, fmt, frame_ids
        self.csv = csv.writer(handle, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None and write_header:
            self.csv.writerow(csv_header(frame_ids) + CSV_TRAILING)

    def write(self, record: dict) -> None:
        if self.csv is not None:
            trailing = [record.get("error", ""), record.get("language", "")]
            self.csv.writerow([csv_cell(cell) for cell in csv_row(record, self.frame_ids) + trailing])
        else:
            self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()


@dataclass
class ResumeState:
    done: int = 0  # records already written, a prefix of the inputs
    failed: int = 0  # error records among them
    last_key: str | None = None  # the last written record's key, to check the inputs are the same
    errors: list[dict] = field(default_factory=list)  # the error records among them, for --errors
    warning: str | None = None  # something the user should know (resuming an output without settings)


class RecordSink:
    """A batch run's output: `output` (a file, resumable) or `stream` (default stdout) when there is none."""

    def __init__(self, output: str | None = None, fmt: str = "jsonl", stream=None) -> None:
        self.output, self.fmt, self.stream = output, fmt, stream
        self.target: AtomicFile | None = None
        self.handle = None
        self.writer: RecordWriter | None = None

    @property
    def name(self) -> str:
        """What messages call the place records go: the `.part` being written, or <stdout>."""
        return str(self.target.part) if self.target else "<stdout>"

    @property
    def kept(self) -> Path | None:
        """The file holding the records of an unfinished run, for --resume (None: a stream or special file)."""
        return self.target.part if self.target and not self.target.in_place else None

    def open(self, frame_ids: list[str], resume: bool = False, settings: dict | None = None) -> ResumeState:
        """Open for writing; with `resume`, after the records an interrupted run already wrote.

        `settings` (see framing.batch.batch_settings) go to the sidecar, and with `resume` must equal those
        the output was started with (SettingsMismatch otherwise).
        """
        if self.output is None:
            if resume:
                raise FramingError(None, "--resume needs an output file")
            self.handle = self.stream or sys.stdout
            self.writer = RecordWriter(self.handle, self.fmt, frame_ids, write_header=True)
            return ResumeState()
        final, part, state = prepare_output(self.output, self.fmt, resume, frame_ids, settings)
        self.target = AtomicFile(self.output)
        self.handle = open(part, "a", encoding="utf-8", newline="")
        write_header = part == final or part.stat().st_size == 0
        self.writer = RecordWriter(self.handle, self.fmt, frame_ids, write_header)
        return state

    def write(self, record: dict) -> None:
        self.writer.write(record)

    def close(self) -> None:
        if self.target is not None and self.handle is not None:
            try:
                self.handle.close()
            except OSError:
                pass  # already reported: closing flushes, and a full disk fails again

    def commit(self) -> None:
        """The run is complete: the `.part` becomes the output."""
        self.close()
        if self.target is not None:
            self.target.commit()


def prepare_output(
    output: str, fmt: str, resume: bool, frame_ids: list[str], settings: dict | None = None
) -> tuple[Path, Path, ResumeState]:
    """Where to write, and how many records an interrupted run already wrote (with --resume).

    Records are written in input order, so an interrupted run's `.part` holds a prefix of the
    documents: resuming skips that many. A special file (/dev/null, a FIFO) is written directly.
    With `settings`, the sidecar is written (a new run) or checked against them (a resume).
    """
    target = AtomicFile(output)
    final, part = target.final, target.part
    if target.in_place:
        if resume:
            raise FramingError(output, "--resume needs a regular output file")
        return final, part, ResumeState()
    if not resume:
        target.discard()
        _write_settings(final, settings)
        return final, part, ResumeState()
    existing = part if part.exists() else final if final.exists() else None
    if existing is None:  # nothing to resume: a new run
        _write_settings(final, settings)
        return final, part, ResumeState()
    warning = _check_settings(final, settings) if settings is not None else None
    _check_resumable(existing, fmt, frame_ids)
    state = _complete_records(existing, fmt, settings)
    if existing == final:
        final.replace(part)
    if warning is not None:
        _write_settings(final, settings)  # from now on the output has them
    state.warning = warning
    return final, part, state


def _write_settings(final: Path, settings: dict | None) -> None:
    if settings is not None:
        write_text(str(settings_path(final)), json.dumps(settings, ensure_ascii=False, indent=2) + "\n")


def _check_settings(final: Path, settings: dict) -> str | None:
    """Refuse a resume whose settings differ from the sidecar's; a warning (str) when there is no sidecar."""
    path = settings_path(final)
    if not path.exists():
        return (
            f"{final}: no {path.name} (an output of an older framing?): resuming without checking that mode, "
            "lexicons and model are the same"
        )
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(saved, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FramingError(str(path), f"cannot resume: unreadable settings file ({exc})") from None
    changed = [
        f"{_setting_name(key)} {_shown(saved.get(key))} → {_shown(settings.get(key))}"
        for key in COMPARED_SETTINGS
        if saved.get(key) != settings.get(key)
    ]
    if changed:
        raise SettingsMismatch(str(final), f"--resume with different settings: {', '.join(changed)}")
    return None


def _setting_name(key: str) -> str:
    return {"framing": "framing version", "group_field": "group-by field"}.get(key, key.replace("_", " "))


def _shown(value) -> str:
    if isinstance(value, str) and value.startswith("sha256:"):
        return value[len("sha256:") :][:12]
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _check_resumable(path: Path, fmt: str, frame_ids: list[str]) -> None:
    with open(path, encoding="utf-8", errors="replace") as handle:
        first = handle.readline().rstrip("\n")
    if not first:
        return
    if fmt == "csv":
        expected = ",".join(csv_header(frame_ids) + CSV_TRAILING)
        if first != expected:
            reason = "cannot resume: not a CSV from this command (header differs: other format or lexicon set?)"
            raise FramingError(str(path), reason)
    elif not first.startswith("{"):
        raise FramingError(str(path), "cannot resume: not a JSONL file from this command (use the same --format)")


def _complete_records(path: Path, fmt: str, settings: dict | None = None) -> ResumeState:
    """Finished records of an interrupted run, after cutting off a torn last record."""
    state = ResumeState()
    records, complete = (_csv_records if fmt == "csv" else _jsonl_records)(path)
    for record in records:
        state.done += 1
        if "error" in record:
            state.failed += 1
            state.errors.append(record)
        elif settings is not None and record.get("mode") not in (None, settings.get("mode")):
            # a file without a settings sidecar still tells its records' mode
            change = f"mode {record['mode']} → {settings.get('mode')}"
            raise SettingsMismatch(str(path), f"--resume with different settings: {change}")
        state.last_key = record_key(record)
    if complete < path.stat().st_size:
        with open(path, "r+b") as handle:
            handle.truncate(complete)
    return state


def _jsonl_records(path: Path) -> tuple[list[dict], int]:
    """The whole records of a JSONL output and the byte length they take (a torn last line excluded)."""
    records, complete = [], 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                break  # torn: the run stopped mid-line
            try:
                records.append(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise FramingError(str(path), f"cannot resume: line {number} is not a JSON record") from None
            complete += len(line)
    return records, complete


def _csv_records(path: Path) -> tuple[list[dict], int]:
    """The whole rows of a CSV output, as records (source, id, error: what resume needs), and the byte length
    they take. A row is whole when its last line ends in a newline outside quotes: a row torn inside a quoted
    multi-line field, or before its newline, is excluded."""
    position = {"consumed": 0, "ended": True}

    def lines():
        with open(path, "rb") as handle:
            for raw in handle:  # the csv reader pulls exactly the lines of one row, so offsets stay exact
                position["consumed"] += len(raw)
                position["ended"] = raw.endswith(b"\n")
                yield raw.decode("utf-8", errors="replace")

    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(lines(), strict=True)
    records: list[dict] = []
    header: list[str] | None = None
    complete = 0
    try:
        for row in reader:
            if not position["ended"]:
                break  # the last row lacks its newline: torn
            complete = position["consumed"]
            if header is None:
                header = row
                continue
            if row:
                cells = dict(zip(header, row))
                record = {"source": csv_text(cells.get("source", ""))}
                if cells.get("id"):
                    record["id"] = csv_text(cells["id"])
                if cells.get("error"):
                    record["error"] = csv_text(cells["error"])
                records.append(record)
    except csv.Error:
        if position["consumed"] < path.stat().st_size:  # not the end of the file: damaged, not torn
            where = f"row {len(records) + 1}"
            raise FramingError(str(path), f"cannot resume: {where} is not a CSV record") from None
    return records, complete
