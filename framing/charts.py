"""Corpus charts: share of documents per frame and mean scores per month (or group), as PNG and one HTML page.

matplotlib (the optional `report` extra) is imported only here and only when a chart is drawn, so
`framing analyze` and `batch` without --report never load it. Figures are built with the object API on
the Agg canvas — no pyplot state, no display needed — at an exact pixel size.
"""

from __future__ import annotations

import base64
import importlib
import io
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .errors import FramingError
from .formats import thousands, wilson_range
from .html_report import CSS, html_page
from .metrics import SMALL_GROUP
from .palette import frame_colours
from .summarize import GroupSeries, chart_series
from .tally import Summary

MISSING_EXTRA = "--report needs the report extra: pip install 'framing[report]'"
PRESENT_PNG, SCORE_PNG, REPORT_HTML = "frames_present.png", "frames_score.png", "report.html"
DPI = 100
CHART_WIDTH, CHART_HEIGHT = 1000, 480  # pixels
CHART_CSS = (
    CSS
    + "img.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0 1rem; }\n"
    + "td.empty { color: #aaa; } td.name { white-space: nowrap; } td.ci { color: #666; white-space: nowrap; }\n"
)


class MissingExtraError(FramingError):
    """The charts need matplotlib; say how to get it in one line."""

    def __init__(self) -> None:
        super().__init__(None, MISSING_EXTRA)

    def one_line(self) -> str:
        return self.reason


def require_matplotlib() -> None:
    """Fail before any work is done (a long batch must not end in an ImportError)."""
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        raise MissingExtraError() from None


@dataclass
class ReportFiles:
    present_png: Path
    score_png: Path
    html: Path


def _grouping_words(series: GroupSeries) -> str:
    return {"date:month": "by month", "date:year": "by year", "folder": "by folder", "all": "all documents"}.get(
        series.grouping, f"by {series.grouping}"
    )


def chart_png(
    series: GroupSeries,
    values: dict[str, list[float | None]],
    title: str,
    ylabel: str,
    labels: dict[str, str],
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    percent: bool = False,
    intervals: dict[str, list[tuple[float, float] | None]] | None = None,
) -> bytes:
    """One chart as PNG bytes of exactly width × height pixels: lines over time, grouped bars otherwise.

    `intervals` (per frame, per group: low, high) draws error bars, e.g. the shares' 95 % Wilson intervals.
    Groups with fewer than SMALL_GROUP documents are marked `*` under their count.
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    colours = frame_colours(values)
    positions = list(range(len(series.names)))
    frames = list(values)
    if series.over_time and len(positions) > 1:
        nudge = 0.24 / max(len(frames), 1)  # error bars of frames side by side, not on top of each other
        for i, frame in enumerate(frames):
            points = [float("nan") if v is None else v for v in values[frame]]
            axes.plot(positions, points, marker="o", linewidth=2, color=colours[frame], label=frame_name(frame, labels))
            if intervals:
                shifted = [p + nudge * (i - (len(frames) - 1) / 2) for p in positions]
                axes.errorbar(shifted, points, yerr=_error_bars(values[frame], intervals[frame]), fmt="none",
                              ecolor=colours[frame], elinewidth=1, capsize=3, alpha=0.6)
    else:
        width_each = 0.8 / max(len(frames), 1)
        for i, frame in enumerate(frames):
            offsets = [p - 0.4 + width_each * (i + 0.5) for p in positions]
            axes.bar(
                offsets,
                [0.0 if v is None else v for v in values[frame]],
                width_each,
                color=colours[frame],
                label=frame_name(frame, labels),
                yerr=_error_bars(values[frame], intervals[frame]) if intervals else None,
                error_kw={"ecolor": "#333333", "elinewidth": 1, "capsize": 3, "alpha": 0.7},
            )
    axes.set_xticks(positions, [f"{name}\n{_count(series, i)}" for i, name in enumerate(series.names)])
    if len(positions) > 12:  # keep labels legible: every k-th tick, the rest unlabeled
        step = -(-len(positions) // 12)
        for index, tick in enumerate(axes.get_xticklabels()):
            tick.set_visible(index % step == 0)
    axes.set_ylim(0, 1.02)
    if percent:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel(ylabel)
    notes = []
    if intervals:
        notes.append("error bars: 95 % Wilson intervals")
    if any(series.small(i) for i in range(len(positions))):
        notes.append(f"* fewer than {SMALL_GROUP} documents")
    figure.suptitle(f"{title}, {_grouping_words(series)}" + (f" ({'; '.join(notes)})" if notes else ""))
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower center", ncols=min(len(frames), 2) or 1, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _count(series: GroupSeries, index: int) -> str:
    return f"n={series.documents[index]}" + ("*" if series.small(index) else "")


def _error_bars(values: list[float | None], intervals: list[tuple[float, float] | None]) -> list[list[float]]:
    """matplotlib's yerr (distances below and above each value) from (low, high); 0 where a group is empty."""
    below, above = [], []
    for value, interval in zip(values, intervals):
        if value is None or interval is None:
            below.append(0.0)
            above.append(0.0)
        else:
            below.append(max(value - interval[0], 0.0))
            above.append(max(interval[1] - value, 0.0))
    return [below, above]


