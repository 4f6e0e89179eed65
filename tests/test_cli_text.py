"""What the command line says: whole help at 80 columns, help text for every option, lexicon show's weights,
files named when written, and results files never overwritten by accident."""

from __future__ import annotations

import json
import re

import click
from click.testing import CliRunner

from framing.cli import main
from framing.lexicon import load_lexicon_set

from .conftest import SEED


def narrow() -> CliRunner:
    return CliRunner(env={"COLUMNS": "80"})


def test_top_level_help_shows_whole_summaries_at_80_columns():
    result = narrow().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].strip().splitlines()
    assert {line.split()[0] for line in commands} == set(main.commands)
    for line in commands:
        assert len(line) <= 80 and not line.rstrip().endswith("...") and line.rstrip().endswith("."), line


def walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def test_every_option_has_help_text():
    missing = [
        f"{' '.join(path) or 'framing'} {param.opts[0]}"
        for path, command in walk(main)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []
    help_text = narrow().invoke(main, ["analyze", "--help"]).output
    assert re.search(r"--format \[rich\|json\]\s+rich: the report", help_text)


def test_lexicon_show_keeps_its_weight_column_at_80_columns():
    result = narrow().invoke(main, ["lexicon", "show", "partnership"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any("weight" in line for line in lines if line.startswith("┃"))
    weights = [w for line in lines for w in re.findall(r"│\s+(\d\.\d\d) │", line)]
    terms = load_lexicon_set().frame("partnership").terms
    assert sorted(weights) == sorted(f"{t.weight:.2f}" for t in terms)  # every entry shows its weight


def test_html_and_output_files_are_named(tmp_path):
    page, report = tmp_path / "seed.html", tmp_path / "seed.txt"
    result = CliRunner().invoke(
        main, ["analyze", str(SEED), "--mode", "lexicon", "--html", str(page), "-o", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"framing: wrote HTML report to {page}" in result.stderr
    assert f"framing: wrote report to {report}" in result.stderr
    assert page.exists() and "Партнёрство" in report.read_text(encoding="utf-8")
    out = tmp_path / "r.jsonl"
    result = CliRunner().invoke(main, ["batch", str(SEED), "-o", str(out), "--jobs", "1", "--mode", "lexicon"])
    assert result.exit_code == 0 and f"wrote records to {out}" in result.stderr


def test_output_is_not_overwritten_without_resume_or_force(tmp_path):
    out = tmp_path / "r.jsonl"
    first = CliRunner().invoke(main, ["batch", str(SEED), "-o", str(out), "-q", "--jobs", "1", "--mode", "lexicon"])
    assert first.exit_code == 0
    before = out.read_bytes()
    again = CliRunner().invoke(main, ["batch", str(SEED), "-o", str(out), "-q", "--jobs", "1", "--mode", "lexicon"])
    assert again.exit_code == 2 and again.output.count("\n") == 1
    assert again.output.startswith(f"framing: error: {out} exists") and "--resume" in again.output
    assert "--force" in again.output and out.read_bytes() == before
    forced = CliRunner().invoke(
        main, ["batch", str(SEED), "-o", str(out), "-q", "--jobs", "1", "--mode", "lexicon", "--force"]
    )
    assert forced.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["mode"] == "lexicon"
    # an interrupted run's .part is protected the same way
    part = tmp_path / "p.jsonl.part"
    part.write_text(before.decode("utf-8"), encoding="utf-8")
    refused = CliRunner().invoke(main, ["batch", str(SEED), "-o", str(tmp_path / "p.jsonl"), "-q", "--jobs", "1"])
    assert refused.exit_code == 2 and "p.jsonl.part exists" in refused.output and part.exists()
