"""`framing` command line: a thin click layer over the library (framing.analyzer, lexicon, batch, ...)."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .errors import FramingError
from .output import checked_output_path, write_text
from .reader import MAX_MB_CEILING, megabytes

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
        except BrokenPipeError:
            sys.stderr.close()  # reader went away (e.g. `| head`): stop quietly
            sys.exit(0)
        except OSError as exc:
            click.echo(f"framing: error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            sys.exit(1)

    return wrapper


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _wrote(path: str, what: str) -> None:
    """Say on stderr what went where, so a file written beside the terminal output is not missed."""
    click.echo(f"framing: wrote {what} to {path}", err=True)


def write_output(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to a file (never a half-written file)."""
    if output:
        write_text(output, text + "\n")
    else:
        click.echo(text)


def _megabytes_to_bytes(ctx, param, value: float | None) -> int | None:
    """--max-mb as a byte count; None keeps the reader's default (FRAMING_MAX_MB, else 64 MB)."""
    return megabytes(value) if value else None


def format_option(choices: list[str], help: str):
    """`--format` of a command: its choices (the first is the default) and what each gives."""
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0], show_default=True, help=help)


def max_mb_option(what: str):
    return click.option(
        "--max-mb",
        "max_bytes",
        type=click.FloatRange(min=0, min_open=True, max=MAX_MB_CEILING),
        callback=_megabytes_to_bytes,
        help=f"Refuse larger {what} [default: 64, or FRAMING_MAX_MB].",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="framing")
def main() -> None:
    """Media-framing analysis of Russian news text: partnership, sovereignty, Global South, language policy."""


@main.command(short_help="Analyse one article (FILE, or - for standard input).")
@click.argument("file", type=str)
@format_option(["rich", "json"], "rich: the report for reading; json: the framing/1 record (schema in the README).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report/JSON to this file.")
@click.option("--mode", type=MODE, default="combined", show_default=True, help="Which evidence scores the frames.")
@click.option("--lexicons", type=click.Path(), help="Folder with a lexicon set replacing the built-in one.")
@click.option("--model", type=click.Path(), help="Model folder or model.npz replacing the built-in one.")
@click.option(
    "--with-text",
    is_flag=True,
    help="JSON: include the analysed text (what the offsets index; for HTML, the extracted text).",
)
@max_mb_option("inputs")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML report (highlighted article, codebook) here.")
@one_line_errors
def analyze(
    file: str,
    fmt: str,
    output: str | None,
    mode: str,
    lexicons: str | None,
    model: str | None,
    with_text: bool,
    max_bytes: int | None,
    html_path: str | None,
) -> None:
    """Analyse one article (FILE, or - for standard input)."""
    if html_path:
        checked_output_path(html_path)  # fail before the analysis, not after
    with loading_without_gc():
        from .analyzer import Analyzer
        from .reader import read_document

        document = read_document(file, max_bytes)
        analyzer = Analyzer(lexicons=lexicons, model=model, mode=mode)
        analysis = analyzer.analyze(document.text, source=document.source)
    for warning in analysis.warnings:
        click.echo(f"framing: warning: {document.source}: {warning}", err=True)
    if html_path:
        from .html_report import html_report

        write_output(html_report(analysis, analyzer.lexicons.frames), html_path)
        _wrote(html_path, "HTML report")
    if fmt == "json":
        from .serialize import to_json

        write_output(to_json(analysis, with_text=with_text), output)
        if output:
            _wrote(output, "JSON")
        return
    from .render import render

    if output:
        import io

        from rich.console import Console

        buffer = io.StringIO()
        render(analysis, Console(file=buffer, width=120, highlight=False))
        write_text(output, buffer.getvalue())
        _wrote(output, "report")
    else:
        render(analysis, _console())


