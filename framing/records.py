"""Batch records on disk: writing them (JSONL or CSV, flushed line by line) and reading back what an
interrupted run wrote, so that `--resume` can finish it.

A `RecordSink` is a run's output: a file written through `NAME.part` (framing.output.AtomicFile) and
renamed when the run completes, or a stream such as stdout. Records are written in input order, so an
interrupted run's `.part` holds a prefix of the inputs; `prepare_output` cuts off a torn last line and
says how many records that prefix has.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import FramingError
from .output import AtomicFile
from .serialize import csv_header, csv_row

CSV_TRAILING = ["error", "language"]  # after the frame columns: an error record's reason; the language check


def record_key(record: dict) -> str:
    """How a document is named in messages and matched on resume: source, plus #id for corpus rows."""
    if record.get("id") not in (None, ""):
        return f"{record['source']}#{record['id']}"
    return str(record.get("source"))


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
            self.csv.writerow(csv_row(record, self.frame_ids) + trailing)
        else:
            self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()


@dataclass
class ResumeState:
    done: int = 0  # records already written, a prefix of the inputs
    failed: int = 0  # error records among them
    last_key: str | None = None  # the last written record's key, to check the inputs are the same


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

    def open(self, frame_ids: list[str], resume: bool = False) -> ResumeState:
        """Open for writing; with `resume`, after the records an interrupted run already wrote."""
        if self.output is None:
            if resume:
                raise FramingError(None, "--resume needs an output file")
            self.handle = self.stream or sys.stdout
            self.writer = RecordWriter(self.handle, self.fmt, frame_ids, write_header=True)
            return ResumeState()
        final, part, state = prepare_output(self.output, self.fmt, resume, frame_ids)
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


def prepare_output(output: str, fmt: str, resume: bool, frame_ids: list[str]) -> tuple[Path, Path, ResumeState]:
    """Where to write, and how many records an interrupted run already wrote (with --resume).

    Records are written in input order, so an interrupted run's `.part` holds a prefix of the
    documents: resuming skips that many. A special file (/dev/null, a FIFO) is written directly.
    """
    target = AtomicFile(output)
    final, part = target.final, target.part
    if target.in_place:
        if resume:
            raise FramingError(output, "--resume needs a regular output file")
        return final, part, ResumeState()
    if not resume:
        target.discard()
        return final, part, ResumeState()
    if not part.exists() and final.exists():
        _check_resumable(final, fmt, frame_ids)
        final.replace(part)
    if not part.exists():
        return final, part, ResumeState()
    _check_resumable(part, fmt, frame_ids)
    return final, part, _complete_records(part, fmt)


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


def _complete_records(path: Path, fmt: str) -> ResumeState:
    """Finished records of an interrupted run, after cutting off a torn last line."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data = data[: data.rfind(b"\n") + 1]
        with open(path, "r+b") as handle:
            handle.truncate(len(data))
    text = data.decode("utf-8", errors="replace")
    state = ResumeState()
    if fmt == "csv":
        for row in csv.DictReader(io.StringIO(text)):
            state.done += 1
            state.failed += bool(row.get("error"))
            state.last_key = record_key(row)
        return state
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise FramingError(str(path), f"cannot resume: line {state.done + 1} is not a JSON record") from None
        state.done += 1
        state.failed += "error" in record
        state.last_key = record_key(record)
    return state
