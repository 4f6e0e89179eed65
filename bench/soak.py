"""Soak test of `framing batch`: a real archive with bad files, killed and resumed until it is right (`make soak`).

    python bench/soak.py [--docs 7580] [--seed 1] [--jobs 2] [--workdir DIR] [--keep] [--skip-dask]
                         [--report bench/SOAK.md]

Archive: all articles of ../shared/corpus/rt_ng_news.jsonl.gz (RT and Nezavisimaya Gazeta, public evaluation data
of the GitHub repository mannefedov/ru_kw_eval_datasets) as a folder tree of `.txt` files in UTF-8, UTF-8 with BOM,
cp1251, koi8-r and UTF-16, one in ten as `.html`, plus 5 % bad files: empty and whitespace-only, binary, truncated
UTF-16, one file over the size limit (70 MB by default), FIFOs, unreadable files (chmod 000; as root the runs drop
CAP_DAC_OVERRIDE through setpriv so that this holds for root too), symbolic link loops, Kazakh and English texts,
and a directory named `x.txt` (a folder: descended into with -r, its one article analysed).

Scenarios, each on its own output file and compared with the first:

1. reference: `framing batch ARCHIVE -r -o OUT --errors ERR -q --jobs N`, uninterrupted;
2. SIGKILL three times (two random points, then the moment the last record is written, i.e. around the rename
   of OUT.part), each followed by the same command plus `--resume`; then `--resume` once more on the finished OUT
   (what a kill just after the rename leaves);
3. SIGINT to the process group (Ctrl-C) at a random point, then `--resume`;
4. disk full: OUT and ERR on a tmpfs too small for them (as root), else a file-size limit (RLIMIT_FSIZE, the
   write fails with EFBIG); then more space and `--resume`;
5. `--engine dask` on a LocalCluster of N workers, one worker process SIGKILLed mid-run.

Checked every time: every input exactly once, records identical to the reference (the schema has no timing
fields, so nothing is ignored), an error record with its documented reason for exactly the bad files (Kazakh and
English: analysed, `language` kk/en, a warning, no frame), the `--errors` file holding exactly the error records,
exit status 1, and the peak RSS of the process tree (sampled every 0.2 s) ≤ 1.2× its value at 10 % progress.
Writes the table into --report between the markers of its --section (the rest of the file, e.g. Findings, is kept).
Exit status 0 when every check passed, 1 otherwise (the table says which).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import json
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "rt_ng_news.jsonl.gz"
ENCODINGS = ("utf-8", "utf-8-sig", "cp1251", "koi8-r", "utf-16")
HTML_EVERY = 10  # one article in ten is an HTML page
BAD_SHARE = 0.05  # bad files as a share of all files
RSS_FLAT = 1.2  # peak RSS ≤ this × RSS at 10 % progress
SAMPLE_SECONDS = 0.2
ORPHAN_WAIT = 3.0  # seconds the processes of a run may outlive its main process

# Written for the soak (not from the corpus): non-Russian texts are analysed, warned about, and claim no frame.
KAZAKH = [
    "Қазақстан мен Ресей арасындағы сауда былтыр айтарлықтай өсті, деп хабарлады министрлік.",
    "Тараптар көлік, энергетика және ауыл шаруашылығы салаларындағы ынтымақтастықты талқылады.",
    "Астанада өткен кездесуде үкімет басшылары жаңа келісімдерге қол қойды.",
    "Мемлекеттік тілді дамыту бағдарламасы мектептер мен университеттерде жалғасады.",
    "Сарапшылардың пікірінше, өңірдегі инвестициялық ахуал жақсарып келеді.",
    "Президент халыққа жолдауында экономиканы әртараптандыру қажеттігін атап өтті.",
]
ENGLISH = [
    "The two governments signed a new agreement on trade and transport on Tuesday.",
    "Officials said the talks covered energy prices, grain exports and the new railway line.",
    "The minister told reporters that the country would keep its independent foreign policy.",
    "Analysts expect the deal to raise trade between the two countries by a fifth next year.",
    "Schools in the region will offer more lessons in the state language from September.",
    "The central bank left its key rate unchanged and warned of slower growth.",
]


# --- the archive ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    kind: str  # article, html, kazakh, english, or the kind of bad file
    error: str | None = None  # a substring of the documented reason, for files that must become error records
    language: str = "ru"


@dataclass
class Archive:
    root: Path
    expected: dict[str, Expect]  # source (as framing names it) → what its record must be
    max_mb: float | None  # --max-mb for the runs (None: the default 64 MB)
    articles: int = 0
    bad: int = 0
    kinds: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def errors_expected(self) -> int:
        return sum(1 for e in self.expected.values() if e.error)


def as_root() -> bool:
    return os.geteuid() == 0


def can_drop_dac() -> bool:
    """Root reads chmod-000 files; without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH (setpriv) it does not."""
    return (
        shutil.which("setpriv") is not None and subprocess.run([*DROP_DAC, "true"], capture_output=True).returncode == 0
    )


DROP_DAC = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


def article_text(row: dict) -> str:
    header = f" date {row['date']} \n" if row.get("date") else ""  # framing reads a leading date line
    return f"{header}{row['title']}\n\n{row['text']}"


def article_html(row: dict) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in row["text"].split("\n") if p.strip())
    title = html.escape(row["title"])
    return (
        f'<!DOCTYPE html>\n<html lang="ru"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f'<body><header><nav><a href="/">Главная</a></nav></header>\n<article><h1>{title}</h1>\n'
        f"<time>{row.get('date') or ''}</time>\n{paragraphs}</article>\n"
        f"<footer>© {row['outlet']}</footer></body></html>\n"
    )


def read_corpus(docs: int | None) -> list[dict]:
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            rows.append(json.loads(line))
            if docs is not None and len(rows) >= docs:
                break
    return rows


def build_archive(
    folder: Path, docs: int | None = None, seed: int = 1, oversize_mb: float = 70, max_mb: float | None = None
) -> Archive:
    """The archive: `docs` real articles (default all) in mixed encodings and HTML, plus 5 % bad files."""
    rng = random.Random(seed)
    rows = read_corpus(docs)
    root = folder / "archive"
    root.mkdir(parents=True)
    archive = Archive(root, {}, max_mb)

    def put(path: Path, data: bytes | None, expect: Expect) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        archive.expected[str(path)] = expect
        archive.kinds[expect.kind] += 1

    for i, row in enumerate(rows):
        sub = root / row["outlet"].lower() / (row.get("date") or "undated")[:7]
        if i % HTML_EVERY == HTML_EVERY - 1:
            put(sub / f"{i:05d}_{row['id']}.html", article_html(row).encode("utf-8"), Expect("html"))
            continue
        encoding = ENCODINGS[rng.randrange(len(ENCODINGS))]
        put(
            sub / f"{i:05d}_{row['id']}.txt",
            article_text(row).encode(encoding, errors="replace"),
            Expect(f"article {encoding}"),
        )
    archive.articles = len(rows)
    # a folder named like a document is a folder: -r descends into it (one more article, not a bad file)
    inner = root / "x.txt" / "inner.txt"
    put(inner, article_text(rows[0]).encode("utf-8"), Expect("article in a directory named x.txt"))
    archive.articles += 1

    bad = max(len(BAD_KINDS) + 1, round(len(rows) * BAD_SHARE / (1 - BAD_SHARE)))
    bad_dir = root / "incoming"
    unreadable = not as_root() or can_drop_dac()
    if not unreadable:
        archive.notes.append(
            "running as root without setpriv: chmod 000 cannot make a file unreadable, so none was made"
        )
    kinds = [k for k in BAD_KINDS if unreadable or k != "unreadable"]
    made = 0
    bad_dir.mkdir()
    big = bad_dir / "huge.txt"
    chunk = article_text(rows[0]).encode("utf-8")
    with open(big, "wb") as handle:  # real text, not a sparse file
        for _ in range(int(oversize_mb * 2**20) // len(chunk) + 1):
            handle.write(chunk)
    put(big, None, Expect("too large", "file too large"))
    made += 1
    n = 0
    while made < bad or n < len(kinds):  # every kind at least once
        kind = kinds[n % len(kinds)]
        n += 1
        path = bad_dir / f"{n:04d}_{kind.replace(' ', '_')}.txt"
        source = rows[rng.randrange(len(rows))]
        if kind == "empty":
            put(path, b"", Expect(kind, "empty file"))
        elif kind == "whitespace":
            put(path, b" \n\t\r\n  \n", Expect(kind, "empty file"))
        elif kind == "binary":
            data = bytearray(rng.randbytes(4096))
            data[rng.randrange(64)] = 0
            put(path, bytes(data), Expect(kind, "binary file, not text"))
        elif kind == "truncated UTF-16":
            data = article_text(source).encode("utf-16")
            put(path, data[: rng.randrange(len(data) // 4, len(data) - 2) | 1], Expect(kind, "invalid UTF-16"))
        elif kind == "fifo":
            path.parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(path)
            put(path, None, Expect(kind, "not a regular file"))
        elif kind == "unreadable":
            put(path, article_text(source).encode("utf-8"), Expect(kind, "permission denied"))
            path.chmod(0)
        elif kind == "symlink loop":
            other = path.with_name(path.stem + "_b.txt")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(other.name)
            other.symlink_to(path.name)
            put(path, None, Expect(kind, "symbolic link loop"))  # was "no such file" (SOAK.md, finding 4)
            put(other, None, Expect(kind, "symbolic link loop"))
            made += 1
        elif kind == "kazakh":
            put(path, " ".join(rng.sample(KAZAKH, 4)).encode("utf-8"), Expect(kind, language="kk"))
        elif kind == "english":
            put(path, " ".join(rng.sample(ENGLISH, 4)).encode("utf-8"), Expect(kind, language="en"))
        made += 1
    archive.bad = made
    return archive


BAD_KINDS = [
    "empty",
    "whitespace",
    "binary",
    "truncated UTF-16",
    "fifo",
    "unreadable",
    "symlink loop",
    "kazakh",
    "english",
]


def remove_tree(folder: Path) -> None:
    for path in folder.rglob("*"):  # chmod-000 files need no help, but restore them so any user can remove them
        with contextlib.suppress(OSError):
            if not path.is_symlink():
                path.chmod(0o644 if path.is_file() else 0o755)
    shutil.rmtree(folder, ignore_errors=True)


# --- one run, watched -------------------------------------------------------------------------
@dataclass
class Segment:
    """One process: how it ended and what it used."""

    label: str
    status: int | None = None
    stderr: str = ""
    seconds: float = 0.0
    records_at_start: int = 0
    records_at_end: int = 0
    rss_at_10: int | None = None  # bytes, the tree at 10 % of this segment's remaining records
    rss_peak: int = 0
    fault: str | None = None  # what was done to it
    landed: str | None = None  # where a kill landed (part / final / exited)
    orphans: int = 0  # processes of its group still alive 5 s after the main one was killed
    prefix_ok: bool | None = None  # after a fault: the output is a byte prefix of the reference (torn last line aside)
    torn: bool = False

    @property
    def rss_ratio(self) -> float | None:
        return self.rss_peak / self.rss_at_10 if self.rss_at_10 else None


def tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


class LineCounter:
    """Counts the lines of the output as it grows (OUT.part while running, OUT after the rename)."""

    def __init__(self, final: Path) -> None:
        self.final, self.part = final, final.with_name(final.name + ".part")
        self.path: Path | None = None
        self.offset = self.lines = 0

    def count(self) -> int:
        path = self.part if self.part.exists() else self.final if self.final.exists() else None
        if path is None:
            return self.lines
        if path != self.path:
            self.path, self.offset, self.lines = path, 0, 0
        try:
            with open(path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except OSError:
            return self.lines
        self.lines += data.count(b"\n")
        self.offset += len(data)
        return self.lines


def batch_command(
    archive: Archive, out: Path, errors: Path, jobs: int, engine: str = "local", resume: bool = False
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "framing.cli",
        "batch",
        str(archive.root),
        "-r",
        "-o",
        str(out),
        "--errors",
        str(errors),
        "--jobs",
        str(jobs),
        "-q",
    ]
    if archive.max_mb:
        command += ["--max-mb", str(archive.max_mb)]
    if engine != "local":
        command += ["--engine", engine]
    if resume:
        command.append("--resume")
    if as_root() and can_drop_dac():
        command = [*DROP_DAC, *command]
    return command



def default_sigint_then(preexec=None):
    """Child set-up: SIGINT back to its default first. A soak started as a background job of a non-interactive
    shell (or under nohup) runs with SIGINT ignored, and an ignored signal survives exec: the Ctrl-C fault would
    never reach the batch process."""

    def setup() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if preexec is not None:
            preexec()

    return setup

def watch(
    command: list[str],
    out: Path,
    total: int,
    label: str,
    kill_at: int | None = None,
    kill_at_end: bool = False,
    end_size: int | None = None,
    fault=None,
    preexec=None,
) -> Segment:
    """Run `command`, sample the tree's RSS, and apply `fault(process)` once `kill_at` records are written (or, with
    `kill_at_end`, the moment the output reaches `end_size` bytes or is renamed). Returns the finished segment."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    counter = LineCounter(out)
    segment = Segment(label, records_at_start=counter.count())
    remaining = max(1, total - segment.records_at_start)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=default_sigint_then(preexec),
    )
    ps = psutil.Process(process.pid)
    faulted, next_sample = False, 0.0
    part = counter.part
    with contextlib.suppress(Exception):
        os.set_blocking(process.stderr.fileno(), False)
    errors_seen = []
    while process.poll() is None:
        now = time.perf_counter()
        lines = (
            counter.count() if (now >= next_sample or kill_at_end) and not (kill_at_end and faulted) else counter.lines
        )
        if now >= next_sample:
            rss = tree_rss(ps)
            segment.rss_peak = max(segment.rss_peak, rss)
            if segment.rss_at_10 is None and lines - segment.records_at_start >= 0.1 * remaining:
                segment.rss_at_10 = rss
            next_sample = now + SAMPLE_SECONDS
        if fault and not faulted:
            hit = False
            if kill_at_end:
                with contextlib.suppress(OSError):
                    if part.exists() and end_size is not None and part.stat().st_size >= end_size:
                        hit, segment.landed = True, "all records in OUT.part, before the rename"
                if not hit and not part.exists() and out.exists():
                    hit, segment.landed = True, "after the rename of OUT.part to OUT"
            elif kill_at is not None and lines >= kill_at:
                hit, segment.landed = True, f"at record {lines}"
            if hit:
                fault(process)
                faulted = True
        with contextlib.suppress(Exception):
            chunk = process.stderr.read()
            if chunk:
                errors_seen.append(chunk)
        time.sleep(0.0005 if kill_at_end and not faulted else 0.02)
    with contextlib.suppress(Exception):
        rest = process.stderr.read()
        if rest:
            errors_seen.append(rest)
    segment.seconds = time.perf_counter() - started
    segment.status = process.returncode
    segment.stderr = "".join(errors_seen).strip()
    segment.records_at_end = LineCounter(out).count()
    if fault and not faulted:
        segment.landed = "missed: the run finished first"
    segment.orphans = reap_group(process.pid)
    return segment