def frame_name(frame_id: str, labels: dict[str, str]) -> str:
    label = labels.get(frame_id) or frame_id
    return label if label == frame_id else f"{label} ({frame_id})"


def _percent(count: int, total: int) -> str:
    return f"{count / total:.0%} ({count})" if total else "—"




def _documents(documents: int) -> str:
    small = 0 < documents < SMALL_GROUP
    return f'{documents}<span class="small" title="fewer than {SMALL_GROUP} documents">*</span>' if small else str(
        documents
    )


def _overall_table(summary: Summary, labels: dict[str, str]) -> str:
    ok = summary.ok
    rows = "".join(
        f'<tr data-frame="{escape(f)}"><td '
        f'class="name">{escape(frame_name(f, labels))}</td><td>{_percent(ok.present[f], ok.documents)}</td>'
        f'<td class="ci">{wilson_range(ok.present[f], ok.documents)}</td>'
        f"<td>{ok.score_sum[f] / ok.documents if ok.documents else 0:.2f}</td><td>{ok.dominant[f]}</td></tr>"
        for f in summary.frame_ids
    )
    rows += f'<tr><td class="name">(none)</td><td></td><td></td><td></td><td>{ok.dominant["none"]}</td></tr>'
    return (
        '<table class="overall"><tr><th class="name">frame</th><th>present in</th><th>95% CI</th><th>mean score</th>'
        "<th>dominant in</th></tr>"
        f"{rows}</table>"
    )


def _empty_runs(documents: list[int]) -> list[tuple[int, int]]:
    """(first, last) index of each run of two or more groups without documents."""
    runs, start = [], None
    for i, n in enumerate([*documents, 1]):
        if n == 0 and start is None:
            start = i
        elif n and start is not None:
            if i - start >= 2:
                runs.append((start, i - 1))
            start = None
    return runs


