"""Batch inputs: what `framing batch PATH...` names, enumerated lazily as `Task`s.

Files and folders (sorted, optionally recursive; `.txt`, `.html/.htm`), and the rows of JSONL/CSV corpora
(text, id, date and group fields, any common Cyrillic encoding, dates in common forms). Nothing is read
here but corpus rows: a file becomes a task that a worker reads, so a huge folder costs no memory.
A row that cannot be used becomes a task carrying its error, which becomes an error record.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import reader
from .reader import CYRILLIC_ENCODINGS, HTML_SUFFIXES, bom_encoding
from .records import record_key

TEXT_SUFFIXES = {".txt", ".text"}
CORPUS_SUFFIXES = {".jsonl", ".csv"}
DEFAULT_GLOB = "*"
ENCODING_SNIFF_BYTES = 65536  # a corpus's encoding is judged on its head, so that it can be streamed


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


@dataclass(frozen=True)
class Sources:
    """The inputs of one batch run; `tasks()` enumerates them afresh each time (a resume re-lists them)."""

    paths: tuple[str, ...]
    recursive: bool = False
    pattern: str | None = None
    fields: CorpusFields = field(default_factory=CorpusFields)
    max_bytes: int | None = None  # per document; None: reader.MAX_BYTES

    def tasks(self) -> Iterator[Task]:
        return iter_tasks(self.paths, self.recursive, self.pattern, self.fields, self.max_bytes)

    def estimate_total(self) -> int:
        """Approximate document count, for a progress bar (corpus rows counted by non-blank lines)."""
        total = 0
        for path in iter_paths(self.paths, self.recursive, self.pattern):
            if is_corpus(path):
                with open(path, "rb") as handle:
                    total += sum(1 for line in handle if line.strip()) - (path.suffix.lower() == ".csv")
            else:
                total += 1
        return max(total, 0)


def _is_candidate(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES


def is_corpus(path: Path) -> bool:
    return path.suffix.lower() in CORPUS_SUFFIXES and path.is_file()


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
    """Encoding of a corpus file, sniffed from its head (so it can be streamed)."""
    with open(path, "rb") as handle:
        head = handle.read(ENCODING_SNIFF_BYTES)
    bom = bom_encoding(head)
    if bom:
        return bom
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the boundary of the head
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
                rows = csv.DictReader(handle)
                columns = rows.fieldnames or []
                if fields.text not in columns:
                    listed = ", ".join(columns) or "none"
                    yield Task(source, error=f"no column '{fields.text}' (columns: {listed}); see --text-field")
                    return
                for row in rows:
                    number = rows.line_num
                    yield _row_task(source, number, row, fields, max_bytes)
            else:
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        yield _row_task(source, number, _json_row(line), fields, max_bytes)
        except (UnicodeDecodeError, csv.Error) as exc:
            reason = f"unreadable corpus after line {number} ({type(exc).__name__}: {exc})"
            yield Task(source, id=f"line {number + 1}", error=reason)


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
    # the limit files have, in UTF-8 bytes (only worth encoding when the text could reach it)
    size = len(text.encode("utf-8")) if len(text) > max_bytes // 4 else 0
    if size > max_bytes:
        too_large = f"text too large ({size / 2**20:.3g} MB > {reader.size_limit(max_bytes)})"
        return Task(source, id=row_id, error=f"line {number}: {too_large}")
    return Task(source, text=text, id=row_id, date=iso_date(date) if date else None, group=group)


def iter_tasks(paths: Iterable[str], recursive: bool = False, pattern: str | None = None,
               fields: CorpusFields | None = None, max_bytes: int | None = None) -> Iterator[Task]:
    fields = fields or CorpusFields()
    max_bytes = reader.MAX_BYTES if max_bytes is None else max_bytes  # the client's limit travels with each task
    for path in iter_paths(paths, recursive, pattern):
        if is_corpus(path):
            yield from _corpus_rows(path, fields, max_bytes)
        else:
            yield Task(str(path), path=str(path), max_bytes=max_bytes)
