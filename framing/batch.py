"""Batch runs: many documents → JSONL/CSV records, in parallel worker processes, streamed, resumable.

Documents are enumerated lazily (files, HTML pages, rows of JSONL/CSV corpora), sent to workers in
small chunks with a bounded number in flight, and written in input order as they come back, so memory
stays flat however large the run. A failure becomes an error record `{"source", "error"}`; nothing
else is lost.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import reader
from .errors import FramingError
from .output import checked_output_path
from .reader import CYRILLIC_ENCODINGS, HTML_SUFFIXES, Document, document_from_bytes, read_bytes
from .serialize import csv_header, csv_row, to_dict

TEXT_SUFFIXES = {".txt", ".text"}
CORPUS_SUFFIXES = {".jsonl", ".csv"}
DEFAULT_GLOB = "*"
CHUNK = 8


@dataclass(frozen=True)
class Task:
    """One document to analyse: a file to read, or a corpus row's text already in hand."""

    source: str
    path: str | None = None
    text: str | None = None
    id: str | None = None
    date: str | None = None
    group: str | None = None
    error: str | None = None  # a row that could not be read becomes an error record
    max_bytes: int | None = None  # size limit for a file (None: reader.MAX_BYTES)

    @property
    def key(self) -> str:
        return record_key({"source": self.source, "id": self.id})


@dataclass
class CorpusFields:
    text: str = "text"
    id: str = "id"
    date: str = "date"
    group: str | None = None  # a row field to group the summary by


def _is_candidate(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES


def iter_paths(paths: Iterable[str], recursive: bool, pattern: str | None) -> Iterator[Path]:
    """Files named on the command line as given; folders expanded (sorted, optionally recursive)."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = path.rglob(pattern or DEFAULT_GLOB) if recursive else path.glob(pattern or DEFAULT_GLOB)
            for child in sorted(found):
                if not child.is_dir() and (pattern or _is_candidate(child)) and not child.name.startswith("."):
                    yield child
        else:
            yield path


def corpus_encoding(path: Path) -> str:
    """Encoding of a corpus file, sniffed from its first 64 KB (so it can be streamed)."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the 64 KB boundary
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head, cp_isolation=CYRILLIC_ENCODINGS).best()
    return best.encoding if best else "utf-8"


def _corpus_rows(path: Path, fields: CorpusFields, max_bytes: int) -> Iterator[Task]:
    source = str(path)
    try:
        encoding = corpus_encoding(path)
        handle = open(path, encoding=encoding, newline="")
    except OSError as exc:
        yield Task(source, error=f"cannot read ({exc.strerror})")
        return
    number = 0
    with handle:
        try:
            if path.suffix.lower() == ".csv":
                csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # articles are long fields
                reader = csv.DictReader(handle)
                columns = reader.fieldnames or []
                if fields.text not in columns:
                    yield Task(source, error=f"no column '{fields.text}' (columns: {', '.join(columns) or 'none'}); see --text-field")
                    return
                for row in reader:
                    number = reader.line_num
                    yield _row_task(source, number, row, fields, max_bytes)
            else:
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        yield _row_task(source, number, _json_row(line), fields, max_bytes)
        except (UnicodeDecodeError, csv.Error) as exc:
            yield Task(source, id=f"line {number + 1}", error=f"unreadable corpus after line {number} ({type(exc).__name__}: {exc})")


DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
    (re.compile(r"^(\d{4})/(\d{2})/(\d{2})"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})"), (3, 2, 1)),
)


def iso_date(value) -> str | None:
    """YYYY-MM-DD from common corpus date forms (ISO with time, YYYYMMDD, DD.MM.YYYY); None otherwise."""
    text = str(value).strip()
    for pattern, (y, m, d) in DATE_FORMS:
        match = pattern.match(text)
        if match:
            return f"{match.group(y)}-{match.group(m)}-{match.group(d)}"
    return None


def _json_row(line: str) -> dict | str:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg}"
    return value if isinstance(value, dict) else "each line must be a JSON object"


def _row_task(source: str, number: int, row: dict | str, fields: CorpusFields, max_bytes: int) -> Task:
    if isinstance(row, str):
        return Task(source, id=f"line {number}", error=f"line {number}: {row}")
    row_id = row.get(fields.id)
    row_id = str(row_id) if row_id not in (None, "") else f"line {number}"
    text = row.get(fields.text)
    group = str(row.get(fields.group)) if fields.group and row.get(fields.group) is not None else None
    date = row.get(fields.date)
    if not isinstance(text, str) or not text.strip():
        return Task(source, id=row_id, error=f"line {number}: no text in field '{fields.text}'")
    size = len(text.encode("utf-8")) if len(text) > max_bytes // 4 else 0  # the limit files have, in UTF-8 bytes
    if size > max_bytes:
        return Task(source, id=row_id, error=f"line {number}: text too large ({size / 2**20:.3g} MB > {reader.size_limit(max_bytes)})")
    return Task(source, text=text, id=row_id, date=iso_date(date) if date else None, group=group)


def iter_tasks(paths: Iterable[str], recursive: bool = False, pattern: str | None = None, fields: CorpusFields | None = None,
               max_bytes: int | None = None) -> Iterator[Task]:
    fields = fields or CorpusFields()
    max_bytes = reader.MAX_BYTES if max_bytes is None else max_bytes  # the client's limit travels with each task
    for path in iter_paths(paths, recursive, pattern):
        if path.suffix.lower() in CORPUS_SUFFIXES and path.is_file():
            yield from _corpus_rows(path, fields, max_bytes)
        else:
            yield Task(str(path), path=str(path), max_bytes=max_bytes)


