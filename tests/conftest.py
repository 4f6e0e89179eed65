from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.analyzer import Analyzer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0281386bebb0d4b9.txt"


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
