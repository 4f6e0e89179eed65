"""`framing batch --engine dask`: the batch run on a Dask cluster, for corpora bigger than one machine.

The client enumerates tasks exactly as the local engine does and sends them to the cluster in chunks, with
a bounded number in flight; records come back in input order, so the writers, summary and `--resume` are
the local engine's. The analyzer's lexicons and model travel by content inside a worker plugin, which
builds the analyzer once in every worker process (also in workers that join or restart mid-run): workers
need `framing` installed, but not the client's lexicon or model files. Files named on the command line are
read by the workers, so they must be on storage the workers share; corpus rows travel with their text.

Imported only for `--engine dask`: dask and distributed are an optional extra.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
import uuid
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass

from ..analyzer import BATCH_VOCABULARY_LIMIT, Analyzer
from ..classifier import LinearModel
from ..errors import EngineError, FramingError
from ..lexicon import LexiconSet
from ..sources import Task
from .local import analyze_chunk, chunks

try:
    from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin
    from distributed.comm.addressing import get_address_host_port
except ImportError:  # the optional extra is not installed
    raise FramingError("--engine dask", "needs the dask extra: pip install 'framing[dask]'") from None

WORKER_WAIT_SECONDS = 60  # how long a scheduler may have no worker before the run gives up
CHUNK = 32  # documents per Dask task: a task costs a few ms of scheduling, 32 documents ~0.2 s of analysis
IN_FLIGHT_PER_THREAD = 4  # chunks queued per worker thread: enough to keep workers busy, little memory


@dataclass(frozen=True)
class AnalyzerSpec:
    """An analyzer as content (loaded lexicons and model, mode), to rebuild it on another machine.

    The loaded objects are shipped rather than their files: they were validated once on the client, and a
    lexicon set that `extends` another folder arrives complete.
    """

    lexicons: LexiconSet
    model: LinearModel | None
    mode: str

    @classmethod
    def of(cls, analyzer: Analyzer) -> AnalyzerSpec:
        return cls(analyzer.lexicons, analyzer.model, analyzer.mode)

    def build(self) -> Analyzer:
        return Analyzer(lexicons=self.lexicons, model=self.model, mode=self.mode)


# --- on the workers ---------------------------------------------------------------------------
_analyzers: dict[str, Analyzer] = {}  # per worker process: run key → that run's analyzer
_analyzers_lock = threading.Lock()


class AnalyzerPlugin(WorkerPlugin):
    """Builds one run's analyzer once per worker process; dropped again when the run unregisters it."""

    def __init__(self, key: str, spec: AnalyzerSpec) -> None:
        self.key, self.spec = key, spec

    def setup(self, worker) -> None:
        analyzer = self.spec.build()
        analyzer.vocabulary_limit = BATCH_VOCABULARY_LIMIT  # a worker lives for the run: bounded memory
        with _analyzers_lock:
            _analyzers[self.key] = analyzer

    def teardown(self, worker) -> None:
        with _analyzers_lock:
            _analyzers.pop(self.key, None)


def analyze_on_worker(key: str, tasks: list[Task], with_text: bool = False) -> bytes:
    """A chunk's records, pickled here: as nested objects, dask would measure and serialise them itself
    (~4× the overhead)."""
    analyzer = _analyzers.get(key)
    if analyzer is None:
        raise RuntimeError("no framing analyzer on this worker (its plugin setup failed: see the worker's log)")
    return pickle.dumps(analyze_chunk(tasks, analyzer, with_text), protocol=pickle.HIGHEST_PROTOCOL)


