"""The local engine: tasks analysed in this process (`jobs=1`) or in forked worker processes.

Workers share the analyzer loaded before the fork. Tasks go out in chunks with a bounded number in
flight and records come back in input order, so memory stays flat however many documents there are.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress

from ..analyzer import BATCH_VOCABULARY_LIMIT
from ..errors import FramingError
from ..nlp import pipeline_lemmatizer
from ..reader import Document, read_input
from ..serialize import to_dict
from ..sources import Task

# Documents per chunk sent to a worker: enough to amortise the round trip (~0.1 ms per chunk), few
# enough that a slow document does not hold many others back from being written.
CHUNK = 8
# Chunks in flight per worker: keeps every worker busy while the writer catches up, and bounds memory.
IN_FLIGHT_PER_WORKER = 4


class _Worker:
    """What a worker process holds: the analyzer (given before the fork, or by the pool's initializer)."""

    analyzer = None
    with_text = False


def _init_worker(analyzer, with_text: bool) -> None:
    _Worker.analyzer, _Worker.with_text = analyzer, with_text


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(analyzer, with_text: bool, parent: int) -> None:
    """A worker's initializer: it also ends when the batch process dies, even by SIGKILL (the OOM killer, a CI
    timeout), which runs no clean-up — forked workers were left sleeping for good otherwise. Linux only;
    elsewhere the pool's own shutdown covers every other way out."""
    _init_worker(analyzer, with_text)
    # Ctrl-C reaches the whole process group: the batch process handles it (and keeps what was written); a worker
    # that took it too would die printing a traceback from the pool's queue. It finishes its chunk instead.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def analyze_task(task: Task, analyzer, with_text: bool = False) -> dict:
    """Analyse one task into a record; every failure becomes `{"source", "error"}` (plus id)."""
    base = {"source": task.source} | ({"id": task.id} if task.id is not None else {})
    if task.error:
        return base | {"error": task.error}
    try:
        if task.path is not None:
            document = read_input(task.path, task.member, task.max_bytes, task.source)
        else:
            document = Document(text=task.text or "", source=task.source)
        analysis = analyzer.analyze(document.text, source=task.source, date=task.date)
        record = to_dict(analysis, with_text=with_text, id=task.id)
        if task.group is not None:
            record["group"] = task.group
        return record
    except FramingError as exc:
        return base | {"error": exc.reason}
    except Exception as exc:  # a bug must not cost the rest of the run
        return base | {"error": f"internal error: {type(exc).__name__}: {exc}"}


def analyze_chunk(tasks: list[Task], analyzer=None, with_text: bool | None = None) -> list[dict]:
    """Records of a chunk; without an analyzer, with the one this worker process holds."""
    analyzer = analyzer or _Worker.analyzer
    with_text = _Worker.with_text if with_text is None else with_text
    return [analyze_task(task, analyzer, with_text) for task in tasks]


def chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run(tasks: Iterable[Task], analyzer, jobs: int = 1, with_text: bool = False) -> Iterator[dict]:
    """Records in input order. jobs=1 runs in-process; otherwise forked workers share the loaded analyzer."""
    analyzer.vocabulary_limit = analyzer.vocabulary_limit or BATCH_VOCABULARY_LIMIT  # a long run: bounded memory
    if jobs <= 1:
        for task in tasks:
            yield analyze_task(task, analyzer, with_text)
        return
    _init_worker(analyzer, with_text)  # inherited by forked workers: nothing to pickle
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork" and analyzer.nlp is not None:  # one lemma table for all workers (~17 MB), not one each
        pipeline_lemmatizer(analyzer.nlp).load_table()
    context = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                               initargs=(analyzer, with_text, os.getpid()))
    try:
        window: deque = deque()
        for chunk in chunks(tasks, CHUNK):
            window.append(pool.submit(analyze_chunk, chunk))
            if len(window) >= jobs * IN_FLIGHT_PER_WORKER:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
    except BaseException:  # interrupted, or the reader stopped: drop the queued chunks, do not wait for them
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


class LocalEngine:
    """`jobs` worker processes on this machine (1: in this process)."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def __call__(self, tasks: Iterable[Task], analyzer, with_text: bool = False) -> Iterator[dict]:
        return run(tasks, analyzer, self.jobs, with_text)
