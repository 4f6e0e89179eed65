"""Benchmark harness: framing vs a naive spaCy + pymorphy3 pipeline, batch scaling, start-up, memory.

Builds a ≥ 1M-token corpus from the repo's own texts (seed, gold articles, training sentences; shuffled
into article-sized documents), measures everything in one run on the same text and lexicons (batch: local
engine with 1 and 2 jobs, dask engine on a LocalCluster of 2 workers), prints
the table and writes it with machine info to bench/RESULTS.md. Ratios, not absolute times, are the
targets (the machine's speed varies between runs). No timed assertions live in the test suite.

    python bench/run.py [--tokens 1000000] [--baseline-tokens 120000] [--quick]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"
SEED = ROOT / "seeds" / "000_0281386bebb0d4b9.txt"
WORD = re.compile(r"\w+(?:-\w+)*")
FRAMING = [sys.executable, "-m", "framing.cli"]


def source_paragraphs() -> list[str]:
    parts = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    for path in sorted((ROOT / "examples" / "gold").glob("*.txt")):
        parts += [p for p in path.read_text(encoding="utf-8").split("\n")[1:] if p.strip()]
    for path in sorted((ROOT / "data" / "train" / "raw").glob("*.jsonl")):
        parts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return parts


def build_corpus(target_tokens: int, seed: int = 0) -> list[str]:
    """Shuffled paragraphs concatenated into ~350–800-token documents until the corpus has target_tokens."""
    rng = random.Random(seed)
    pool = source_paragraphs()
    docs, total = [], 0
    while total < target_tokens:
        rng.shuffle(pool)
        i = 0
        while i < len(pool) and total < target_tokens:
            size = rng.randint(350, 800)
            paragraphs, n = [], 0
            while i < len(pool) and n < size:
                paragraphs.append(pool[i])
                n += len(WORD.findall(pool[i]))
                i += 1
            docs.append("\n\n".join(paragraphs))
            total += n
    return docs


def count_tokens(docs: list[str]) -> int:
    return sum(len(WORD.findall(d)) for d in docs)


def baseline_pipeline():
    """What a competent user writes first: blank ru + spaCy's pymorphy3 lemmatizer + PhraseMatcher on LEMMA."""
    import spacy
    from spacy.matcher import PhraseMatcher

    from framing.lexicon import load_lexicon_set

    nlp = spacy.blank("ru")
    nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    nlp.initialize()
    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for frame in load_lexicon_set().frames:
        matcher.add(frame.id, [nlp(term.lemma) for term in frame.terms])
    return nlp, matcher


def time_it(func, *args) -> float:
    started = time.perf_counter()
    func(*args)
    return time.perf_counter() - started


REPEATS = 2  # engine runs are timed best-of-REPEATS: on a shared VM one run can lose a third to a neighbour


def best_time(func, repeats: int = REPEATS) -> float:
    return min(time_it(func) for _ in range(repeats))


