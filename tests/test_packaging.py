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
