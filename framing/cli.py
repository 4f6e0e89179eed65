"""`framing` command line: a thin click layer over the library (framing.analyzer, lexicon, batch, ...)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .errors import FramingError

MODE = click.Choice(["lexicon", "classifier", "combined"])


def one_line_errors(func):
    """Turn FramingError (and unreadable output paths) into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FramingError as exc:
            click.echo(f"framing: error: {exc.one_line()}", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"framing: error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            sys.exit(1)

    return wrapper


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def write_output(text: str, output: str | None) -> None:
    if output:
        path = Path(output)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    else:
        click.echo(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="framing")
def main() -> None:
    """Media-framing analysis of Russian news text: partnership, sovereignty, Global South, language policy."""


@main.command()
@click.argument("file", type=str)
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report/JSON to this file.")
@click.option("--mode", type=MODE, default="combined", show_default=True, help="Which evidence scores the frames.")
@click.option("--lexicons", type=click.Path(), help="Folder with a lexicon set replacing the built-in one.")
@click.option("--model", type=click.Path(), help="Model folder or model.npz replacing the built-in one.")
@one_line_errors
def analyze(file: str, fmt: str, output: str | None, mode: str, lexicons: str | None, model: str | None) -> None:
    """Analyse one article (FILE, or - for standard input)."""
    from .analyzer import Analyzer
    from .reader import read_document

    document = read_document(file)
    analyzer = Analyzer(lexicons=lexicons, model=model, mode=mode)
    analysis = analyzer.analyze(document.text, source=document.source)
    if fmt == "json":
        from .serialize import to_json

        write_output(to_json(analysis), output)
        return
    from .render import render

    if output:
        from rich.console import Console

        with open(output, "w", encoding="utf-8") as handle:
            render(analysis, Console(file=handle, width=120, highlight=False))
    else:
        render(analysis, _console())


@main.group()
def lexicon() -> None:
    """Inspect and validate lexicon sets."""


@lexicon.command("list")
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder (default: built-in).")
@one_line_errors
def lexicon_list(lexicons: str | None) -> None:
    """Frames, entry counts and source files."""
    from rich.table import Table

    from .lexicon import load_lexicon_set

    lexset = load_lexicon_set(lexicons)
    table = Table(title=f"Lexicon set: {lexset.root}")
    for column in ("frame", "label", "entries", "multi-word", "with context rules", "file"):
        table.add_column(column)
    for frame in lexset.frames:
        multi = sum(1 for t in frame.terms if len(t.words) > 1)
        ruled = sum(1 for t in frame.terms if t.exclude or t.require)
        table.add_row(frame.id, frame.label, str(len(frame.terms)), str(multi), str(ruled), str(frame.path))
    _console().print(table)


@lexicon.command("show")
@click.argument("frame")
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder (default: built-in).")
@one_line_errors
def lexicon_show(frame: str, lexicons: str | None) -> None:
    """A frame's definition and its entries with weights and context rules."""
    from rich.panel import Panel
    from rich.table import Table

    from .lexicon import load_lexicon_set

    found = load_lexicon_set(lexicons).frame(frame)
    console = _console()
    body = f"[bold]{found.label_ru}[/bold] / {found.label_en}\n\n{found.definition or '(no definition)'}"
    if found.includes:
        body += "\n\n[bold]Counts:[/bold]\n" + "\n".join(f"  + {x}" for x in found.includes)
    if found.excludes:
        body += "\n[bold]Does not count:[/bold]\n" + "\n".join(f"  − {x}" for x in found.excludes)
    if found.examples:
        body += "\n[bold]Examples:[/bold] " + "; ".join(found.examples)
    console.print(Panel(body, title=found.id, expand=False))
    table = Table(title=f"{len(found.terms)} entries ({found.path})")
    table.add_column("lemma")
    table.add_column("weight", justify="right")
    table.add_column("exclude near")
    table.add_column("require near")
    for term in sorted(found.terms, key=lambda t: (-t.weight, t.lemma)):
        table.add_row(term.lemma, f"{term.weight:.2f}", ", ".join(term.exclude), ", ".join(term.require))
    console.print(table)


@lexicon.command("check")
@click.argument("path", required=False, type=click.Path())
@one_line_errors
def lexicon_check(path: str | None) -> None:
    """Validate a lexicon set (default: built-in); exit 1 when there are errors."""
    from .lexicon import check_lexicon_set

    lexset, problems = check_lexicon_set(path)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    terms = sum(len(f.terms) for f in lexset.frames)
    click.echo(f"{len(lexset.frames)} frames, {terms} terms: {len(errors)} errors, {len(problems) - len(errors)} warnings")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
