"""The soak (bench/soak.py) scaled down: 120 real articles plus bad files, killed and resumed, compared with a
clean run.

The same functions as `make soak`, with fewer articles, two SIGKILLs (one at a random point, one when the last record
is written), SIGINT, a simulated full disk (a file-size limit, so no root and no mount is needed), and a Dask worker
killed mid-run; the too-large file is 1.5 MB against `--max-mb 1` instead of 70 MB against the default 64 MB.
Skipped where ../shared/corpus is not beside the checkout (CI has it).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import signal
import subprocess
import sys
import time

import psutil
import pytest

import framing.records
from framing.cli import main

from .conftest import ROOT, SEED, batch_command

spec = importlib.util.spec_from_file_location("soak", ROOT / "bench" / "soak.py")
soak = importlib.util.module_from_spec(spec)
sys.modules["soak"] = soak  # dataclasses look their module up
spec.loader.exec_module(soak)

pytestmark = pytest.mark.skipif(
    not soak.CORPUS.exists(), reason=f"{soak.CORPUS} not found: the soak needs the real corpus beside the checkout"
)

DOCS = 120
HAS_DASK = importlib.util.find_spec("distributed") is not None


@pytest.fixture(scope="module")
def soaked(tmp_path_factory):
    soak.ORPHAN_WAIT = 1.0  # enough to see that killed runs' workers stay (finding 1), without waiting 3 s per kill
    work = tmp_path_factory.mktemp("soak")
    archive = soak.build_archive(work, docs=DOCS, seed=7, oversize_mb=1.5, max_mb=1)
    run = soak.Soak(archive, work, jobs=2, rng=__import__("random").Random(7))
    outcomes = {"reference": run.run_reference()}
    assert run.reference is not None, outcomes["reference"].segments[0].stderr
    outcomes["sigkill"] = run.run_sigkills(kills=2)
    outcomes["sigint"] = run.run_sigint()
    outcomes["disk full"] = run.run_disk_full(method="rlimit")
    if HAS_DASK:
        outcomes["dask"] = run.run_dask()
    yield archive, outcomes
    soak.remove_tree(work)


def test_archive_has_every_kind_of_bad_file(soaked):
    archive, _ = soaked
    assert archive.articles == DOCS + 1  # plus the article inside the folder named x.txt
    assert archive.bad >= len(soak.BAD_KINDS) + 1
    assert {"too large", "empty", "binary", "truncated UTF-16", "fifo", "symlink loop", "kazakh", "english"} <= set(
        archive.kinds
    )
    assert (
        len({k for k in archive.kinds if k.startswith("article ")}) == len(soak.ENCODINGS) + 1 and archive.kinds["html"]
    )


def test_reference_run_has_every_input_once_and_the_documented_errors(soaked):
    archive, outcomes = soaked
    reference = outcomes["reference"]
    assert reference.problems == []
    assert reference.records == len(archive.expected) and reference.duplicates == reference.lost == 0
    assert reference.segments[0].status == 1 and reference.errors_file_ok


@pytest.mark.parametrize(
    "name",
    [
        "sigkill",
        "sigint",
        "disk full",
        pytest.param("dask", marks=pytest.mark.skipif(not HAS_DASK, reason="no dask extra")),
    ],
)
def test_faulted_run_resumes_to_the_reference(soaked, name):
    archive, outcomes = soaked
    outcome = outcomes[name]
    faulted = [s for s in outcome.segments if s.fault]
    assert faulted and all(not s.landed.startswith("missed") for s in faulted), [s.landed for s in faulted]
    assert all(s.prefix_ok for s in faulted), "an interrupted output is not whole records of the reference"
    assert outcome.problems == []
    assert outcome.identical == len(archive.expected) and outcome.byte_identical
    assert outcome.duplicates == outcome.lost == 0


def test_fault_messages_and_exit_statuses(soaked):
    _, outcomes = soaked
    kills = [s for s in outcomes["sigkill"].segments if s.fault]
    assert [s.status for s in kills] == [-signal.SIGKILL] * 2
    sigint = outcomes["sigint"].segments[0]
    assert sigint.status == 130 and "interrupted" in sigint.stderr and "--resume" in sigint.stderr
    full = outcomes["disk full"].segments[0]
    assert (
        full.status == 1
        and "cannot write output" in full.stderr
        and "--resume" in full.stderr
        and "Traceback" not in full.stderr
    )


def test_memory_stays_flat(soaked):
    _, outcomes = soaked
    for outcome in outcomes.values():
        assert outcome.rss_ratio is None or outcome.rss_ratio <= soak.RSS_FLAT, outcome.name


# --- findings of the soak (bench/SOAK.md), each fixed; these reproduce them at small scale ---
def test_sigkilled_run_leaves_no_worker_processes(soaked):
    _, outcomes = soaked
    assert outcomes["sigkill"].leaks == []


def test_workers_exit_when_the_parent_is_killed(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    text = SEED.read_text(encoding="utf-8")
    corpus.write_text(
        "".join(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n" for i in range(400)),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    command = batch_command(corpus, out, 2)
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    part = tmp_path / "out.jsonl.part"
    deadline = time.time() + 60
    while time.time() < deadline and (not part.exists() or part.read_bytes().count(b"\n") < 20):
        time.sleep(0.05)
    workers = psutil.Process(process.pid).children()
    process.send_signal(signal.SIGKILL)
    process.wait()
    try:
        gone, alive = psutil.wait_procs(workers, timeout=5)
        assert workers and not alive, f"{len(alive)} worker processes still running 5 s after the parent was killed"
    finally:
        for worker in workers:
            if worker.is_running():
                worker.kill()


def test_errors_file_survives_an_interrupt_between_the_two_writes(runner, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.txt").write_bytes(b"")  # an error record
    (folder / "c.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    real_write = framing.records.RecordWriter.write

    def write_then_interrupted(self, record):
        real_write(self, record)
        if "error" in record:
            raise KeyboardInterrupt  # Ctrl-C (or SIGKILL, or ENOSPC on the errors file) after the record is flushed

    monkeypatch.setattr(framing.records.RecordWriter, "write", write_then_interrupted)
    args = ["batch", str(folder), "-o", str(out), "--errors", str(errors), "--jobs", "1", "-q", "--mode", "lexicon"]
    assert runner.invoke(main, args).exit_code == 130
    monkeypatch.setattr(framing.records.RecordWriter, "write", real_write)
    assert runner.invoke(main, [*args, "--resume"]).exit_code == 1
    in_output = [r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()) if "error" in r]
    assert [r["source"] for r in in_output] == [str(folder / "b.txt")]
    assert [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()] == in_output


def test_cp1251_article_is_decoded_as_cp1251():
    from framing.reader import decode_bytes

    with gzip.open(soak.CORPUS, "rt", encoding="utf-8") as lines:
        row = next(json.loads(line) for line in lines if '"rt6-0955"' in line)
    text = row["title"] + "\n\n" + row["text"]
    decoded, encoding = decode_bytes(text.encode("cp1251"), "rt6-0955.txt")
    assert decoded == text, f"decoded as {encoding}: {decoded[:40]!r}"
