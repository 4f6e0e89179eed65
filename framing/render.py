"""The rich terminal report for one analysis."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .formats import thousands
from .results import Analysis, Evidence
from .scoring import SENTENCE_PROB

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
