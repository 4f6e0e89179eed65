"""The rich terminal reports: one analysis (`render`), and a corpus summary (`print_corpus_summary`)."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .formats import thousands, wilson_range
from .metrics import SMALL_GROUP
from .results import Analysis, Evidence
from .scoring import SENTENCE_PROB
from .summarize import GroupSeries, month_series, sparkline
from .tally import Summary

BAR_WIDTH = 10


def _bar(score: float) -> Text:
    filled = round(score * BAR_WIDTH)
    return Text("█" * filled, style="green") + Text("░" * (BAR_WIDTH - filled), style="grey37")


def _highlight(e: Evidence, width: int = 320) -> Text:
    base = e.span.start
    text = Text(e.span.text if len(e.span.text) <= width else e.span.text[:width] + "…")
    for span in e.term_spans:
        if span.start - base < width:
            text.stylize("bold yellow", span.start - base, min(span.stop - base, width))
    return text


def render(analysis: Analysis, console: Console) -> None:
    header = Table.grid(padding=(0, 2))
    header.add_row("source", str(analysis.source or "<text>"))
    header.add_row("date", analysis.date or "—")
    header.add_row("tokens", thousands(analysis.tokens))
    header.add_row("sentences", str(analysis.sentences))
    header.add_row("mode", analysis.mode)
    header.add_row("dominant", Text(analysis.dominant or "none", style="bold cyan"))
    header.add_row("language", f"{analysis.language} ({analysis.russian_share:.0%} Russian words)")
    for warning in analysis.warnings:
        header.add_row(Text("warning", style="bold red"), Text(warning, style="red"))
    console.print(Panel(header, title="framing", expand=False))

    has_classifier = any(f.classifier is not None for f in analysis.frames)
    table = Table(title="Frames (sorted by score)", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("frame", min_width=13)
    table.add_column("score", justify="right", no_wrap=True, min_width=5)
    table.add_column("", no_wrap=True)
    table.add_column("on/at", justify="center", no_wrap=True, min_width=5)
    table.add_column("hits", justify="right", no_wrap=True, min_width=4)
    table.add_column("/1k", justify="right", no_wrap=True, min_width=4)
    table.add_column("lex", justify="right", no_wrap=True, min_width=4)
    if has_classifier:
        table.add_column("sents", justify="right", no_wrap=True, min_width=5)
        table.add_column("cls", justify="right", no_wrap=True, min_width=4)
    for f in analysis.frames:
        row = [
            Text(f.label, style="bold" if f.id == analysis.dominant else ""),
            f"{f.score:.2f}",
            _bar(f.score),
            f"{'✔' if f.present else '·'} {f.threshold:.2f}".replace("0.", "."),
            str(f.lexicon.hits),
            f"{f.lexicon.per_1k:.1f}",
            f"{f.lexicon.score:.2f}",
        ]
        if has_classifier:
            c = f.classifier
            row += [str(c.sentences), f"{c.score:.2f}"] if c else ["—", "—"]
        table.add_row(*row)
    console.print(table)
    console.print(
        "[dim]score: probability that a coder would code the frame ≥ 2 (document model over the components); "
        "on/at: present (score ≥ the frame's threshold), threshold; hits, /1k, lex: lexicon hits, weighted hits per "
        "1,000 tokens, "
        f"lexicon score; sents, cls: sentences the classifier assigns (p ≥ {SENTENCE_PROB:g}), classifier score[/dim]"
    )

    for f in analysis.frames:
        if not (f.evidence or f.classifier_only):
            continue
        terms = ", ".join(f"{t.lemma} ×{t.count}" for t in f.terms[:8]) or "—"
        parts: list = [Text.assemble(("top terms: ", "bold"), terms)]
        for e in f.evidence:
            prob = f"  [dim]p={e.probability:.2f}[/dim]" if e.probability is not None else ""
            parts.append(Text.assemble("• ", _highlight(e), Text.from_markup(f"  [dim]@{e.span.start}[/dim]{prob}")))
        if f.classifier_only:
            parts.append(Text("classifier only (no lexicon term):", style="italic magenta"))
            for e in f.classifier_only:
                parts.append(
                    Text.assemble("◦ ", _highlight(e), Text.from_markup(f"  [dim]p={e.probability:.2f}[/dim]"))
                )
        console.print(Panel(Group(*parts), title=f"{f.label} — evidence", title_align="left"))


# --- corpus summary (batch, summarize) ------------------------------------------------------------
TREND_MIN = 6  # fewer columns than this left for the month sparkline: show none, and say so


def _share(count: int, n: int) -> str:
    return f"{count / n:.0%}" if n else "—"




def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _small(n: int) -> bool:
    return 0 < n < SMALL_GROUP


def _frame_header(frame_id: str, narrow: bool) -> str:
    """A frame id as a column header; in a narrow table broken after its underscores, never cut."""
    return frame_id.replace("_", "_\n") if narrow else frame_id


def print_corpus_summary(summary: Summary, console: Console) -> None:
    """Counts and failures, the date range and undated documents, the frame table (shares with 95 % intervals,
    a month sparkline over the whole range when it fits) and, with a grouping, the per-group table."""
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
    if not ok.documents:
        return
    months = month_series(summary)
    if summary.first_date:
        console.print(
            f"dates {summary.first_date} … {summary.last_date} ({_plural(len(months.names), 'month')}); "
            + (f"{summary.undated} documents without a date (in the totals, in no month)" if summary.undated
               else "every document dated")
        )
    else:
        console.print("no document has a date: nothing by month")
    _frame_table(summary, months, console)
    if summary.group_by and summary.groups:
        _group_table(summary, console)


def _frame_table(summary: Summary, months: GroupSeries, console: Console) -> None:
    ok = summary.ok
    n = ok.documents
    columns = ("frame", "present", "95% CI", "mean score", "dominant")
    rows = [
        [frame_id, _share(ok.present[frame_id], n), wilson_range(ok.present[frame_id], n),
         f"{ok.score_sum[frame_id] / n:.2f}", str(ok.dominant[frame_id])]
        for frame_id in summary.frame_ids
    ]
    rows.append(["(none)", "", "", "", str(ok.dominant["none"])])
    # each column takes its text + 2 padding + 1 rule; one more rule closes the table
    used = sum(max(len(c), *(len(r[i]) for r in rows)) + 3 for i, c in enumerate(columns)) + 1
    room = console.width - used - 3
    total = len(months.names)
    shown = min(total, room) if room >= TREND_MIN else 0
    trend = total >= 2 and shown >= 2
    names = months.names[total - shown:] if trend else []
    shares = {f: values[total - shown:] for f, values in months.present_share.items()} if trend else {}
    top = max((v for values in shares.values() for v in values if v is not None), default=1.0)
    table = Table(title="Frames over all documents")
    for column in columns:
        table.add_column(column, justify="left" if column == "frame" else "right", no_wrap=True)
    if trend:
        table.add_column("by month", no_wrap=True, min_width=len(names))
    for row in rows:
        frame_id = row[0]
        table.add_row(*row, *([sparkline(shares[frame_id], top) if frame_id in shares else ""] if trend else []))
    console.print(table)
    notes = [f"present: share of the {n} documents with the frame present; 95% CI: its Wilson interval"]
    if _small(n):
        notes.append(f"fewer than {SMALL_GROUP} documents: the shares say little, read the intervals")
    if trend:
        what = f"by month {names[0]} … {names[-1]}"
        if shown < total:
            what += f" (the last {shown} of {total} months: the terminal is too narrow; --report charts every month)"
        notes.append(f"{what}: share of documents with the frame present, ▁ 0% … █ {top:.0%}, blank: none that month")
    elif total >= 2:
        notes.append(f"{total} months: too many for this terminal's width; --report charts them")
    console.print(f"[dim]{'; '.join(notes)}[/dim]")


def _group_table(summary: Summary, console: Console) -> None:
    groups = sorted(summary.groups.items())
    cells = {
        name: [f"{_share(t.present[f], t.documents)} {wilson_range(t.present[f], t.documents)}"
               for f in summary.frame_ids]
        for name, t in groups
    }
    widest = max((len(c) for row in cells.values() for c in row), default=0)
    width = max((len(name) for name, _ in groups), default=5) + 3 + 7 + 1
    width += sum(max(len(f), widest) + 3 for f in summary.frame_ids)
    narrow = width > console.width
    title = f"By {summary.group_by}: share of documents where each frame is present, 95% CI"
    table = Table(title=title)
    table.add_column("group")
    table.add_column("docs", justify="right", no_wrap=True)
    for frame_id in summary.frame_ids:
        table.add_column(_frame_header(frame_id, narrow), justify="right")
    for name, tally in groups:
        docs = f"{tally.documents}*" if _small(tally.documents) else str(tally.documents)
        table.add_row(name, docs, *cells[name])
    console.print(table)
    if any(_small(t.documents) for _, t in groups):
        console.print(f"[dim]* fewer than {SMALL_GROUP} documents: the group's shares say little, read the "
                      "intervals[/dim]")
