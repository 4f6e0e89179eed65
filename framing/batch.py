"""Batch runs as a library: many documents → records in a sink, with resume, error records and a summary.

    from framing.batch import run_batch
    from framing.records import RecordSink
    from framing.sources import Sources

    summary = run_batch(Sources(("archive/",), recursive=True), Analyzer(), RecordSink("out.jsonl"))

`run_batch` enumerates the inputs (framing.sources), runs them on an engine (framing.engines: local
processes or Dask), writes every record in input order (framing.records) and tallies them
(framing.tally). A document that fails is an error record, never a stopped run. When the run itself
stops — Ctrl-C, a worker or the cluster lost — it raises `BatchInterrupted`, which says which file
holds the records kept so far; the same call with `resume=True` finishes that file — with the same
settings (`batch_settings`, kept beside the output in `OUT.settings.json`), or it is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path

from .engines.local import LocalEngine
from .errors import EngineError, FramingError
from .records import RecordSink, ResumeState
from .serialize import SCHEMA
from .sources import Sources, Task
from .tally import Summary

Engine = Callable[[Iterable[Task], object, bool], Iterator[dict]]  # (tasks, analyzer, with_text) → records


class BatchInterrupted(Exception):
    """A run that stopped before its end: Ctrl-C (`reason` None) or its engine failing (`reason` says how).

    `written` new records were written in this run; `kept` is the file that holds every record so far
    (None for a stream), to finish with `resume=True`. `summary` covers what was written.
    """

    def __init__(self, reason: str | None, written: int, kept: Path | None, summary: Summary) -> None:
        self.reason, self.written, self.kept, self.summary = reason, written, kept, summary
        super().__init__(self.one_line())

    @property
    def exit_status(self) -> int:
        return 130 if self.reason is None else 1  # 130: the shell's status for a run ended by SIGINT

    def one_line(self) -> str:
        if self.reason is None:
            where = (
                f"; {self.written} new records kept in {self.kept}: rerun with --resume to finish" if self.kept else ""
            )
            return f"interrupted{where}"
        where = f"; records so far kept in {self.kept}: rerun with --resume" if self.kept else ""
        return f"error: {self.reason}{where}"


def run_batch(
    sources: Sources,
    analyzer,
    sink: RecordSink,
    *,
    resume: bool = False,
    errors: str | None = None,
    with_text: bool = False,
    engine: Engine | None = None,
    group_by: str | None = None,
    on_record: Callable[[dict, Summary], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Summary:
    """Analyse every input of `sources` with `analyzer` into `sink`; returns the run's summary.

    `resume`: finish the output of an interrupted run of the same inputs (each document once).
    `errors`: also write error records (JSONL) to this file (on resume: the kept records' errors, then the
    new ones, as an uninterrupted run). `engine`: default `LocalEngine(1)`.
    `on_record(record, summary)` is called after each record is written (progress bars); `on_warning(line)`
    with a one-line warning (default: `warnings.warn`), e.g. resuming an output that has no settings file.
    Raises FramingError for unusable output or resume (`records.SettingsMismatch` when the settings differ
    from those the output was started with), BatchInterrupted when the run is stopped.
    """
    frame_ids = analyzer.lexicons.ids
    summary = Summary(frame_ids, group_by)
    engine = engine or LocalEngine(1)
    settings = batch_settings(analyzer, sources, sink.fmt, with_text) if sink.output is not None else None
    resumed = sink.open(frame_ids, resume, settings)
    if resumed.warning:
        (on_warning or warnings.warn)(resumed.warning)
    errors_handle = None
    written = 0
    try:
        if errors:  # on resume: the kept records' errors again (exactly those), then the new ones
            errors_handle = open(errors, "w", encoding="utf-8")
            for record in resumed.errors:
                _write_error(errors_handle, errors, record)
        for record in engine(_pending(sources, resumed, summary, sink), analyzer, with_text):
            _write(sink, record, written)
            written += 1
            if errors_handle and "error" in record:
                _write_error(errors_handle, errors, record)
            summary.add(record)
            if on_record:
                on_record(record, summary)
    except KeyboardInterrupt:
        raise BatchInterrupted(None, written, sink.kept, summary) from None
    except (BrokenProcessPool, EngineError) as exc:
        reason = str(exc) if isinstance(exc, EngineError) else "a worker process died (killed or out of memory)"
        raise BatchInterrupted(reason, written, sink.kept, summary) from None
    finally:
        sink.close()
        if errors_handle is not None:
            try:
                errors_handle.close()
            except OSError:
                pass  # already reported: closing flushes, and a full disk fails again
    sink.commit()
    return summary


def batch_settings(analyzer, sources: Sources, fmt: str, with_text: bool = False) -> dict:
    """What decides a run's records, kept beside its output and compared on resume (framing.records)."""
    from . import __version__
    from .classifier import arrays_digest
    from .reader import MAX_BYTES

    fields = sources.fields
    return {
        "schema": SCHEMA,
        "framing": __version__,
        "format": fmt,
        "mode": analyzer.mode,
        "lexicons": lexicon_digest(analyzer.lexicons),
        "model": "sha256:" + arrays_digest(analyzer.model.arrays()),
        "text_field": fields.text,
        "id_field": fields.id,
        "date_field": fields.date,
        "group_field": fields.group if fmt == "jsonl" else None,  # a CSV has no group column
        "with_text": with_text and fmt == "jsonl",  # a CSV has no text column
        "max_bytes": MAX_BYTES if sources.max_bytes is None else sources.max_bytes,
        "lexicon_folder": str(analyzer.lexicons.root),  # for people; not compared
    }


def lexicon_digest(lexicons) -> str:
    """A digest of a lexicon set's content (frames, terms, labels, context lists), not of where it lies."""

    def content(value):
        if dataclasses.is_dataclass(value):
            return {
                f.name: content(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in ("path", "line", "root")
            }
        if isinstance(value, (list, tuple)):
            return [content(v) for v in value]
        if isinstance(value, dict):
            return {str(k): content(v) for k, v in value.items()}
        return value

    text = json.dumps(content(lexicons), ensure_ascii=False, sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _pending(sources: Sources, resumed: ResumeState, summary: Summary, sink: RecordSink) -> Iterator[Task]:
    """The tasks still to do: all of them, or those after the prefix an interrupted run wrote (checked)."""
    tasks = sources.tasks()
    if resumed.done:
        skipped = deque(islice(tasks, resumed.done), maxlen=1)  # the prefix already written
        task = skipped[0] if skipped else None
        if task is None or task.key != resumed.last_key:
            found = task.key if task else "missing"
            raise FramingError(
                sink.name,
                f"cannot resume: record {resumed.done} is {resumed.last_key}, but input "
                f"{resumed.done} is {found} (run the same command as before)",
            )
        summary.skipped, summary.failed = resumed.done, resumed.failed
    yield from tasks


def _write(sink: RecordSink, record: dict, written: int) -> None:
    try:
        sink.write(record)
    except BrokenPipeError:
        raise  # `| head` closed stdout: the caller stops quietly
    except OSError as exc:  # disk full, quota, output device gone
        where = f"; {written} new records kept in {sink.kept}: free space and rerun with --resume" if sink.kept else ""
        raise FramingError(sink.name, f"cannot write output ({exc.strerror or exc}){where}") from None


def _write_error(handle, path: str, record: dict) -> None:
    try:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
    except OSError as exc:
        raise FramingError(path, f"cannot write error records ({exc.strerror or exc})") from None
