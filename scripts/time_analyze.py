"""Wall time of `framing analyze <seed>` as a user runs it: median of 5 fresh processes.

Usage: python scripts/time_analyze.py [FILE] [-- extra framing args]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = (
        sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "--" else str(ROOT / "seeds" / "000_0281386bebb0d4b9.txt")
    )
    extra = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    command = [sys.executable, "-m", "framing.cli", "analyze", target, *extra]
    walls = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
    print(
        f"framing analyze {Path(target).name}: median {statistics.median(walls):.2f} s over 5 runs "
        f"({', '.join(f'{w:.2f}' for w in walls)})"
    )


if __name__ == "__main__":
    main()