def reap_group(pgid: int, wait: float | None = None) -> int:
    """Live processes left in the run's process group (e.g. workers of a SIGKILLed parent) `wait` s after its main
    process ended; then killed, by the group's id. Zombies do not count (a container's init may not reap them)."""
    deadline = time.time() + (ORPHAN_WAIT if wait is None else wait)
    left: list[psutil.Process] = []
    while True:
        left = [
            p
            for p in psutil.process_iter(["status"])
            if p.info["status"] != psutil.STATUS_ZOMBIE and _pgid(p.pid) == pgid
        ]
        if not left or time.time() >= deadline:
            break
        time.sleep(0.1)
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # our own run's group
    return len(left)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def sigkill(process) -> None:
    process.send_signal(signal.SIGKILL)  # the main process only, like `kill -9 PID` or the OOM killer


def sigint_group(process) -> None:
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group


def kill_a_dask_worker(process) -> None:
    """SIGKILL the busiest worker process of the LocalCluster (a child of the client running the analysis)."""
    children = psutil.Process(process.pid).children(recursive=True)
    workers = [c for c in children if _is_dask_worker(c)]
    if not workers:
        raise RuntimeError(f"no Dask worker process among {[c.cmdline() for c in children]}")
    max(workers, key=lambda c: c.memory_info().rss).send_signal(signal.SIGKILL)


