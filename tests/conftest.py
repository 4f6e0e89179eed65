from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from framing.analyzer import Analyzer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0281386bebb0d4b9.txt"

# hypothesis: bounded, reproducible example counts keep CI fast; HYPOTHESIS_PROFILE=thorough for a long run.
settings.register_profile("ci", max_examples=60, derandomize=True)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def batch_command(corpus: Path, out: Path, jobs: int) -> list[str]:
    """`framing batch` in a subprocess of its own (for runs that are killed), lexicon mode, quiet."""
    return [sys.executable, "-m", "framing.cli", "batch", str(corpus), "-o", str(out), "--jobs", str(jobs), "-q",
            "--mode", "lexicon"]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def lexicon_analyzer() -> Analyzer:
    return Analyzer(mode="lexicon")


@pytest.fixture(scope="session")
def combined_analyzer() -> Analyzer:
    return Analyzer(mode="combined")


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()

