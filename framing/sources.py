"""Batch inputs: what `framing batch PATH...` names, enumerated lazily as `Task`s.

Files and folders (sorted, optionally recursive; `.txt`, `.html/.htm`), the rows of JSONL/CSV corpora
(text, id, date and group fields, any common Cyrillic encoding, dates in common forms), any of these
compressed (`.gz`, `.bz2`, `.xz`: framing.archives) or in a `.zip` archive (members named
`archive.zip!/inner/path.txt`), and a JSONL corpus on standard input (`-`). Nothing is read here but
corpus rows: a file becomes a task that a worker reads, so a huge folder costs no memory. A row that
cannot be used becomes a task carrying its error, which becomes an error record.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from . import archives, reader
from .errors import FramingError
from .reader import HTML_SUFFIXES, bom_encoding, guess_cyrillic
from .records import record_key

TEXT_SUFFIXES = {".txt", ".text"}
CORPUS_SUFFIXES = {".jsonl", ".csv"}
READ_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | CORPUS_SUFFIXES  # also compressed, and as zip members
DEFAULT_GLOB = "*"
ENCODING_SNIFF_BYTES = 65536  # a corpus's encoding is judged on its head, so that it can be streamed
SAMPLE_ROWS = 100  # a corpus's fields are checked on its first rows, before the run
STDIN = "-"
STDIN_SOURCE = "<stdin>"
READ_WHAT = ".txt, .html, .jsonl and .csv files, also compressed (.gz, .bz2, .xz) or in .zip archives"


class InputsError(FramingError):
    """The inputs as a whole cannot be used (nothing found, a URL, a field no row has): a usage error."""


@dataclass(frozen=True)
class Task:
    """One document to analyse: a file (or zip member) to read, or a corpus row's text already in hand."""

    source: str
    path: str | None = None
    text: str | None = None
    id: str | None = None
    date: str | None = None
    group: str | None = None
    error: str | None = None  # a row that could not be read becomes an error record
    max_bytes: int | None = None  # size limit for a file (None: reader.MAX_BYTES)
    member: str | None = None  # the member of the zip archive `path` to read

    @property
    def key(self) -> str:
        return record_key({"source": self.source, "id": self.id})


@dataclass
class CorpusFields:
    text: str = "text"
    id: str = "id"
    date: str = "date"
    group: str | None = None  # a row field to group the summary by
    named: frozenset[str] = frozenset()  # "id", "date": named by the user, so a corpus without them is refused


@dataclass(frozen=True)
class Input:
    """One thing named or found: a document file, a corpus, a zip member, standard input, or why not."""

    source: str
    path: str | None = None  # None: standard input (or an error)
    member: str | None = None
    corpus: bool = False
    csv: bool = False
    error: str | None = None

    def open(self):
        """The content as a binary stream (decompressed; standard input is left open when done)."""
        if self.path is None:
            return _Unclosed(sys.stdin.buffer)
        return archives.open_stream(self.path, self.member)


class _Unclosed:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.read, self.read1 = stream.read, getattr(stream, "read1", stream.read)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


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

    def check(self) -> None:
        """Refuse, before any work, inputs that cannot give a record: raises InputsError.

        Nothing found (an empty folder, a --glob matching nothing), a URL, standard input named twice,
        or a corpus whose first rows lack the text field (or an --id-field/--date-field the user named).
        """
        if list(self.paths).count(STDIN) > 1:
            raise InputsError(STDIN_SOURCE, "- named more than once (standard input is read once)")
        found = False
        for item in iter_inputs(self.paths, self.recursive, self.pattern):
            found = True
            if item.error == archives.URL_REASON:
                raise InputsError(item.source, item.error)
            if item.corpus and item.path is not None:
                rows = _Rows(item)
                stream = iter(rows)
                try:
                    sample = list(islice(stream, SAMPLE_ROWS))
                finally:
                    stream.close()
                missing = _missing_fields(rows, sample, self.fields)
                if missing:
                    raise InputsError(item.source, missing)
        if not found:
            matching = f" matching --glob '{self.pattern}'" if self.pattern else ""
            deeper = "" if self.recursive else "; -r reads sub-folders"
            raise InputsError(", ".join(self.paths), f"no input files found{matching} (framing reads {READ_WHAT}"
                              f"{deeper})")

    def estimate_total(self) -> int | None:
        """Approximate document count, for a progress bar (corpus rows counted by non-blank lines).

        None when standard input is among the inputs (it cannot be read twice).
        """
        total = 0
        for item in iter_inputs(self.paths, self.recursive, self.pattern):
            if not item.corpus:
                total += 1
                continue
            if item.path is None:
                return None
            try:
                with item.open() as stream:
                    total += sum(1 for line in stream if line.strip()) - item.csv
            except (*archives.STREAM_ERRORS, FramingError):
                total += 1
        return max(total, 0)


def _is_candidate(path: Path) -> bool:
    suffix = archives.inner_suffix(path.name)
    return suffix in READ_SUFFIXES or (suffix == archives.ZIP_SUFFIX and not archives.compression(path.name))


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


