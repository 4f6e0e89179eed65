"""Huge inputs: peak RSS of `framing analyze` on a 5 MB and a 50 MB text, and the refusal above --max-mb.

Usage: python bench/limits.py [--mb 50]. Writes bench/LIMITS.md. The target (issue: hardening) is
RSS < 1 GB for a 50 MB file; the 5 MB run is the baseline the ratio is printed against.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_text(path: Path, megabytes: float) -> None:
    """Repeat the repo's own articles (seed + gold) up to the size, paragraphs separated by blank lines."""
    parts = [(ROOT / "seeds" / "000_0281386bebb0d4b9.txt").read_text(encoding="utf-8").split("\n", 1)[1]]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "gold").glob("*.txt"))]
    block = ("\n\n".join(parts) + "\n\n").encode("utf-8")
    with open(path, "wb") as handle:
        for _ in range(int(megabytes * 2**20 / len(block)) + 1):
            handle.write(block)


def run(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (MB) of one child process (each run in a fresh grandchild for a clean max)."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); p = subprocess.run(sys.argv[1:], "
        "capture_output=True, text=True);"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, p.returncode);"
        "print(p.stderr.strip()[-300:])"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=True)
    first, *rest = done.stdout.splitlines()
    seconds, rss, code = first.split()
    return float(seconds), float(rss), subprocess.CompletedProcess(args, int(code), "", "\n".join(rest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=50.0)
    options = parser.parse_args()
    framing = [sys.executable, "-m", "framing.cli", "analyze"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "small.txt", Path(tmp) / "big.txt"
        make_text(small, 5)
        make_text(big, options.mb)
        for name, path in (("5 MB", small), (f"{options.mb:g} MB", big)):
            seconds, rss, done = run([*framing, str(path), "--format", "json", "-o", str(Path(tmp) / "out.json")])
            rows.append((f"analyze {name} text", seconds, rss, "ok" if done.returncode == 0 else done.stderr))
            print(rows[-1], flush=True)
        seconds, rss, done = run([*framing, str(big), "--max-mb", "10"])
        rows.append(
            (
                f"analyze {options.mb:g} MB with --max-mb 10",
                seconds,
                rss,
                done.stderr.splitlines()[0] if done.stderr else "?",
            )
        )
        print(rows[-1], flush=True)
    ratio = rows[1][2] / rows[0][2]
    lines = [
        "# Huge inputs (`python bench/limits.py`)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} on {sys.platform}, Python {sys.version.split()[0]}.",
        "",
        "| run | wall s | peak RSS MB | result |",
        "|---|---:|---:|---|",
        *(f"| {name} | {seconds:.1f} | {rss:.0f} | {result} |" for name, seconds, rss, result in rows),
        "",
        f"Peak RSS {options.mb:g} MB vs 5 MB: {ratio:.2f}×; target < 1 GB for 50 MB: "
        f"{'met' if rows[1][2] < 1024 else 'NOT met'}.",
        "",
    ]
    (ROOT / "bench" / "LIMITS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