def _is_dask_worker(process: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        line = " ".join(process.cmdline())
        return "multiprocessing" in line and "resource_tracker" not in line and "forkserver" not in line
    return False


# --- checks -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    """One scenario: its segments and how its final output compares with the reference."""

    name: str
    segments: list[Segment] = field(default_factory=list)
    records: int = 0
    identical: int = 0
    byte_identical: bool = False
    duplicates: int = 0
    lost: int = 0
    unexpected: int = 0
    wrong: list[str] = field(default_factory=list)  # records that break their expectation (first few)
    wrong_count: int = 0
    misread: int = 0  # real articles refused or analysed as not Russian (decoded into the wrong characters)
    leaks: list[str] = field(default_factory=list)  # processes outliving their run (not about the records)
    errors_file_ok: bool = False
    errors_file_note: str = ""
    status_ok: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return sum(1 for s in self.segments if s.fault and not (s.landed or "").startswith("missed"))

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.segments)

    @property
    def rss_peak(self) -> int:
        return max((s.rss_peak for s in self.segments), default=0)

    @property
    def rss_ratio(self) -> float | None:
        ratios = [s.rss_ratio for s in self.segments if s.rss_ratio]
        return max(ratios) if ratios else None

    @property
    def ok(self) -> bool:
        return not self.problems and not self.leaks


