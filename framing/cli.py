"""`framing` command line: a thin click layer over the library (framing.analyzer, lexicon, batch, ...)."""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager

import click

from .errors import FramingError
from .formats import thousands
from .output import checked_output_path, write_text
from .reader import MAX_MB_CEILING, megabytes

MODE = click.Choice(["lexicon", "classifier", "combined"])
SPARK_MONTHS = 36  # the summary's trend column shows at most the last three years


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


def write_output(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to a file (never a half-written file)."""
    if output:
        write_text(output, text + "\n")
    else:
        click.echo(text)


def _megabytes_to_bytes(ctx, param, value: float | None) -> int | None:
    """--max-mb as a byte count; None keeps the reader's default (FRAMING_MAX_MB, else 64 MB)."""
    return megabytes(value) if value else None


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


@main.command()
@click.argument("file", type=str)
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True)
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
    from .analyzer import Analyzer
    from .reader import read_document

    if html_path:
        checked_output_path(html_path)  # fail before the analysis, not after
    document = read_document(file, max_bytes)
    analyzer = Analyzer(lexicons=lexicons, model=model, mode=mode)
    analysis = analyzer.analyze(document.text, source=document.source)
    for warning in analysis.warnings:
        click.echo(f"framing: warning: {document.source}: {warning}", err=True)
    if html_path:
        from .html_report import html_report

        write_output(html_report(analysis, analyzer.lexicons.frames), html_path)
    if fmt == "json":
        from .serialize import to_json

        write_output(to_json(analysis, with_text=with_text), output)
        return
    from .render import render

    if output:
        import io

        from rich.console import Console

        buffer = io.StringIO()
        render(analysis, Console(file=buffer, width=120, highlight=False))
        write_text(output, buffer.getvalue())
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
    table.add_column("lemma", no_wrap=True)
    table.add_column("weight", justify="right")
    table.add_column("context rules (− exclude, + require, ↑ boost)", overflow="ellipsis", no_wrap=True, max_width=44)
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


