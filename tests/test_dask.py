"""`framing batch --engine dask`: same records as the local engine, on a LocalCluster and on a running scheduler."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import KilledWorker
from distributed.comm.core import CommClosedError

from framing.analyzer import Analyzer
from framing.engines.local import analyze_task
from framing.errors import EngineError, FramingError
from framing.lexicon import builtin_lexicon_dir
from framing.sources import Task

from .test_batch import ROOT, read_jsonl, run_batch

ARTICLES = {
    "astana_trade.txt": (
        "Москва и Астана подписали программу экономического сотрудничества на 2025–2030 годы. Стороны договорились "
        "расширить взаимную торговлю, развивать совместные промышленные проекты и модернизировать транспортные "
        "коридоры. "
        "По словам министра, стратегическое партнерство двух стран опирается на союзнические отношения и взаимное "
        "доверие. "
        "Товарооборот между Россией и Казахстаном по итогам года вырос на восемь процентов."
    ),
    "sovereign_course.txt": (
        "Президент Казахстана заявил, что республика будет и впредь проводить самостоятельную внешнюю политику. "
        "Суверенитет и территориальная целостность страны, подчеркнул он, не являются предметом торга. "
        "Астана выступает против вмешательства во внутренние дела государств и против давления извне, в том числе "
        "через односторонние санкции."
    ),
    "brics_kazan.txt": (
        "На саммите БРИКС в Казани лидеры стран Глобального Юга обсудили создание независимой платежной "
        "инфраструктуры. "
        "Участники подчеркнули, что многополярный мир требует справедливого представительства развивающихся государств "
        "в международных институтах. Казахстан рассматривает возможность присоединиться к объединению в качестве "
        "страны-партнера."
    ),
    "russian_language.txt": (
        "В Казахстане продолжается обсуждение статуса русского языка. Согласно конституции, казахский язык является "
        "государственным, а русский официально употребляется наравне с ним. Министерство просвещения сообщило о "
        "расширении "
        "обучения на казахском языке в школах, при этом родители по-прежнему выбирают язык обучения для детей."
    ),
}
CORPUS_ROWS = [
    {
        "id": "r1",
        "date": "2024-05-20",
        "text": "Россия и Казахстан договорились о совместном строительстве газопровода и углублении интеграции "
        "в рамках ЕАЭС.",
    },
    {
        "id": "r2",
        "date": "2024-06-03",
        "text": "В Бишкеке приняли закон о государственном языке: делопроизводство переводят на киргизский язык.",
    },
    {"id": "r3", "date": "2024-06-10", "text": ""},  # no text: an error record with its id
]
FRAMING_BATCH = [sys.executable, "-m", "framing.cli", "batch"]
SUBPROCESS_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's framing, in the CLI and in dask's processes


@pytest.fixture(scope="module")
def news_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("news")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CORPUS_ROWS), encoding="utf-8"
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return folder


def framing_batch(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FRAMING_BATCH, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env or SUBPROCESS_ENV
    )


def by_source(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["source"], r.get("id") or ""))


def assert_quiet(stderr: str) -> None:
    """Dask's own logging and tracebacks stay out of the CLI's stderr."""
    assert "Traceback" not in stderr and " - distributed." not in stderr, stderr


@pytest.fixture(scope="module")
def local_records(news_folder, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("local") / "local.jsonl"
    result = framing_batch(str(news_folder), "-o", str(out), "--jobs", "1", "--with-text", "-q")
    assert result.returncode == 1, result.stderr  # the empty, binary and text-less inputs fail
    return read_jsonl(out)


def test_local_cluster_gives_the_local_records(news_folder, local_records, tmp_path):
    out = tmp_path / "dask.jsonl"
    result = framing_batch(str(news_folder), "-o", str(out), "--engine", "dask", "--jobs", "2", "--with-text", "-q")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""  # -q: no dask logging, warnings or tracebacks either
    records = read_jsonl(out)
    assert by_source(records) == by_source(local_records)
    assert records == local_records  # and in input order, which --resume relies on
    errors = {
        Path(r["source"]).name + (f"#{r['id']}" if r.get("id") else ""): r["error"] for r in records if "error" in r
    }
    assert set(errors) == {"empty.txt", "binary.txt", "corpus.jsonl#r3"}
    assert "binary" in errors["binary.txt"] and "no text" in errors["corpus.jsonl#r3"]
    dominant = {Path(r["source"]).name: r["dominant"] for r in records if r.get("id") is None and "error" not in r}
    assert dominant["astana_trade.txt"] == "partnership" and dominant["brics_kazan.txt"] == "global_south"
    assert all(r["text"] for r in records if "error" not in r)  # --with-text reached the workers


# --- a separately started scheduler and worker ------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """End a process we started and its children (its own session): TERM, then KILL after a bounded wait."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    """`dask scheduler` + one `dask worker` on 127.0.0.1 (free port, no dashboard); always stopped afterwards."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    commands = {
        # idle/death timeouts: the processes also end if this test run dies without its teardown
        "scheduler": [
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
            "--idle-timeout",
            "600",
        ],
        "worker": [
            "distributed.cli.dask_worker",
            address,
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            "--death-timeout",
            "60",
            "--local-directory",
            str(folder),
        ],
    }
    processes: list[subprocess.Popen] = []
    try:
        for name, args in commands.items():
            log = open(folder / f"{name}.log", "wb")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", *args],
                    stdout=log,
                    stderr=log,
                    cwd=folder,
                    env=SUBPROCESS_ENV,
                    start_new_session=True,
                )
            )
            log.close()
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=90)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def test_running_scheduler_by_address(scheduler_address, news_folder, local_records, tmp_path):
    out = tmp_path / "remote.jsonl"
    result = framing_batch(
        str(news_folder), "-o", str(out), "--engine", "dask", "--scheduler", scheduler_address, "--with-text"
    )
    assert result.returncode == 1, result.stderr
    assert_quiet(result.stderr)
    assert read_jsonl(out) == local_records
    assert "6 documents ok, 3 failed" in result.stderr  # the summary, as with the local engine
    again = framing_batch(
        str(news_folder),
        "-o",
        str(out),
        "--engine",
        "dask",
        "--scheduler",
        scheduler_address,
        "--with-text",
        "--resume",
        "-q",
    )
    assert again.returncode == 1 and read_jsonl(out) == local_records  # a finished file: resume adds nothing


