"""Batch faults: disk full, a worker killed, Ctrl-C, files vanishing mid-run → reported, and --resume completes.

After every fault the output holds only whole records (a torn last line is cut off on resume), and the
resumed run has every document exactly once.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import framing.records
import framing.sources
from framing.cli import main

from .conftest import SEED, batch_command


def write_corpus(path: Path, n: int) -> Path:
    text = SEED.read_text(encoding="utf-8")
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    return path


def ids_in(path: Path) -> list[str]:
    """The ids of a resumed output of `write_corpus` rows, once each record is checked against the others:
    the rows have the same text, so records written before a fault and after the resume must be equal."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert records and all(r == records[0] | {"id": r["id"]} for r in records)
    assert "error" not in records[0] and records[0]["dominant"] == "partnership"
    return [r["id"] for r in records]


def whole_lines(path: Path) -> list[dict]:
    """Every line but a possibly torn last one must be a valid record."""
    lines = path.read_bytes().split(b"\n")
    return [json.loads(line) for line in lines[:-1]]


def wait_for_lines(path: Path, count: int, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and (not path.exists() or path.read_bytes().count(b"\n") < count):
        time.sleep(0.05)


def test_disk_full_is_reported_and_resume_completes(runner, tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus.jsonl", 12)
    out = tmp_path / "out.jsonl"
    real_write = framing.records.RecordWriter.write
    calls = {"n": 0}

    def write_until_full(self, record):
        calls["n"] += 1
        if calls["n"] == 5:  # half a line reaches the disk, then it is full
            self.handle.write(json.dumps(record, ensure_ascii=False)[:40])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, record)

    monkeypatch.setattr(framing.records.RecordWriter, "write", write_until_full)
    args = ["batch", str(corpus), "-o", str(out), "--jobs", "1", "-q", "--mode", "lexicon"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        len(lines) == 1
        and "No space left on device" in lines[0]
        and "--resume" in lines[0]
        and "out.jsonl.part" in lines[0]
    )
    assert not out.exists()
    part = tmp_path / "out.jsonl.part"
    assert [r["id"] for r in whole_lines(part)] == ["0", "1", "2", "3"]

    monkeypatch.setattr(framing.records.RecordWriter, "write", real_write)
    resumed = runner.invoke(main, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert ids_in(out) == [str(i) for i in range(12)]


def _kill_wait_resume(tmp_path: Path, fault) -> tuple[int, str]:
    """Start a 2-worker run of 400 documents, apply `fault(process)` after 40 records, wait; then resume
    and check every document is there exactly once. Returns the faulted run's exit status and stderr."""
    corpus = write_corpus(tmp_path / "corpus.jsonl", 400)
    out, part = tmp_path / "out.jsonl", tmp_path / "out.jsonl.part"
    command = batch_command(corpus, out, 2)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # SIGINT ignored by the test runner (a background job, nohup) would be inherited and hide the Ctrl-C fault
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for_lines(part, 40)
        fault(process)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert not out.exists() and 40 <= len(whole_lines(part)) < 400
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert ids_in(out) == [str(i) for i in range(400)]
    return process.returncode, stderr


def test_killed_worker_is_reported_and_resume_completes(tmp_path):
    def kill_a_worker(process):
        workers = psutil.Process(process.pid).children()
        assert workers, "no worker processes"
        workers[0].send_signal(signal.SIGKILL)

    status, stderr = _kill_wait_resume(tmp_path, kill_a_worker)
    assert status == 1, stderr
    assert "worker process died" in stderr and "--resume" in stderr and "Traceback" not in stderr


def test_ctrl_c_with_workers_then_resume(tmp_path):
    def ctrl_c(process):
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, workers included

    status, stderr = _kill_wait_resume(tmp_path, ctrl_c)
    assert status == 130, stderr
    assert "interrupted" in stderr and "--resume" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_vanishing_mid_run_become_error_records(runner, tmp_path, monkeypatch, jobs):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (folder / name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    real_iter_tasks = framing.sources.iter_tasks

    def listing_then_vanishing(*args, **kwargs):
        for task in real_iter_tasks(*args, **kwargs):
            if task.source.endswith("a.txt"):  # listed, then b.txt deleted and c.txt replaced by an unreadable pipe
                (folder / "b.txt").unlink()
                (folder / "c.txt").unlink()
                os.mkfifo(folder / "c.txt")
            yield task

    monkeypatch.setattr(framing.sources, "iter_tasks", listing_then_vanishing)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", str(jobs), "--mode", "lexicon"])
    assert result.exit_code == 1, result.output
    records = {Path(r["source"]).name: r for r in whole_lines(out)}
    assert set(records) == {"a.txt", "b.txt", "c.txt", "d.txt"}
    assert "no such file" in records["b.txt"]["error"] and "not a regular file" in records["c.txt"]["error"]
    assert records["a.txt"]["dominant"] == records["d.txt"]["dominant"] == "partnership"
    assert "2 documents ok, 2 failed" in result.output


def test_output_into_a_closed_pipe_stops_quietly(tmp_path):
    """`framing batch … | head -1`: the reader goes away; no error message, exit 0 (as before the write guard)."""
    corpus = write_corpus(tmp_path / "corpus.jsonl", 30)
    command = f"{sys.executable} -m framing.cli batch {corpus} --jobs 1 -q --mode lexicon | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=300)
    assert done.stdout.count("\n") == 1 and json.loads(done.stdout)["id"] == "0"
    assert "error" not in done.stderr and "Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr


def test_size_limit_from_environment_is_checked(monkeypatch):
    from framing import reader

    for value, expected in (
        ("2", 2 * 2**20),
        ("inf", reader.megabytes(reader.DEFAULT_MAX_MB)),
        ("nan", reader.megabytes(reader.DEFAULT_MAX_MB)),
        ("-5", reader.megabytes(reader.DEFAULT_MAX_MB)),
        ("lots", reader.megabytes(reader.DEFAULT_MAX_MB)),
    ):
        monkeypatch.setenv("FRAMING_MAX_MB", value)
        assert reader._max_bytes_from_env() == expected, value


def test_file_tasks_carry_the_clients_size_limit(tmp_path):
    """Dask workers read files with the limit of the command that listed them, not their own default."""
    from framing.sources import iter_tasks

    (tmp_path / "a.txt").write_text("Россия и Казахстан — союзники.", encoding="utf-8")
    assert [t.max_bytes for t in iter_tasks([str(tmp_path)], max_bytes=123)] == [123]
    assert [t.max_bytes for t in iter_tasks([str(tmp_path)])] == [framing.sources.reader.MAX_BYTES]