def load_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def check_expectation(record: dict, expect: Expect) -> str | None:
    if expect.error:
        if "error" not in record:
            return f"expected error '{expect.error}', got a record ({record.get('language')})"
        if expect.error not in record["error"]:
            return f"expected error '{expect.error}', got '{record['error']}'"
        return None
    if "error" in record:
        return f"{expect.kind}: unexpected error '{record['error']}'"
    if record.get("language") != expect.language:
        return (f"{expect.kind}: language {record.get('language')} (russian_share {record.get('russian_share')}), "
                f"expected {expect.language}")
    if expect.language != "ru" and (
        not record.get("warnings") or record.get("dominant") or any(f["present"] for f in record["frames"])
    ):
        return f"{expect.kind}: not Russian but no warning or a frame claimed"
    return None


def check_output(
    outcome: Outcome,
    archive: Archive,
    out: Path,
    errors: Path,
    reference: dict[str, dict] | None,
    reference_bytes: bytes | None,
) -> None:
    problems = outcome.problems
    if not out.exists():
        problems.append(f"no output {out.name}")
        return
    data = out.read_bytes()
    records = load_records(out)
    outcome.records = len(records)
    counts = Counter(r["source"] for r in records)
    outcome.duplicates = sum(c - 1 for c in counts.values() if c > 1)
    outcome.lost = sum(1 for s in archive.expected if s not in counts)
    outcome.unexpected = sum(1 for s in counts if s not in archive.expected)
    for record in records:
        expect = archive.expected.get(record["source"])
        why = check_expectation(record, expect) if expect else "not an input"
        if why:
            outcome.wrong_count += 1
            outcome.misread += bool(
                expect and expect.language == "ru" and not expect.error
            )  # an article refused or not read as Russian
            if len(outcome.wrong) < 5:
                outcome.wrong.append(f"{record['source']}: {why}")
    if reference is not None:
        outcome.identical = sum(1 for r in records if reference.get(r["source"]) == r and counts[r["source"]] == 1)
        outcome.byte_identical = data == reference_bytes
    else:
        outcome.identical = len(records)
        outcome.byte_identical = True
    in_output = Counter(json.dumps(r, sort_keys=True) for r in records if "error" in r)
    try:
        in_file = Counter(
            json.dumps(json.loads(line), sort_keys=True) for line in errors.read_text(encoding="utf-8").splitlines()
        )
        outcome.errors_file_ok = in_file == in_output
        if not outcome.errors_file_ok:
            missing, extra = sum((in_output - in_file).values()), sum((in_file - in_output).values())
            outcome.errors_file_note = f"--errors file: {missing} missing, {extra} extra"
    except (OSError, json.JSONDecodeError) as exc:
        outcome.errors_file_note = f"--errors file unreadable: {type(exc).__name__}: {exc}"
    final = outcome.segments[-1]
    outcome.status_ok = final.status == 1
    if outcome.duplicates:
        problems.append(f"{outcome.duplicates} duplicated")
    if outcome.lost:
        problems.append(f"{outcome.lost} lost")
    if outcome.unexpected:
        problems.append(f"{outcome.unexpected} records for no input")
    if outcome.wrong_count:
        problems.append(f"{outcome.wrong_count} records break their expectation, e.g. " + "; ".join(outcome.wrong[:3]))
    if reference is not None and outcome.identical != len(archive.expected):
        problems.append(f"{len(archive.expected) - outcome.identical} records differ from the reference")
    if not outcome.errors_file_ok:
        problems.append(outcome.errors_file_note)
    if not outcome.status_ok:
        problems.append(f"final exit status {final.status}, expected 1: {final.stderr[-300:]}")
    for segment in outcome.segments:
        if segment.rss_ratio and segment.rss_ratio > RSS_FLAT:
            problems.append(f"{segment.label}: peak RSS {segment.rss_ratio:.2f}× the RSS at 10 %")
        if segment.prefix_ok is False:
            problems.append(f"{segment.label}: the interrupted output is not a prefix of the reference")
        if segment.orphans:
            outcome.leaks.append(
                f"{segment.label}: {segment.orphans} processes of the run still alive {ORPHAN_WAIT:g} s "
                "after its main process ended"
            )
        if "Traceback" in segment.stderr:
            problems.append(f"{segment.label}: a traceback on stderr")


