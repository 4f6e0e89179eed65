"""The wheel carries the lexicons and the model, so a non-editable install finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_lexicons_and_model(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("framing-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for frame in ("codebook", "partnership", "sovereignty", "global_south", "language_policy"):
        assert f"framing/lexicons/{frame}.toml" in names
    assert "framing/model/model.npz" in names and "framing/model/model_card.json" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    # `framing train` and `--report` are documented commands: their packages install with framing itself
    for package in ("scikit-learn", "matplotlib"):
        assert any(line.split()[1].startswith(package) and "extra ==" not in line for line in requires), package
    # the C DAWG extension is the optional extra `fast` only: the default install (and the benchmark) is pure Python
    fast = [line for line in requires if "pymorphy3[fast]" in line]
    assert fast and all("extra == 'fast'" in line.replace('"', "'") for line in fast)


def test_analyze_loads_neither_scikit_learn_nor_matplotlib():
    """Ordinary dependencies, imported lazily: analysing a file (HTML report included) does not pay for them."""
    probe = (
        "import sys\n"
        "from framing.cli import main\n"
        "try:\n"
        f"    main(['analyze', {str(ROOT / 'seeds' / '000_0281386bebb0d4b9.txt')!r}, '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('sklearn', 'matplotlib', 'scipy') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