@main.command()
@click.argument("data", type=click.Path())
@click.option(
    "--out", type=click.Path(file_okay=False), default="framing/model", show_default=True, help="Model folder to write."
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
def train(data: str, out: str, folds: int, real: str) -> None:
    """Train the classifier on DATA (folder with train.jsonl and test.jsonl) plus real sentences, fit the document
    model on the real dev articles, and write model + model card."""
    from rich.table import Table

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
    path = report.model.save(out)
    console.print(f"sizes: {report.sizes}")
    console.print(f"wrote {path} and model_card.json in {report.seconds:.1f} s")


@main.command()
@click.argument("gold", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder (default: built-in).")
@click.option("--model", type=click.Path(), help="Model folder or model.npz (default: built-in).")
@one_line_errors
def evaluate(gold: str, fmt: str, output: str | None, lexicons: str | None, model: str | None) -> None:
    """Compare the modes against a coded GOLD set (JSONL: path or text, codes 0–3, dominant)."""
    import json

    from rich.table import Table

    from .evaluate import evaluate as run_evaluation

    report = run_evaluation(gold, lexicons=lexicons, model=model)
    if fmt == "json":
        write_output(json.dumps(report, ensure_ascii=False, indent=2), output)
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
    from rich.table import Table

    from .summarize import month_series, sparkline

    ok = summary.ok
    console.print(
        f"[bold]{ok.documents}[/bold] documents ok, [bold]{summary.failed}[/bold] failed"
        + (f", {summary.skipped} already done (resumed)" if summary.skipped else "")
        + f"; {thousands(ok.tokens)} tokens"
        + (f"; {ok.not_russian} not Russian (no frame claimed)" if ok.not_russian else "")
    )
    for line in summary.errors:
        console.print(f"  [red]✗[/red] {line}", highlight=False)
    if summary.failed > len(summary.errors):
        console.print(f"  … and {summary.failed - len(summary.errors)} more failures")

    n = ok.documents or 1
    months = month_series(summary)
    months.names = months.names[-SPARK_MONTHS:]
    shares = {frame_id: values[-SPARK_MONTHS:] for frame_id, values in months.present_share.items()}
    trend = len(months.names) >= 2
    table = Table(title="Frames over all documents")
    for column in ("frame", "present in", "mean score", "dominant in"):
        table.add_column(column, justify="left" if column == "frame" else "right")
    top = max((v for values in shares.values() for v in values if v is not None), default=1.0)
    if trend:
        table.add_column("by month", no_wrap=True, min_width=len(months.names))
    for frame_id in summary.frame_ids:
        row = [
            frame_id,
            f"{ok.present[frame_id] / n:.0%}",
            f"{ok.score_sum[frame_id] / n:.2f}",
            str(ok.dominant[frame_id]),
        ]
        table.add_row(*row, *([sparkline(shares[frame_id], top)] if trend else []))
    table.add_row("(none)", "", "", str(ok.dominant["none"]))
    console.print(table)
    if trend:
        console.print(
            f"[dim]by month {months.names[0]} … {months.names[-1]}: share of documents with the frame present, "
            f"▁ 0% … █ {top:.0%}, blank: none that month[/dim]"
        )
    if summary.group_by and summary.groups:
        groups = Table(title=f"By {summary.group_by}: share of documents where each frame is present")
        groups.add_column("group")
        groups.add_column("docs", justify="right")
        for frame_id in summary.frame_ids:
            groups.add_column(frame_id, justify="right")
        for name, tally in sorted(summary.groups.items()):
            size = tally.documents or 1
            groups.add_row(name, str(tally.documents), *(f"{tally.present[f] / size:.0%}" for f in summary.frame_ids))
        console.print(groups)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=str)
@click.option("--recursive", "-r", is_flag=True, help="Descend into sub-folders.")
@click.option("--glob", "pattern",
              help="File name pattern inside folders [default: .txt, .html, .jsonl, .csv, also .gz/.bz2/.xz; .zip].")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write records here (default: stdout).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
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
@click.option("--mode", type=MODE, default="combined", show_default=True)
@click.option("--lexicons", type=click.Path(), help="Lexicon set folder replacing the built-in one.")
@click.option("--model", type=click.Path(), help="Model folder or model.npz replacing the built-in one.")
@click.option("--text-field", default="text", show_default=True, help="Corpus field with the article text.")
@click.option("--id-field", default="id", show_default=True, help="Corpus field with the article id.")
@click.option("--date-field", default="date", show_default=True, help="Corpus field with the date (YYYY-MM-DD…).")
@click.option("--group-by", help="Summary per group: date:month, date:year, folder, or a corpus FIELD.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), help="Also write error records (JSONL) here.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run into --output, skipping finished documents.")
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
          date_field, group_by, errors_path, resume, quiet, progress, with_text, max_bytes, report_dir) -> None:
    """Analyse many documents: files, folders, HTML pages, JSONL/CSV corpora, compressed or zipped; - reads a
    JSONL corpus from standard input.

    Exit status: 0 all documents analysed, 1 some failed (each failure is an error record), 2 usage error.
    """
    import os

    from .analyzer import Analyzer
    from .batch import BatchInterrupted, run_batch
    from .engines.local import LocalEngine
    from .records import RecordSink
    from .sources import CorpusFields, InputsError, Sources
    from .tally import field_grouping

    if resume and not output:
        raise click.UsageError("--resume needs --output")
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
    analyzer = Analyzer(lexicons=lexicons, model=model, mode=mode)
    err_console = _console(stderr=True)
    show_progress = (not quiet) and (progress if progress is not None else err_console.is_terminal)
    try:
        with _batch_progress(err_console, show_progress, sources) as on_record:
            summary = run_batch(sources, analyzer, RecordSink(output, fmt), resume=resume, errors=errors_path,
                                with_text=with_text, engine=runner, group_by=group_by, on_record=on_record)
    except BatchInterrupted as stopped:
        click.echo(f"framing: {stopped.one_line()}", err=True)
        sys.exit(stopped.exit_status)
    if not quiet:
        _print_summary(summary, err_console)
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
        console.print(f"report: {files.html}, {files.present_png}, {files.score_png}", highlight=False)


@main.command()
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
    if report_dir:
        _write_report(corpus.summary, report_dir, corpus.labels, results, console, quiet=False)


if __name__ == "__main__":  # pragma: no cover
    main()