def check_prefix(segment: Segment, out: Path, reference_bytes: bytes) -> None:
    """After a fault: what is on disk (OUT.part, or OUT if renamed) must be whole records of the reference, in order."""
    part = out.with_name(out.name + ".part")
    path = part if part.exists() else out if out.exists() else None
    if path is None:
        segment.prefix_ok = True
        return
    data = path.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    segment.torn = len(whole) != len(data)
    segment.prefix_ok = reference_bytes.startswith(whole)


# --- scenarios --------------------------------------------------------------------------------
@dataclass
class Soak:
    archive: Archive
    work: Path
    jobs: int = 2
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    reference: dict[str, dict] | None = None
    reference_bytes: bytes | None = None
    log: object = None

    @property
    def total(self) -> int:
        return len(self.archive.expected)

    def say(self, text: str) -> None:
        if self.log:
            print(text, file=self.log, flush=True)

    def paths(self, name: str, folder: Path | None = None) -> tuple[Path, Path]:
        folder = folder or self.work / "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "out.jsonl", folder / "errors.jsonl"

    def finish(self, outcome: Outcome, out: Path, errors: Path, compare: bool = True) -> Outcome:
        check_output(
            outcome,
            self.archive,
            out,
            errors,
            self.reference if compare else None,
            self.reference_bytes if compare else None,
        )
        for s in outcome.segments:
            self.say(
                f"  {s.label}: exit {s.status}, {s.records_at_start}→{s.records_at_end} records, {s.seconds:.1f} s, "
                f"RSS 10 % {mb(s.rss_at_10)} peak {mb(s.rss_peak)}"
                + (f", {s.fault} {s.landed}" if s.fault else "")
                + (
                    f", prefix {'ok' if s.prefix_ok else 'BROKEN'}{' (torn last line)' if s.torn else ''}"
                    if s.prefix_ok is not None
                    else ""
                )
                + (f"; stderr: {s.stderr.splitlines()[-1][:200]}" if s.stderr else "")
            )
        self.say(f"{outcome.name}: {'ok' if outcome.ok else 'FAILED: ' + '; '.join(outcome.problems + outcome.leaks)}")
        return outcome

    def run_reference(self) -> Outcome:
        out, errors = self.paths("reference")
        outcome = Outcome("reference (uninterrupted)")
        outcome.segments.append(
            watch(batch_command(self.archive, out, errors, self.jobs), out, self.total, "reference")
        )
        if out.exists():
            self.reference_bytes = out.read_bytes()
            self.reference = {r["source"]: r for r in load_records(out)}
        return self.finish(outcome, out, errors, compare=False)

    def interrupted(
        self,
        name: str,
        faults: list[tuple[str, float | None]],
        engine: str = "local",
        folder: Path | None = None,
        first_preexec=None,
        between=None,
        resume_finished: bool = False,
    ) -> Outcome:
        """Run, apply each fault in turn (fraction of records, or None for 'at the end'), resume after each, finish."""
        out, errors = self.paths(name, folder)
        outcome = Outcome(name)
        resume = False
        for number, (fault, fraction) in enumerate(faults, 1):
            command = batch_command(self.archive, out, errors, self.jobs, engine, resume)
            action = {
                "SIGKILL": sigkill,
                "SIGINT": sigint_group,
                "kill a dask worker": kill_a_dask_worker,
                "disk full": None,
            }[fault]
            label = f"{fault} #{number}" if len(faults) > 1 else fault
            if fraction is None:
                segment = watch(
                    command, out, self.total, label, kill_at_end=True, end_size=len(self.reference_bytes), fault=action
                )
            else:
                segment = watch(
                    command,
                    out,
                    self.total,
                    label,
                    kill_at=int(fraction * self.total),
                    fault=action,
                    preexec=first_preexec if number == 1 else None,
                )
            segment.fault = fault
            if fault == "disk full":
                segment.landed = (
                    "out of space"
                    if segment.status == 1 and "--resume" in segment.stderr
                    else "missed: " + segment.stderr[-200:]
                )
            outcome.segments.append(segment)
            check_prefix(segment, out, self.reference_bytes)
            if between:
                between()
            if segment.status in (0, 1) and out.exists() and fault == "kill a dask worker":
                break  # the engine survived the fault by itself: no resume needed
            resume = True
        else:
            outcome.segments.append(
                watch(
                    batch_command(self.archive, out, errors, self.jobs, engine, True),
                    out,
                    self.total,
                    "--resume (to the end)",
                )
            )
        if (
            resume_finished
        ):  # what a kill just after the rename leaves: a finished OUT, which --resume must leave as it is
            outcome.segments.append(
                watch(
                    batch_command(self.archive, out, errors, self.jobs, engine, True),
                    out,
                    self.total,
                    "--resume of the finished OUT",
                )
            )
        return self.finish(outcome, out, errors)

    def run_sigkills(self, kills: int = 3) -> Outcome:
        points = sorted(self.rng.uniform(0.05, 0.9) for _ in range(kills - 1))
        return self.interrupted(
            f"SIGKILL ×{kills}", [("SIGKILL", p) for p in points] + [("SIGKILL", None)], resume_finished=True
        )

    def run_sigint(self) -> Outcome:
        return self.interrupted("SIGINT (Ctrl-C)", [("SIGINT", self.rng.uniform(0.1, 0.9))])

    def run_disk_full(self, method: str = "auto") -> Outcome:
        size = max(64 * 1024, len(self.reference_bytes) // 2 // 4096 * 4096)
        folder = self.work / "disk_full"
        folder.mkdir()
        if method == "auto":
            method = "tmpfs" if as_root() and _mount_tmpfs(folder, size) else "rlimit"
        elif method == "tmpfs" and not _mount_tmpfs(folder, size):
            raise RuntimeError("cannot mount a tmpfs")
        if method == "tmpfs":
            name = f"disk full (tmpfs of {size // 1024} KB, then grown)"

            def grow() -> None:
                subprocess.run(
                    ["mount", "-o", f"remount,size={4 * len(self.reference_bytes) + 2**20}", str(folder)], check=True
                )

            try:
                return self.interrupted(name, [("disk full", 1.0)], folder=folder, between=grow)
            finally:
                subprocess.run(["umount", "-l", str(folder)], check=False)
        name = f"disk full (simulated: RLIMIT_FSIZE {size // 1024} KB → EFBIG, then lifted)"

        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        return self.interrupted(name, [("disk full", 1.0)], folder=folder, first_preexec=limit)

    def run_dask(self) -> Outcome:
        return self.interrupted(
            "--engine dask, a worker SIGKILLed", [("kill a dask worker", self.rng.uniform(0.2, 0.7))], engine="dask"
        )


def _mount_tmpfs(folder: Path, size: int) -> bool:
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )


def mb(value: int | None) -> str:
    return "—" if not value else f"{value / 2**20:,.0f} MB"


# --- report -----------------------------------------------------------------------------------
def table(archive: Archive, outcomes: list[Outcome]) -> list[str]:
    lines = [
        "| run | documents | bad files | kills survived | records identical | duplicates | lost "
        "| bad files as documented | "
        "articles misread | exit 1 | peak RSS (× at 10 %) | wall time |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    for o in outcomes:
        ratio = f" ({o.rss_ratio:.2f}×)" if o.rss_ratio else ""
        errors_ok = "yes" if o.errors_file_ok and o.wrong_count == o.misread else "**no**"
        lines.append(
            f"| {o.name} | {archive.articles:,} | {archive.bad} | {o.kills} "
            f"| {o.identical:,} / {len(archive.expected):,} "
            f"({100 * o.identical / len(archive.expected):.1f} %{', same bytes' if o.byte_identical else ''}) "
            f"| {o.duplicates} | {o.lost} | {errors_ok} | {o.misread} | "
            f"{'yes' if o.status_ok else '**no**'} | {mb(o.rss_peak)}{ratio} | {o.seconds:,.0f} s |"
        )
    return lines


def markers(section: str) -> tuple[str, str]:
    return f"<!-- soak:{section}:begin -->", f"<!-- soak:{section}:end -->"


def report(archive: Archive, outcomes: list[Outcome], args, seconds: float) -> str:
    begin, end = markers(args.section)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(archive.kinds.items()))
    faults = sum(o.kills for o in outcomes)
    lines = [
        begin,
        f"Produced by `python bench/soak.py{' ' + ' '.join(args.argv) if args.argv else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, `--jobs {args.jobs}`, seed {args.seed}; {seconds / 60:.0f} min in all; "
        f"load average {args.load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(the machine is shared: wall times vary).",
        "",
        f"Archive: {archive.articles:,} real articles + {archive.bad} bad files = {len(archive.expected):,} inputs "
        f"({archive.errors_expected} must become error records). Files by kind: {kinds}."
        + (" " + " ".join(archive.notes) if archive.notes else ""),
        "",
        *table(archive, outcomes),
        "",
        f"Faults survived: {faults}. "
        + ("**All checks passed.**" if all(o.ok for o in outcomes) else "**Checks failed:**"),
    ]
    for o in outcomes:
        if o.problems or o.leaks:
            lines.append(f"- {o.name}: " + "; ".join(o.problems + o.leaks))
    lines += ["", "Where each fault landed:", ""]
    for o in outcomes:
        for s in o.segments:
            if s.fault:
                lines.append(
                    f"- {o.name}, {s.label}: {s.landed}; exit {s.status}"
                    + (
                        f"; on disk a prefix of the reference{' plus a torn line' if s.torn else ''}"
                        if s.prefix_ok
                        else ""
                    )
                    + (f"; `{s.stderr.splitlines()[-1][:160]}`" if s.stderr else "")
                )
    lines.append(end)
    return "\n".join(lines)