# --- workers ----------------------------------------------------------------------------------
_analyzer = None


def _init_worker(analyzer) -> None:
    global _analyzer
    _analyzer = analyzer


def analyze_task(task: Task, analyzer=None) -> dict:
    """Analyse one task into a record; every failure becomes `{"source", "error"}` (plus id).

    `analyzer` defaults to the one this process was given by `_init_worker` (the local engine's forked workers).
    """
    analyzer = analyzer or _analyzer
    base = {"source": task.source} | ({"id": task.id} if task.id is not None else {})
    if task.error:
        return base | {"error": task.error}
    try:
        if task.path is not None:
            path = Path(task.path)
            document = document_from_bytes(read_bytes(path, task.max_bytes), task.source, html=path.suffix.lower() in HTML_SUFFIXES)
        else:
            document = Document(text=task.text or "", source=task.source)
        analysis = analyzer.analyze(document.text, source=task.source, date=task.date)
        record = to_dict(analysis, with_text=getattr(analyzer, "with_text", False), id=task.id)
        if task.group is not None:
            record["group"] = task.group
        return record
    except FramingError as exc:
        return base | {"error": exc.reason}
    except Exception as exc:  # a bug must not cost the rest of the run
        return base | {"error": f"internal error: {type(exc).__name__}: {exc}"}


def _run_chunk(tasks: list[Task], analyzer=None) -> list[dict]:
    return [analyze_task(t, analyzer) for t in tasks]


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(tasks: Iterable[Task], analyzer, jobs: int = 1) -> Iterator[dict]:
    """Records in input order. jobs=1 runs in-process; otherwise forked workers share the loaded analyzer."""
    _init_worker(analyzer)
    if jobs <= 1:
        for task in tasks:
            yield analyze_task(task)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(analyzer,)) as pool:
        window: deque = deque()
        limit = jobs * 4
        for chunk in _chunks(tasks, CHUNK):
            window.append(pool.submit(_run_chunk, chunk))
            if len(window) >= limit:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()


# --- output -----------------------------------------------------------------------------------
def record_key(record: dict) -> str:
    """How a document is named in messages and matched on resume: source, plus #id for corpus rows."""
    return f"{record['source']}#{record['id']}" if record.get("id") not in (None, "") else str(record.get("source"))


CSV_TRAILING = ["error", "language"]  # after the frame columns: an error record's reason; the language check


class RecordWriter:
    """Writes JSONL or CSV line by line (flushed, so an interrupted run can resume)."""

    def __init__(self, handle, fmt: str, frame_ids: list[str], write_header: bool) -> None:
        self.handle, self.fmt, self.frame_ids = handle, fmt, frame_ids
        self.csv = csv.writer(handle, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None and write_header:
            self.csv.writerow(csv_header(frame_ids) + CSV_TRAILING)

    def write(self, record: dict) -> None:
        if self.csv is not None:
            self.csv.writerow(csv_row(record, self.frame_ids) + [record.get("error", ""), record.get("language", "")])
        else:
            self.handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.handle.flush()


# --- summary ----------------------------------------------------------------------------------
DATE_GROUPINGS = ("date:month", "date:year")
NO_DATE, MISSING = "(no date)", "(missing)"  # the group of records that lack the grouping value


def group_key(record: dict, group_by: str | None) -> str | None:
    if not group_by:
        return None
    if group_by in DATE_GROUPINGS:
        date = record.get("date") or ""
        return (date[:7] if group_by == "date:month" else date[:4]) or NO_DATE
    if group_by == "folder":
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
    skipped: int = 0
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # Always kept (one tally per month seen): the trend sparklines and the default charts are by month.
    months: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[str] = field(default_factory=list)

    def add(self, record: dict) -> None:
        if "error" in record:
            self.failed += 1
            if len(self.errors) < 20:
                self.errors.append(f"{record_key(record)}: {record['error']}")
            return
        self.ok.add(record)
        key = group_key(record, self.group_by)
        if key is not None:
            self.groups[key].add(record)
        if record.get("date"):
            self.months[group_key(record, "date:month")].add(record)


@dataclass
class ResumeState:
    done: int = 0  # records already written, a prefix of the inputs
    failed: int = 0  # error records among them
    last_key: str | None = None  # the last written record's key, to check the inputs are the same


def prepare_output(output: str, fmt: str, resume: bool, frame_ids: list[str]) -> tuple[Path, Path, ResumeState]:
    """Where to write, and how many records an interrupted run already wrote (with --resume).

    Records are written in input order, so an interrupted run's `.part` holds a prefix of the
    documents: resuming skips that many. A special file (/dev/null, a FIFO) is written directly.
    """
    final = checked_output_path(output)
    if final.exists() and not final.is_file():
        if resume:
            raise FramingError(output, "--resume needs a regular output file")
        return final, final, ResumeState()
    part = final.with_name(final.name + ".part")
    if not resume:
        part.unlink(missing_ok=True)
        return final, part, ResumeState()
    if not part.exists() and final.exists():
        _check_resumable(final, fmt, frame_ids)
        os.replace(final, part)
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
            raise FramingError(str(path), "cannot resume: not a CSV from this command (header differs: other format or lexicon set?)")
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