@main.group(short_help="Inspect and validate lexicon sets.")
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
    for column in ("frame", "label", "entries", "multi-word", "rules", "file"):
        table.add_column(column, no_wrap=column in ("frame", "file"))
    for frame in lexset.frames:
        multi = sum(1 for t in frame.terms if len(t.words) > 1)
        ruled = sum(1 for t in frame.terms if t.exclude or t.require or t.boost)
        table.add_row(
            frame.id, frame.label, str(len(frame.terms)), str(multi), str(ruled), frame.path.name if frame.path else ""
        )
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
    # the weight never gives way: a narrow terminal wraps lemmas and rules instead
    table.add_column("lemma", min_width=24, ratio=1, overflow="fold")
    table.add_column("weight", justify="right", no_wrap=True, min_width=6)
    table.add_column("rules: − exclude, + require, ↑ boost", overflow="fold", ratio=1, max_width=44)
    for term in sorted(found.terms, key=lambda t: (-t.weight, t.lemma)):
        rules = []
        if term.require:
            rules.append("+ " + ", ".join(term.require))
        if term.boost:
            rules.append(f"↑{term.boosted:.2f} " + ", ".join(term.boost))
        if term.exclude:
            rules.append("− " + ", ".join(term.exclude))
        table.add_row(term.lemma, f"{term.weight:.2f}", "; ".join(rules))
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
    click.echo(
        f"{len(lexset.frames)} frames, {terms} terms: {len(errors)} errors, {len(problems) - len(errors)} warnings"
    )
    sys.exit(1 if errors else 0)


def default_model_dir() -> Path:
    """A new folder per run under the user's data folder ($XDG_DATA_HOME, else ~/.local/share)/framing/models."""
    import os
    from datetime import datetime

    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "framing" / "models" / datetime.now().strftime("%Y%m%d-%H%M%S")


@main.command(short_help="Retrain the classifier and document model from labelled data.")
@click.argument("data", type=click.Path())
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Model folder to write [default: a new folder under $XDG_DATA_HOME (or ~/.local/share)/framing/models]. "
    "The built-in model is replaced only when this names it (framing/model in a source checkout).",
)
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option(
    "--real",
    "real",
    type=click.Path(file_okay=False),
    required=True,
    help="Real-data folder: sentences.jsonl (labelled sentences of dev articles) and dev.jsonl (coded articles) "
    "for the document model, e.g. data/real.",
)
@one_line_errors
def train(data: str, out: str | None, folds: int, real: str) -> None:
    """Train the classifier on DATA (folder with train.jsonl and test.jsonl) plus real sentences, fit the document
    model on the real dev articles, and write model + model card."""
    from rich.table import Table

    from .formats import thousands
    from .train import train as run_training

    console = _console()
    with console.status("training…"):
        report = run_training(data, folds=folds, real_dir=real)
    table = Table(
        title=f"sentences: {folds}-fold cross-validation (not grouped by article: optimistic for real "
        "sentences) and the written held-out test split"
    )
    for column in ("frame", "cv P", "cv R", "cv F1", "test P", "test R", "test F1", "support"):
        table.add_column(column, justify="right" if column != "frame" else "left")
    for frame, cv in report.cv.items():
        test = report.test.get(frame, {})
        table.add_row(
            frame,
            *(f"{cv[k]:.3f}" for k in ("precision", "recall", "f1")),
            *(f"{test[k]:.3f}" if test else "—" for k in ("precision", "recall", "f1")),
            str(cv["support"]),
        )
    console.print(table)
    if report.real_heldout:
        held = Table(title="sentences of real articles held out from training")
        for column in ("frame", "P", "R", "F1", "support"):
            held.add_column(column, justify="right" if column != "frame" else "left")
        for frame, m in report.real_heldout.items():
            held.add_row(frame, *(f"{m[k]:.3f}" for k in ("precision", "recall", "f1")), str(m["support"]))
        console.print(held)
    if report.document_cv:
        docs = Table(title=f"document model on real dev articles, {folds}-fold grouped cross-validation")
        for column in ("mode", "macro-F1", "dominant acc.", "mean ρ", *report.document_cv["combined"]["frames"]):
            docs.add_column(column, justify="right" if column != "mode" else "left")
        for mode, m in report.document_cv.items():
            docs.add_row(
                mode,
                f"{m['macro_f1']:.3f}",
                f"{m['dominant_accuracy']:.3f}",
                f"{m['mean_spearman']:.3f}",
                *(f"{f['f1']:.3f}" for f in m["frames"].values()),
            )
        console.print(docs)
    sizes = Table(title="training data")
    sizes.add_column("set")
    sizes.add_column("size", justify="right")
    for name, size in report.sizes.items():
        sizes.add_row(name, thousands(size))
    console.print(sizes)
    folder = Path(out) if out else default_model_dir()
    path = report.model.save(folder)
    console.print(f"wrote {path} and model_card.json in {report.seconds:.1f} s", highlight=False, soft_wrap=True)
    console.print(f"use it with: framing analyze FILE --model {folder} (also batch, evaluate)", highlight=False,
                  soft_wrap=True)