def _group_table(series: GroupSeries, labels: dict[str, str]) -> str:
    """One row per group with each frame's present share (count), its 95 % interval and mean score. Over time, a
    run of empty periods is one row, not a screenful of dashes."""
    frames = list(series.present_share)
    head = (
        '<tr><th class="name" rowspan="2">group</th><th rowspan="2">docs</th>'
        + "".join(f'<th colspan="3">{escape(frame_name(f, labels))}</th>' for f in frames)
        + "</tr>"
    )
    head += "<tr>" + "<th>present</th><th>95% CI</th><th>mean</th>" * len(frames) + "</tr>"
    runs = {first: last for first, last in _empty_runs(series.documents)} if series.over_time else {}
    rows = []
    i = 0
    while i < len(series.names):
        name, documents = series.names[i], series.documents[i]
        if i in runs:
            last = runs[i]
            span = f"{name} … {series.names[last]}"
            rows.append(
                f'<tr class="gap" data-gap="{escape(span)}"><td class="name">{escape(span)}</td><td>0</td>'
                f'<td class="empty" colspan="{3 * len(frames)}">no documents in these {last - i + 1} periods</td></tr>'
            )
            i = last + 1
            continue
        cells = []
        for f in frames:
            mean = series.mean_score[f][i]
            cells.append(f"<td>{_percent(series.present_count[f][i], documents)}</td>")
            cells.append(f'<td class="ci">{wilson_range(series.present_count[f][i], documents)}</td>')
            cells.append(f"<td>{mean:.2f}</td>" if mean is not None else '<td class="empty">—</td>')
        rows.append(
            f'<tr data-group="{escape(name)}"><td '
            f'class="name">{escape(name)}</td><td>{_documents(documents)}</td>{"".join(cells)}</tr>'
        )
        i += 1
    return f'<table class="groups">{head}{"".join(rows)}</table>'


def charts_html(
    summary: Summary, series: GroupSeries, labels: dict[str, str], pngs: dict[str, bytes], source: str
) -> str:
    """The charts (PNG as data: URIs, so the page is one file) with the numbers behind them underneath."""
    ok = summary.ok
    tokens = thousands(ok.tokens)
    facts = f"{ok.documents} documents ok, {summary.failed} failed; {tokens} tokens"
    notes = []
    if series.left_out:
        reason = "no date" if series.over_time else f"no value for {series.grouping}"
        notes.append(f"{series.left_out} documents with {reason} are counted in the totals but not in the charts.")
    if series.over_time and 0 in series.documents:
        notes.append(
            "Periods without documents are gaps in the lines and — in the table (a run of them is one row)."
        )
    if any(series.small(i) for i in range(len(series.names))):
        notes.append(f"* fewer than {SMALL_GROUP} documents: the group's shares say little; read their intervals.")
    images = "".join(
        f'<img class="chart" alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'
        for alt, data in pngs.items()
    )
    return html_page(
        f"framing — corpus report ({_grouping_words(series)})",
        [
            f'<p class="note">{escape(source)}: {escape(facts)}</p>',
            images,
            "".join(f'<p class="note">{escape(note)}</p>' for note in notes),
            f"<h2>{escape(_grouping_words(series).capitalize())}</h2>",
            '<p class="note">present: share of the group\'s documents where the frame is present (count); 95% CI: the '
            "share's 95 % Wilson interval; mean: mean frame score.</p>",
            _group_table(series, labels),
            "<h2>Frames over all documents</h2>",
            _overall_table(summary, labels),
        ],
        css=CHART_CSS,
    )


def write_report(
    summary: Summary,
    out_dir: str | Path,
    labels: dict[str, str] | None = None,
    source: str = "",
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
) -> ReportFiles:
    """Write the two PNG charts and the HTML page into `out_dir` (created if missing)."""
    require_matplotlib()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FramingError(str(out_dir), "cannot write the report: not a folder")
    out.mkdir(parents=True, exist_ok=True)
    labels = labels or {}
    series = chart_series(summary)
    present = chart_png(
        series,
        series.present_share,
        "Documents where the frame is present",
        "share of documents",
        labels,
        width,
        height,
        percent=True,
        intervals={f: series.intervals(f) for f in series.present_share},
    )
    score = chart_png(series, series.mean_score, "Mean frame score", "mean score (0–1)", labels, width, height)
    files = ReportFiles(out / PRESENT_PNG, out / SCORE_PNG, out / REPORT_HTML)
    files.present_png.write_bytes(present)
    files.score_png.write_bytes(score)
    alts = {"share of documents where each frame is present": present, "mean frame score": score}
    files.html.write_text(charts_html(summary, series, labels, alts, source), encoding="utf-8")
    return files