def _hwm_mb(pid: int) -> float | None:
    """VmHWM (peak RSS) of a live process; reset at exec, unlike ru_maxrss, which a forked child inherits."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_child(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, sampled every 5 ms; VmHWM only grows) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _hwm_mb(process.pid) or 0.0)
        time.sleep(0.005)
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"command failed: {' '.join(command)}")
    return wall, peak


def dask_batch_rate(tasks: list, analyzer, total_tokens: int, workers: int = 2) -> float:
    """tokens/s of `--engine dask` on a LocalCluster of `workers` processes, timed like the --jobs runs.

    Those fork from an analyzer that has already seen the whole corpus (pipeline loaded, lemma cache warm);
    here the cluster is started and every worker analyses the whole corpus once, untimed, so the ratio
    compares the engines, not cold caches.
    """
    from framing.engines.dask import DaskEngine, analyze_on_worker

    with DaskEngine(analyzer, workers=workers) as engine:
        engine.client.run(analyze_on_worker, engine.key, tasks)  # on each worker
        seconds = best_time(lambda: [json.dumps(r, ensure_ascii=False) for r in engine.run(iter(tasks))])
    return total_tokens / seconds


def profile_top(analyzer, docs: list[str], n: int = 8) -> tuple[str, list[str]]:
    """Where analysis spends its time: pyinstrument's call tree when installed (extra `bench`), else cProfile."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for doc in docs:
            analyzer.analyze(doc)
        profiler.stop()
        tree = profiler.output_text(unicode=False, color=False, show_all=False)
        lines = [
            line.rstrip()
            for line in tree.splitlines()
            if line.strip() and not line.lstrip().startswith(("_", "Recorded", "Samples", "Duration", "CPU", "Program"))
        ]
        return "pyinstrument call tree, seconds per frame", lines[:40]
    profiler = cProfile.Profile()
    profiler.enable()
    for doc in docs:
        analyzer.analyze(doc)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = sum(v[2] for v in stats.stats.values())
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:n]
    return "cProfile, share of total time by function", [
        f"{100 * v[2] / total:5.1f}%  {Path(k[0]).name}:{k[1]}({k[2]})" for k, v in rows
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument(
        "--baseline-tokens", type=int, default=120_000, help="baseline is slow: measured on this prefix"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    args = parser.parse_args()
    if args.quick:
        args.tokens, args.baseline_tokens = 120_000, 20_000

    from framing.analyzer import Analyzer
    from framing.engines.local import run
    from framing.sources import Task

    docs = build_corpus(args.tokens)
    total_tokens = count_tokens(docs)
    prefix, n = [], 0
    for d in docs:
        if n >= args.baseline_tokens:
            break
        prefix.append(d)
        n += len(WORD.findall(d))
    prefix_tokens = n
    rows: list[tuple[str, str, str]] = []
    print(
        f"corpus: {len(docs)} documents, {total_tokens:,} tokens; baseline prefix: {len(prefix)} documents, "
        f"{prefix_tokens:,} tokens"
    )

    # 1. baseline vs framing on the same prefix
    nlp, matcher = baseline_pipeline()
    nlp(prefix[0])
    base_s = time_it(lambda: [matcher(d) for d in nlp.pipe(prefix)])
    base_rate = prefix_tokens / base_s
    rows.append(("baseline: spaCy blank ru + pymorphy3 lemmatizer + PhraseMatcher(LEMMA)", f"{base_rate:,.0f}", "1.0×"))

    analyzers = {mode: Analyzer(mode=mode) for mode in ("lexicon", "combined")}
    rates = {}
    for mode, analyzer in analyzers.items():
        for d in prefix:
            analyzer.analyze(d)  # warm: the lemma cache has seen the prefix once, as a long-running process would have
        same = prefix_tokens / time_it(lambda a=analyzer: [a.analyze(d) for d in prefix])
        full = total_tokens / time_it(lambda a=analyzer: [a.analyze(d) for d in docs])
        rates[mode] = full
        rows.append(
            (f"framing.analyze warm, {mode} mode (baseline prefix)", f"{same:,.0f}", f"{same / base_rate:.1f}×")
        )
        rows.append((f"framing.analyze warm, {mode} mode (whole corpus)", f"{full:,.0f}", f"{full / base_rate:.1f}×"))

    # 2. batch over the corpus as files, jobs 1 vs 2 (processing time: the analyzer is loaded once before)
    shutil.rmtree(CORPUS, ignore_errors=True)
    CORPUS.mkdir(parents=True)
    for i, d in enumerate(docs):
        (CORPUS / f"doc{i:05d}.txt").write_text(d, encoding="utf-8")
    tasks = [Task(str(p), path=str(p)) for p in sorted(CORPUS.glob("*.txt"))]
    batch_rates = {}
    for jobs in (1, 2):
        seconds = best_time(
            lambda j=jobs: [json.dumps(r, ensure_ascii=False) for r in run(iter(tasks), analyzers["combined"], j)]
        )
        batch_rates[jobs] = total_tokens / seconds
        rows.append(
            (
                f"batch (library), --jobs {jobs}, {len(tasks)} files",
                f"{batch_rates[jobs]:,.0f}",
                f"{batch_rates[jobs] / base_rate:.1f}×",
            )
        )
    dask_rate = dask_batch_rate(tasks, analyzers["combined"], total_tokens, workers=2)
    print(f"dask engine, 2 local workers: {dask_rate:,.0f} tokens/s = {dask_rate / batch_rates[2]:.2f}× --jobs 2")
    rows.append(
        (
            f"batch (library), --engine dask, LocalCluster of 2 workers, {len(tasks)} files",
            f"{dask_rate:,.0f}",
            f"{dask_rate / base_rate:.1f}×",
        )
    )
    cli_walls = {}
    for jobs in (1, 2):
        wall, _ = run_child(
            [*FRAMING, "batch", str(CORPUS), "-o", str(ROOT / "bench" / f"out{jobs}.jsonl"), "--jobs", str(jobs), "-q"]
        )
        cli_walls[jobs] = wall
        rows.append(
            (f"`framing batch --jobs {jobs}` CLI wall incl. start-up ({wall:.1f} s)", f"{total_tokens / wall:,.0f}", "")
        )
    dask_wall, _ = run_child(
        [
            *FRAMING,
            "batch",
            str(CORPUS),
            "-o",
            str(ROOT / "bench" / "out_dask.jsonl"),
            "--engine",
            "dask",
            "--jobs",
            "2",
            "-q",
        ]
    )
    rows.append(
        (
            f"`framing batch --engine dask --jobs 2` CLI wall incl. cluster start-up ({dask_wall:.1f} s)",
            f"{total_tokens / dask_wall:,.0f}",
            "",
        )
    )
    for name in ("out1", "out2", "out_dask"):
        (ROOT / "bench" / f"{name}.jsonl").unlink(missing_ok=True)

    # 3. start-up and peak RSS of `framing analyze seed`
    walls, rss = [], []
    for _ in range(5):
        wall, peak = run_child([*FRAMING, "analyze", str(SEED)])
        walls.append(wall)
        rss.append(peak)
    startup = statistics.median(walls)
    # the floor no spaCy + pymorphy3 tool can go below: importing both and loading the dictionaries
    floor = statistics.median(
        run_child([sys.executable, "-c", "import spacy, pymorphy3; pymorphy3.MorphAnalyzer()"])[0] for _ in range(5)
    )

    # 4. memory: batch RSS with 10,000 vs 100 small documents (JSONL corpus, --jobs 1)
    memory = {}
    sentences = source_paragraphs()
    for count in (100, 10_000):
        path = ROOT / "bench" / f"small{count}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for i in range(count):
                handle.write(
                    json.dumps({"id": str(i), "text": sentences[i % len(sentences)]}, ensure_ascii=False) + "\n"
                )
        _, memory[count] = run_child(
            [*FRAMING, "batch", str(path), "-o", str(path.with_suffix(".out.jsonl")), "--jobs", "1", "-q"]
        )
        path.unlink()
        path.with_suffix(".out.jsonl").unlink(missing_ok=True)

    profile_kind, top = profile_top(analyzers["combined"], docs[:300])
    checks = [
        ("combined warm ≥ 10× baseline", rates["combined"] / base_rate >= 10, f"{rates['combined'] / base_rate:.1f}×"),
        ("combined warm ≥ 150k tokens/s", rates["combined"] >= 150_000, f"{rates['combined']:,.0f}"),
        (
            "batch --jobs 2 ≥ 1.6× --jobs 1",
            batch_rates[2] / batch_rates[1] >= 1.6,
            f"{batch_rates[2] / batch_rates[1]:.2f}× (CLI wall: {cli_walls[1] / cli_walls[2]:.2f}×)",
        ),
        (
            "batch --engine dask, 2 local workers ≥ 0.8× --jobs 2",
            dask_rate / batch_rates[2] >= 0.8,
            f"{dask_rate / batch_rates[2]:.2f}× (CLI wall incl. cluster start-up: {cli_walls[2] / dask_wall:.2f}×)",
        ),
        (
            "analyze seed start-up median < 1.0 s",
            startup < 1.0,
            f"{startup:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)}); "
            f"floor `import spacy, pymorphy3` + dictionaries: {floor:.2f} s, so framing's own share is "
            f"{startup - floor:.2f} s",
        ),
        ("analyze seed peak RSS < 300 MB", max(rss) < 300, f"{max(rss):.0f} MB"),
        (
            "batch RSS 10,000 docs ≤ 1.5× 100 docs",
            memory[10_000] <= 1.5 * memory[100],
            f"{memory[10_000]:.0f} MB vs {memory[100]:.0f} MB = {memory[10_000] / memory[100]:.2f}×",
        ),
    ]
    machine = {
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **{name: version(name) for name in ("spacy", "pymorphy3", "numpy", "razdel", "framing")},
    }
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `python bench/run.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
        f"Corpus: {len(docs)} documents, {total_tokens:,} tokens (seed + gold articles + training sentences, "
        "shuffled); "
        f"baseline measured on the first {len(prefix)} documents ({prefix_tokens:,} tokens), framing on the same "
        "prefix and on the whole corpus; "
        f"batch engines best of {REPEATS} runs each.",
        "",
        "| run | tokens/s | × baseline |",
        "|---|---:|---:|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", "| target | met | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else '**no**'} | {value} |" for name, ok, value in checks]
    lines += ["", f"Top costs, combined mode ({profile_kind}):", "", "```", *top, "```", ""]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    shutil.rmtree(CORPUS, ignore_errors=True)


if __name__ == "__main__":
    main()