def iter_inputs(paths: Iterable[str], recursive: bool = False, pattern: str | None = None) -> Iterator[Input]:
    """What the names on the command line stand for, in order; zip archives listed member by member."""
    for name in paths:
        if name == STDIN:
            yield Input(STDIN_SOURCE, corpus=True)
        elif archives.is_url(name):
            yield Input(name, error=archives.URL_REASON)
        else:
            for path in iter_paths([name], recursive, pattern):
                yield from _file_inputs(path)


def _file_inputs(path: Path) -> Iterator[Input]:
    source, suffix = str(path), archives.inner_suffix(path.name)
    if suffix == archives.ZIP_SUFFIX and not archives.compression(path.name) and path.is_file():
        try:
            members = archives.zip_members(source, READ_SUFFIXES)
        except archives.STREAM_ERRORS as exc:
            yield Input(source, error=archives.stream_reason(exc))
            return
        if not members:
            yield Input(source, error="no .txt, .html, .jsonl or .csv files in this zip archive")
        for member in members:
            inner = Path(member).suffix.lower()
            yield Input(archives.member_source(source, member), source, member, corpus=inner in CORPUS_SUFFIXES,
                        csv=inner == ".csv")
    elif suffix in CORPUS_SUFFIXES and path.is_file():
        yield Input(source, source, corpus=True, csv=suffix == ".csv")
    else:
        yield Input(source, source)


def sniff_encoding(head: bytes) -> str:
    """Encoding of a corpus, judged on its head (so that it can be streamed)."""
    bom = bom_encoding(head)
    if bom:
        return bom
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the boundary of the head
            return "utf-8"
    guess = guess_cyrillic(head)
    return guess[1] if guess else "utf-8"


class _Rows:
    """A corpus's rows as (line number, row), the row a dict or why it is not one.

    Streamed (a multi-GB .jsonl.gz is never whole in memory). A failure of the stream ends the rows and is
    kept in `failure`; `columns` is a CSV's header.
    """

    def __init__(self, item: Input) -> None:
        self.item = item
        self.columns: list[str] | None = None
        self.failure: str | None = None
        self.line = 0

    def __iter__(self) -> Iterator[tuple[int, dict | str]]:
        try:
            with self.item.open() as raw:
                head = archives.read_head(raw, ENCODING_SNIFF_BYTES)
                stream = io.BufferedReader(archives.Prepended(head, raw))
                handle = io.TextIOWrapper(stream, encoding=sniff_encoding(head), newline="")
                if self.item.csv:
                    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # articles are long fields
                    rows = csv.DictReader(handle)
                    self.columns = rows.fieldnames or []
                    for row in rows:
                        self.line = rows.line_num
                        yield self.line, row
                else:
                    for number, line in enumerate(handle, 1):
                        self.line = number
                        if line.strip():
                            yield number, _json_row(line)
        except (UnicodeDecodeError, csv.Error) as exc:
            self.failure = f"unreadable corpus after line {self.line} ({type(exc).__name__}: {exc})"
        except FramingError as exc:
            self.failure = exc.reason
        except archives.STREAM_ERRORS as exc:
            self.failure = archives.stream_reason(exc, self.line)


def _missing_fields(rows: _Rows, sample: list[tuple[int, dict | str]], fields: CorpusFields) -> str | None:
    """Why a corpus cannot be read with these fields: the text field (or a named id/date field) in no row."""
    wanted = [(fields.text, "--text-field")]
    wanted += [(name, f"--{kind}-field") for kind, name in (("id", fields.id), ("date", fields.date))
               if kind in fields.named]
    if rows.columns is not None:
        kind, present, where = "column", rows.columns, ""
    else:
        objects = [row for _, row in sample if isinstance(row, dict)]
        if not objects:
            return None  # nothing to judge by: each row says what is wrong with it
        kind, present = "field", list(dict.fromkeys(key for row in objects for key in row))
        where = f" in the first {len(objects)} rows" if len(objects) > 1 else " in its one row"
    missing = [f"'{name}' (see {option})" for name, option in wanted if name not in present]
    if not missing:
        return None
    listed = ", ".join(present) or "none"
    return f"no {kind} {' or '.join(missing)}{where} ({kind}s: {listed})"


def _corpus_rows(item: Input, fields: CorpusFields, max_bytes: int) -> Iterator[Task]:
    rows = _Rows(item)
    stream = iter(rows)
    sample = list(islice(stream, SAMPLE_ROWS))
    missing = _missing_fields(rows, sample, fields)
    if item.path is None and sample and isinstance(sample[0][1], str):
        missing = ("not JSONL (one JSON object per line): `framing batch -` reads a JSONL corpus; for one article "
                   "use `framing analyze -`")
    if missing and item.path is None:  # standard input, which no check before the run can read
        stream.close()
        raise FramingError(STDIN_SOURCE, missing)
    if missing:
        stream.close()
        yield Task(item.source, error=missing)
        return
    for number, row in chain(sample, stream):
        yield _row_task(item.source, number, row, fields, max_bytes)
    if rows.failure:
        yield Task(item.source, id=f"line {rows.line + 1}" if rows.line else None, error=rows.failure)


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
    for item in iter_inputs(paths, recursive, pattern):
        if item.error:
            yield Task(item.source, error=item.error)
        elif item.corpus:
            yield from _corpus_rows(item, fields, max_bytes)
        else:
            yield Task(item.source, path=item.path, member=item.member, max_bytes=max_bytes)