@main.command(short_help="Score the tool against hand codes: a GOLD set or a filled sheet.")
@click.argument("gold", type=click.Path())
@format_option(["rich", "json"], "rich: tables; json: every figure, with precision, recall and per-document scores.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="--format json: write it to this file.")
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder (default: built-in).")
@click.option("--model", type=click.Path(), help="Model folder or model.npz (default: built-in).")
@click.option("--key", type=click.Path(dir_okay=False), help="Coding sheet: its key [default: SHEET.key.jsonl].")
@click.option("--resamples", type=click.IntRange(min=100), default=2000, show_default=True,
              help="Coding sheet: bootstrap resamples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Coding sheet: bootstrap seed.")
@one_line_errors
def evaluate(gold: str, fmt: str, output: str | None, lexicons: str | None, model: str | None, key: str | None,
             resamples: int, seed: int) -> None:
    """Compare the modes against a coded GOLD set (JSONL: path or text, codes 0–3, dominant), or validate against a
    filled coding sheet from `framing sample` (CSV or JSONL): see `evaluate_sheet` below."""
    import json

    from .validation import is_coding_sheet

    if is_coding_sheet(gold):
        evaluate_sheet(gold, key, resamples, seed, fmt, output)
        return
    from rich.table import Table

    from .evaluate import evaluate as run_evaluation

    report = run_evaluation(gold, lexicons=lexicons, model=model)
    if fmt == "json":
        write_output(json.dumps(report, ensure_ascii=False, indent=2), output)
        if output:
            _wrote(output, "evaluation JSON")
        return
    modes = list(report["modes"])
    title = f"{report['gold']}: {report['articles']} articles — F1 of present vs code ≥ 2, Spearman ρ of score vs code"
    table = Table(title=title)
    table.add_column("frame", no_wrap=True)
    for mode in modes:
        table.add_column(f"{mode} F1", justify="right")
        table.add_column("ρ", justify="right")
    frames = list(report["modes"][modes[0]]["frames"])
    for frame in frames:
        row = [frame]
        for mode in modes:
            m = report["modes"][mode]["frames"][frame]
            row += [_num(m["f1"]), _num(m["spearman"])]
        table.add_row(*row)
    table.add_section()
    for label, key in (
        ("macro-F1", "macro_f1"),
        ("dominant accuracy", "dominant_accuracy"),
        ("Spearman (pooled)", "spearman_pooled"),
    ):
        table.add_row(label, *sum(([_num(report["modes"][m][key], 3), ""] for m in modes), []))
    console = _console()
    console.print(table)
    console.print("[dim]precision, recall and per-document scores: --format json[/dim]")


def _print_summary(summary, console) -> None:
    from .render import print_corpus_summary

    print_corpus_summary(summary, console)


@main.command(short_help="Analyse many documents: folders, HTML pages, JSONL/CSV corpora.")
@click.argument("paths", nargs=-1, required=True, type=str)
@click.option("--recursive", "-r", is_flag=True, help="Descend into sub-folders.")
@click.option("--glob", "pattern",
              help="File name pattern inside folders [default: .txt, .html, .jsonl, .csv, also .gz/.bz2/.xz; .zip].")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write records here (default: stdout).")
@format_option(["jsonl", "csv"], "jsonl: one framing/1 record per line; csv: one row per document (scores, flags).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, also for --engine dask without --scheduler [default: all cores].",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: worker processes on this machine; dask: a Dask cluster (extra 'framing[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="--engine dask: a running scheduler (tcp://host:8786) [default: a LocalCluster of --jobs workers].",
)
@click.option("--mode", type=MODE, default="combined", show_default=True, help="Which evidence scores the frames.")
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder replacing the built-in one.")
@click.option("--model", type=click.Path(), help="Model folder or model.npz replacing the built-in one.")
@click.option("--text-field", default="text", show_default=True, help="Corpus field with the article text.")
@click.option("--id-field", default="id", show_default=True, help="Corpus field with the article id.")
@click.option("--date-field", default="date", show_default=True, help="Corpus field with the date (YYYY-MM-DD…).")
@click.option("--group-by", help="Summary per group: date:month, date:year, folder, or a corpus FIELD.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), help="Also write error records (JSONL) here.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run into --output, skipping finished documents.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output (without it, batch refuses to).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary.")
@click.option(
    "--progress/--no-progress", default=None, help="Force the progress bar on/off (default: only on a terminal)."
)
@click.option("--with-text", is_flag=True, help="JSONL: include each analysed text (what the offsets index).")
@max_mb_option("documents")
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Write charts (PNG) and an HTML corpus report into this folder.")
@one_line_errors
def batch(paths, recursive, pattern, output, fmt, jobs, engine, scheduler, mode, lexicons, model, text_field, id_field,
          date_field, group_by, errors_path, resume, force, quiet, progress, with_text, max_bytes, report_dir) -> None:
    """Analyse many documents: files, folders, HTML pages, JSONL/CSV corpora, compressed or zipped; - reads a
    JSONL corpus from standard input.

    Exit status: 0 all documents analysed, 1 some failed (each failure is an error record), 2 usage error.
    """
    import os

    from .analyzer import Analyzer
    from .batch import BatchInterrupted, run_batch
    from .engines.local import LocalEngine
    from .records import RecordSink, SettingsMismatch
    from .sources import CorpusFields, InputsError, Sources
    from .tally import field_grouping

    if resume and not output:
        raise click.UsageError("--resume needs --output")
    _refuse_overwrite(output, resume, force)
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if scheduler and jobs:
        raise click.UsageError("--jobs sizes a local run; with --scheduler the cluster's workers do the work")
    jobs = jobs or os.cpu_count() or 1
    if engine == "dask":
        import importlib

        # the optional extra: a one-line error here, before any output, when missing
        runner = importlib.import_module("framing.engines.dask").DaskBatchEngine(scheduler, jobs)
    else:
        runner = LocalEngine(jobs)
    _check_report_options(group_by, report_dir)
    fields = CorpusFields(text=text_field, id=id_field, date=date_field, group=field_grouping(group_by),
                          named=_named_fields(click.get_current_context()))
    sources = Sources(paths, recursive, pattern, fields, max_bytes)
    try:
        sources.check()  # nothing found, a URL, a field no row has: before any work
    except InputsError as exc:
        click.echo(f"framing: error: {exc.one_line()}", err=True)
        sys.exit(2)
    with loading_without_gc():
        analyzer = Analyzer(lexicons=lexicons, model=model, mode=mode)
    err_console = _console(stderr=True)
    show_progress = (not quiet) and (progress if progress is not None else err_console.is_terminal)
    try:
        with _batch_progress(err_console, show_progress, sources) as on_record:
            summary = run_batch(sources, analyzer, RecordSink(output, fmt), resume=resume, errors=errors_path,
                                with_text=with_text, engine=runner, group_by=group_by, on_record=on_record,
                                on_warning=lambda line: click.echo(f"framing: warning: {line}", err=True))
    except SettingsMismatch as refused:  # a usage error: the command differs from the one that started OUT
        click.echo(f"framing: error: {refused.one_line()}", err=True)
        sys.exit(2)
    except BatchInterrupted as stopped:
        click.echo(f"framing: {stopped.one_line()}", err=True)
        sys.exit(stopped.exit_status)
    if not quiet:
        _print_summary(summary, err_console)
        if output:
            err_console.print(f"wrote records to {output}", highlight=False, soft_wrap=True)
    if report_dir:
        labels = {frame.id: frame.label for frame in analyzer.lexicons.frames}
        _write_report(summary, report_dir, labels, output or ", ".join(paths), err_console, quiet)
    sys.exit(1 if summary.failed else 0)


def _named_fields(ctx) -> frozenset[str]:
    """The corpus fields given on the command line ("id", "date"): a corpus without them is refused."""
    from click.core import ParameterSource

    return frozenset(kind for kind in ("id", "date")
                     if ctx.get_parameter_source(f"{kind}_field") not in (ParameterSource.DEFAULT, None))


@contextmanager
def _batch_progress(console, show: bool, sources):
    """A progress bar on stderr (documents, tokens/s, ETA), fed by run_batch's on_record."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    started = time.perf_counter()
    with Progress(*columns, console=console, disable=not show, transient=False) as bar:
        task = bar.add_task("documents", total=sources.estimate_total() if show else None, rate="")
        written = 0

        def on_record(record: dict, summary) -> None:
            nonlocal written
            written += 1
            elapsed = time.perf_counter() - started
            rate = f"{summary.ok.tokens / elapsed:,.0f} tok/s" if elapsed else ""
            bar.update(task, completed=summary.skipped + written, rate=rate)

        yield on_record


def _refuse_overwrite(output: str | None, resume: bool, force: bool) -> None:
    """An existing results file (or an interrupted run's .part) is not replaced unless asked: --resume or --force."""
    from .output import existing_results

    found = None if resume or force else existing_results(output)
    if found is not None:
        click.echo(f"framing: error: {found} exists: --resume to finish that run, --force to overwrite it, or another "
                   "--output", err=True)
        sys.exit(2)  # a usage error, before any work


def _check_report_options(group_by: str | None, report_dir: str | None) -> None:
    """Usage problems, and a missing report extra, before any work is done."""
    from .tally import DATE_GROUPINGS

    if group_by and group_by.startswith("date:") and group_by not in DATE_GROUPINGS:
        raise click.UsageError("--group-by takes date:month, date:year, folder, or a corpus field name")
    if report_dir:
        from .charts import require_matplotlib

        require_matplotlib()


def _write_report(summary, report_dir: str, labels: dict[str, str], source: str, console, quiet: bool) -> None:
    from .charts import write_report

    files = write_report(summary, report_dir, labels, source=source)
    if not quiet:
        console.print(f"report: {files.html} (charts: {files.present_png.name}, {files.score_png.name})",
                      highlight=False, soft_wrap=True)


@main.command(short_help="Summary and charts of a batch output, without analysing again.")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option(
    "--group-by",
    help="Summary and charts per group: date:month (default when dated), date:year, folder, or a record FIELD.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    help="Write charts (PNG) and an HTML corpus report into this folder.",
)
@click.option(
    "--lexicons", type=click.Path(), help="Lexicon set whose labels and frame order to use (default: built-in)."
)
@one_line_errors
def summarize(results: str, group_by: str | None, report_dir: str | None, lexicons: str | None) -> None:
    """Corpus summary (and charts) from a batch output, RESULTS.jsonl or .csv, without analysing again."""
    from .lexicon import load_lexicon_set
    from .summarize import summarize_file

    _check_report_options(group_by, report_dir)
    codebook = {frame.id: frame.label for frame in load_lexicon_set(lexicons).frames}
    corpus = summarize_file(results, group_by, codebook)
    console = _console()
    _print_summary(corpus.summary, console)
    if corpus.inferred_grouping:
        console.print("[dim]grouped by the records' `group`, as `batch --group-by` wrote it (--group-by date:month "
                      "for months)[/dim]")
    elif not group_by:
        console.print("[dim]grouped by month (pass --group-by FIELD to group by a field)[/dim]")
    if report_dir:
        _write_report(corpus.summary, report_dir, corpus.labels, results, console, quiet=False)


# --- validation on one's own corpus: `framing sample` and the coding-sheet branch of `framing evaluate` -----------
@main.command(short_help="Draw a stratified blind coding sheet from a batch output.")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--n", "n", type=click.IntRange(min=1), default=100, show_default=True, help="Documents to draw.")
@click.option("--stratify", type=click.Choice(["frame", "score", "group", "none"]), default="frame",
              show_default=True, help="Equal shares per present frame (and none), score bin or --group-by group.")
@click.option("--group-by", help="--stratify group: date:month, date:year, folder, or a record FIELD.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same RESULTS: same sheet.")
@click.option("--coders", type=click.IntRange(min=1, max=9), default=1, show_default=True,
              help="Coders' column sets (2: partnership_1 … and partnership_2 … for a reliability check).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), required=True, help="The sheet: .csv or .jsonl.")
@click.option("--lexicons", type=click.Path(), help="Lexicon set whose codebook the guide shows (default: built-in).")
@click.option("--title-field", default="title", show_default=True, help="Corpus field with the headline.")
@click.option("--id-field", default="id", show_default=True, help="Corpus field with the article id.")
@one_line_errors
def sample(results: str, n: int, stratify: str, group_by: str | None, seed: int, coders: int, output: str,
           lexicons: str | None, title_field: str, id_field: str) -> None:
    """Draw a stratified random sample of a batch output (RESULTS.jsonl or .csv) as a blind coding sheet, with its
    sampling key (SHEET.key.jsonl: the tool's view, for evaluate) and a coding guide (SHEET.guide.md) beside it."""
    from .lexicon import load_lexicon_set
    from .sampling import sample_results, write_sheet

    if group_by and stratify != "group":
        raise click.UsageError("--group-by goes with --stratify group")
    checked_output_path(output)
    lexset = load_lexicon_set(lexicons)
    drawn = sample_results(results, n, stratify, seed, group_by, lexset)
    files = write_sheet(drawn, output, lexset, coders, title_field, id_field)
    console = _console(stderr=True)
    sizes = ", ".join(f"{s.name} {s.sampled}/{s.population}" for s in drawn.strata)
    console.print(f"{len(drawn.records)} of {drawn.population} documents by {stratify} ({sizes}), seed {seed}")
    console.print(f"sheet: {files.sheet}\nkey (keep from coders): {files.key}\nguide: {files.guide}")


def _ci(value: float | None, interval: list[float] | None) -> str:
    return _num(value) + (f" ({interval[0]:.2f}–{interval[1]:.2f})" if interval else "")


def evaluate_sheet(sheet: str, key: str | None, resamples: int, seed: int, fmt: str, output: str | None) -> None:
    """`framing evaluate SHEET`: the validation report of a filled coding sheet (framing.validation)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from .validation import evaluate_sheet as run_validation

    report = run_validation(sheet, key, resamples, seed)
    if fmt == "json":
        write_output(json.dumps(report, ensure_ascii=False, indent=2), output)
        return
    frames = report["frames"]
    prf = Table(title=f"{report['coded']} coded rows: present vs code ≥ 2, 95% bootstrap CI", title_justify="left")
    prf.add_column("frame", no_wrap=True)
    for column in ("precision", "recall", "F1"):
        prf.add_column(column, justify="right")
    for frame, m in frames.items():
        prf.add_row(frame, *(_ci(m[k], m["ci"][k]) for k in ("precision", "recall", "f1")))
    agree = Table(title="score vs codes: α (interval), ρ; confusion; weighted F1", title_justify="left")
    agree.add_column("frame", no_wrap=True)
    for column in ("α", "ρ", "TP", "FP", "FN", "TN", "F1 wtd"):
        agree.add_column(column, justify="right")
    for frame, m in frames.items():
        counts = [str(m["confusion"][k]) for k in ("tp", "fp", "fn", "tn")]
        agree.add_row(frame, _num(m["alpha_interval"]), _num(m["spearman"]), *counts, _num(m["weighted"]["f1"]))
    parts: list = [prf, agree]
    dominant = report["dominant"]
    if "coders_alpha_nominal" in dominant:
        coders = Table(title=f"coders' agreement, {report['double_coded']} rows coded by all", title_justify="left")
        for column in ("frame", "α interval", "α ordinal"):
            coders.add_column(column, justify="left" if column == "frame" else "right", no_wrap=column == "frame")
        for frame, m in frames.items():
            coders.add_row(frame, _num(m["coders_alpha"]["interval"]), _num(m["coders_alpha"]["ordinal"]))
        parts += [coders, f"coders' α (nominal) of the dominant frame: {_num(dominant['coders_alpha_nominal'])}"]
    parts.append(f"dominant accuracy: {_ci(dominant['accuracy'], dominant['ci'])}")
    design = report["design"]
    strata = ", ".join(f"{s['name']} {s['sampled']}/{s['population']}" for s in design.get("strata") or [])
    parts.append(f"[dim]sample by {design.get('stratify')}: {strata}; F1 wtd weights each row by its stratum[/dim]")
    if report["uncoded"]:
        parts.append(f"[dim]{report['uncoded']} rows left blank (not coded)[/dim]")
    if output:
        import io

        buffer = io.StringIO()
        console = Console(file=buffer, width=100, highlight=False)
        for part in parts:
            console.print(part)
        write_text(output, buffer.getvalue())
        return
    console = _console()
    for part in parts:
        console.print(part)

FAST_EXIT_COMMANDS = {"analyze"}  # commands that leave nothing behind them: no workers, clusters or temp files


@contextmanager
def loading_without_gc():
    """Python's cyclic garbage collector off while the pipeline, dictionaries, lexicons and model load (and, for
    `analyze`, the one article is analysed): they make a million objects that live as long as the process, and the
    full collections they set off took ~50 ms of a ~0.3 s start-up while freeing nothing. Afterwards those objects
    are frozen (`gc.freeze`), so later collections skip them and forked batch workers do not touch their pages."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def entry() -> None:
    """The `framing` console command. After `analyze`, the process ends without tearing down what it loaded:
    freeing spaCy's vocabulary, the dictionaries and the model object by object took ~0.35 s, a fifth of the
    command's time, and nothing needs it (output is flushed first; other commands exit normally)."""
    import os

    if not FAST_EXIT_COMMANDS.intersection(sys.argv[1:2]):
        main()
        return
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