# --- on the client ----------------------------------------------------------------------------
class DaskEngine:
    """A connected cluster with the analyzer loaded on every worker; `run` streams records, and may be called again.

    With `scheduler` (an address such as tcp://host:8786) it joins a running cluster; without, it starts a
    LocalCluster of `workers` single-threaded processes (default: all cores) and stops it on exit.
    """

    def __init__(self, analyzer: Analyzer, scheduler: str | None = None, workers: int | None = None) -> None:
        self.spec = AnalyzerSpec.of(analyzer)
        self.scheduler, self.workers = scheduler, workers
        self.key = f"framing-analyzer-{uuid.uuid4().hex}"
        self.client: Client | None = None
        self._stack = ExitStack()

    def __enter__(self) -> DaskEngine:
        with ExitStack() as stack:
            # its reconnect tracebacks: the failure is reported once, as EngineError
            stack.enter_context(_quiet_logger("distributed"))
            if self.scheduler:
                self.client = stack.enter_context(self._connect(self.scheduler))
            else:
                with _children_ignore_ctrl_c(), warnings.catch_warnings():
                    # its status page moves to a free port
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    cluster = stack.enter_context(
                        LocalCluster(
                            n_workers=self.workers or os.cpu_count() or 1,
                            threads_per_worker=1,
                            processes=True,
                            # CRITICAL: a worker's heartbeat racing the cluster's shutdown logs an ERROR with a
                            # traceback; failures that matter reach the client and are reported in one line
                            # (cluster_failures)
                            host="127.0.0.1",
                            dashboard_address=None,
                            silence_logs=logging.CRITICAL,
                        )
                    )
                self.client = stack.enter_context(Client(cluster, set_as_default=False))
            with cluster_failures():
                self._wait_for_workers()
                self._load_analyzers()
            stack.callback(self._unload_analyzers)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.close()

    @staticmethod
    def _connect(address: str) -> Client:
        try:
            get_address_host_port(address)  # checked first: a Client built on a malformed address hangs on close
        except ValueError as exc:
            raise FramingError(address, f"not a scheduler address ({exc}); expected tcp://HOST:PORT") from None
        try:
            return Client(address, set_as_default=False)  # connect timeout: dask's distributed.comm.timeouts.connect
        except (OSError, ValueError) as exc:
            raise FramingError(address, f"cannot connect to the Dask scheduler ({exc})") from None

    def _wait_for_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            raise FramingError(
                self.scheduler or "LocalCluster", f"no Dask worker connected within {WORKER_WAIT_SECONDS} s"
            ) from None

    def _load_analyzers(self) -> None:
        """Register the plugin: every worker builds the analyzer now, in parallel; the first failure stops the run."""
        try:
            responses = self.client.register_plugin(AnalyzerPlugin(self.key, self.spec), name=self.key) or {}
            failures = [
                f"{worker}: {r.get('exception_text') or r.get('text')}"
                for worker, r in responses.items()
                if r.get("status") != "OK"
            ]
        except (CancelledError, OSError):
            raise
        except Exception as exc:  # this dask raises a worker's setup error; older ones report it per worker
            failures = [f"{type(exc).__name__}: {exc}"]
        if failures:
            self._unload_analyzers()
            reason = " ".join(failures[0].split())
            raise FramingError(
                self.scheduler or "LocalCluster",
                f"a Dask worker cannot load the framing analyzer ({reason}); is the same framing installed there?",
            )

    def _unload_analyzers(self) -> None:
        with suppress(Exception):  # the cluster may already be gone; its workers then took the analyzers with them
            self.client.unregister_worker_plugin(self.key)

    def run(self, tasks: Iterable[Task], chunk_size: int = CHUNK, with_text: bool = False) -> Iterator[dict]:
        """Records in input order; raises EngineError when the cluster fails mid-run."""
        with cluster_failures():
            threads = sum(self.client.nthreads().values()) or 1
        window: deque = deque()
        for chunk in chunks(tasks, chunk_size):
            with cluster_failures():
                window.append(self.client.submit(analyze_on_worker, self.key, chunk, with_text, pure=False))
            if len(window) >= threads * IN_FLIGHT_PER_THREAD:
                yield from _records(window.popleft())
        while window:
            yield from _records(window.popleft())


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started meanwhile ignore SIGINT: Ctrl-C reaches the whole process group, but only the client
    should handle it (and stop the cluster); workers would each print a KeyboardInterrupt traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Mute a logger's handlers (dask puts its handler on "distributed"; child loggers set their own levels)."""
    handlers = logging.getLogger(name).handlers
    levels = [handler.level for handler in handlers]
    for handler in handlers:
        handler.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for handler, level in zip(handlers, levels):
            handler.setLevel(level)


@contextmanager
def cluster_failures() -> Iterator[None]:
    """The cluster's failures as EngineError: not the input's fault, and the records so far stand (--resume)."""
    try:
        yield
    except FramingError:
        raise
    except KilledWorker:
        raise EngineError("a Dask worker died while analysing (killed or out of memory)") from None
    except (CancelledError, OSError) as exc:
        raise EngineError(f"lost the Dask cluster ({_one_line(exc)})") from None
    except Exception as exc:  # analyze_task turns every document problem into a record: this is the cluster's
        raise EngineError(
            f"a Dask task failed ({_one_line(exc)}); is the same framing installed on the scheduler and every worker?"
        ) from None


def _records(future) -> list[dict]:
    with cluster_failures():
        return pickle.loads(future.result())  # from our own workers, like everything dask itself unpickles


def _one_line(exc: Exception, words: int = 40) -> str:
    """Dask's messages span several lines; the CLI prints one."""
    return f"{type(exc).__name__}: " + " ".join(str(exc).split()[:words])


def run_dask(
    tasks: Iterable[Task],
    analyzer: Analyzer,
    scheduler: str | None = None,
    workers: int | None = None,
    with_text: bool = False,
) -> Iterator[dict]:
    """Like `engines.local.run`, on a Dask cluster: records in input order, the cluster connected on first use."""
    with DaskEngine(analyzer, scheduler, workers) as engine:
        yield from engine.run(tasks, with_text=with_text)


class DaskBatchEngine:
    """The engine `framing.batch.run_batch` takes: a cluster at `scheduler`, or a LocalCluster of `workers`."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler, self.workers = scheduler, workers

    def __call__(self, tasks: Iterable[Task], analyzer: Analyzer, with_text: bool = False) -> Iterator[dict]:
        return run_dask(tasks, analyzer, self.scheduler, self.workers, with_text)