def test_worker_that_cannot_build_the_analyzer_fails_the_run_once(scheduler_address, lexicon_analyzer):
    from distributed import Client

    from framing.engines.dask import AnalyzerSpec, DaskEngine

    engine = DaskEngine(lexicon_analyzer, scheduler=scheduler_address)
    engine.spec = AnalyzerSpec(lexicon_analyzer.lexicons, None, "no-such-mode")  # as if the worker's framing differed
    with (
        pytest.raises(FramingError, match=r"cannot load the framing analyzer \(ValueError: mode must be one of"),
        engine,
    ):
        pass
    with Client(scheduler_address, timeout=30, set_as_default=False) as client:
        plugins = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins))
    assert engine.key not in plugins  # unregistered again: workers joining later do not try it


def test_ctrl_c_stops_workers_quietly_and_resume_finishes(scheduler_address, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    text = " ".join(ARTICLES.values())
    corpus.write_text(
        "".join(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n" for i in range(400)),
        encoding="utf-8",
    )
    out, part = tmp_path / "out.jsonl", tmp_path / "out.jsonl.part"
    command = [*FRAMING_BATCH, str(corpus), "-o", str(out), "--mode", "lexicon", "-q"]
    process = subprocess.Popen(
        [*command, "--engine", "dask", "--jobs", "2"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=SUBPROCESS_ENV,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 90
        while (
            time.monotonic() < deadline
            and process.poll() is None
            and (not part.exists() or part.read_bytes().count(b"\n") < 40)
        ):
            time.sleep(0.05)
        os.killpg(
            process.pid, signal.SIGINT
        )  # what Ctrl-C does: the whole process group, LocalCluster workers included
        _, stderr = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode == 130, stderr
    assert stderr.startswith("framing: interrupted;") and stderr.count("\n") == 1, stderr  # no worker tracebacks
    resumed = framing_batch(
        *command[len(FRAMING_BATCH) :], "--engine", "dask", "--scheduler", scheduler_address, "--resume"
    )
    assert resumed.returncode == 0, resumed.stderr
    assert [r["id"] for r in read_jsonl(out)] == [str(i) for i in range(400)]


# --- failures and options ---------------------------------------------------------------------------
def test_unreachable_scheduler_is_one_line(news_folder, tmp_path):
    env = {**SUBPROCESS_ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = framing_batch(
        str(news_folder),
        "-o",
        str(tmp_path / "x.jsonl"),
        "--engine",
        "dask",
        "--scheduler",
        address,
        "-q",
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.startswith(f"framing: error: {address}: cannot connect to the Dask scheduler")
        and result.stderr.count("\n") == 1
    ), result.stderr
    assert time.monotonic() - started < 45


def test_option_errors(runner, news_folder):
    assert (
        run_batch(runner, [str(news_folder), "--scheduler", "tcp://127.0.0.1:8786"]).exit_code == 2
    )  # needs --engine dask
    assert (
        run_batch(
            runner, [str(news_folder), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"]
        ).exit_code
        == 2
    )
    malformed = run_batch(runner, [str(news_folder), "--engine", "dask", "--scheduler", "nonsense", "-q"])
    assert malformed.exit_code == 1 and "not a scheduler address" in malformed.output


def test_missing_extra_is_one_line(runner, monkeypatch, news_folder, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "framing.engines.dask", raising=False)
    out = tmp_path / "x.jsonl"
    result = run_batch(runner, [str(news_folder), "--engine", "dask", "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == "framing: error: --engine dask: needs the dask extra: pip install 'framing[dask]'\n"
    assert not out.exists() and not (tmp_path / "x.jsonl.part").exists()  # refused before any output


def test_cluster_lost_mid_run_keeps_records_for_resume(runner, monkeypatch, news_folder, tmp_path):
    import framing.engines.dask

    def dying_cluster(tasks, analyzer, scheduler=None, workers=None, with_text=False):
        yield analyze_task(next(iter(tasks)), analyzer)
        raise EngineError("lost the Dask cluster (CommClosedError: stream closed)")

    monkeypatch.setattr(framing.engines.dask, "run_dask", dying_cluster)
    out = tmp_path / "x.jsonl"
    result = run_batch(runner, [str(news_folder), "--engine", "dask", "-o", str(out), "--mode", "lexicon", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith("framing: error: lost the Dask cluster") and "rerun with --resume" in result.output
    assert len(read_jsonl(tmp_path / "x.jsonl.part")) == 1 and not out.exists()


def testcluster_failures_become_engine_errors():
    from framing.engines.dask import cluster_failures

    for failure, words in (
        (KilledWorker("t", "w", 3), "worker died"),
        (CommClosedError("in <TCP>: Stream is closed"), "lost the Dask cluster"),
        (RuntimeError("Error during deserialization\nof the task graph"), "same framing installed"),
    ):
        with pytest.raises(EngineError, match=words) as caught, cluster_failures():
            raise failure
        assert "\n" not in str(caught.value)
    with pytest.raises(FramingError), cluster_failures():
        raise FramingError("x.txt", "an input problem stays one")


def test_analyzer_travels_by_content(tmp_path):
    """A worker rebuilds the analyzer from the shipped spec alone: the lexicon folders (here a chain via
    `extends`) may be gone."""
    from framing.engines.dask import AnalyzerPlugin, AnalyzerSpec, analyze_on_worker

    sets = tmp_path / "sets"
    shutil.copytree(builtin_lexicon_dir(), sets / "base")
    shutil.copytree(ROOT / "examples" / "lexicons_custom", sets / "mine")
    codebook = sets / "mine" / "codebook.toml"
    codebook.write_text(
        codebook.read_text(encoding="utf-8").replace('extends = "builtin"', 'extends = "../base"'), encoding="utf-8"
    )
    analyzer = Analyzer(lexicons=sets / "mine", mode="lexicon")
    shipped = pickle.dumps(AnalyzerPlugin("run-1", AnalyzerSpec.of(analyzer)))
    shutil.rmtree(sets)

    plugin = pickle.loads(shipped)
    plugin.setup(worker=None)
    try:
        task = Task(
            "energy",
            text="Россия построит в Казахстане атомную электростанцию, поставки газа по трубопроводу вырастут.",
        )
        [record] = pickle.loads(analyze_on_worker("run-1", [task]))
        assert record == analyze_task(task, analyzer)
        assert "energy" in {f["id"] for f in record["frames"]} and "partnership" in {f["id"] for f in record["frames"]}
    finally:
        plugin.teardown(worker=None)
    with pytest.raises(RuntimeError, match="no framing analyzer"):
        analyze_on_worker("run-1", [task])