def write_report(path: Path, block: str, section: str) -> None:
    """Replace the section's block in `path` (everything else, e.g. Findings, is kept), or append it."""
    begin, end = markers(section)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head + block + rest.split(end, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Soak test of `framing batch`\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, help="real articles to take (default: all 7,580)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--workdir", type=Path, help="where to build the archive and outputs (default: a temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs in a row (the last at the end of the run)")
    parser.add_argument("--oversize-mb", type=float, default=70, help="size of the too-large file")
    parser.add_argument("--max-mb", type=float, help="--max-mb for the runs (default: framing's 64 MB)")
    parser.add_argument(
        "--report", type=Path, default=ROOT / "bench" / "SOAK.md", help="where to write the table ('-': nowhere)"
    )
    parser.add_argument("--section", help="name of the table's block in --report (default: full, or docsN)")
    args = parser.parse_args(argv)
    args.section = args.section or ("full" if args.docs is None else f"docs{args.docs}")
    args.argv = argv if argv is not None else sys.argv[1:]
    if not CORPUS.exists():
        print(f"bench/soak.py: {CORPUS} not found; the soak needs the real corpus", file=sys.stderr)
        return 2
    started, args.load_start = time.perf_counter(), os.getloadavg()[0]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="framing-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"building the archive in {work} …", flush=True)
        archive = build_archive(work, args.docs, args.seed, args.oversize_mb, args.max_mb)
        print(f"{archive.articles} articles + {archive.bad} bad files; kinds {dict(archive.kinds)}", flush=True)
        soak = Soak(archive, work, args.jobs, random.Random(args.seed), log=sys.stdout)
        outcomes = [soak.run_reference()]
        if soak.reference is not None:
            outcomes += [soak.run_sigkills(args.kills), soak.run_sigint(), soak.run_disk_full()]
            if not args.skip_dask:
                outcomes.append(soak.run_dask())
        block = report(archive, outcomes, args, time.perf_counter() - started)
        print(block)
        if str(args.report) != "-":
            write_report(args.report, block, args.section)
        return 0 if all(o.ok for o in outcomes) else 1
    finally:
        if not args.keep:
            remove_tree(work)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
