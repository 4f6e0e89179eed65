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
from .formats import thousands
from .html_report import CSS, html_page
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
    + "td.empty { color: #aaa; } td.name { white-space: nowrap; }\n"
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
) -> bytes:
    """One chart as PNG bytes of exactly width × height pixels: lines over time, grouped bars otherwise."""
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
        for frame in frames:
            points = [float("nan") if v is None else v for v in values[frame]]
            axes.plot(positions, points, marker="o", linewidth=2, color=colours[frame], label=frame_name(frame, labels))
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
            )
    axes.set_xticks(positions, [f"{name}\nn={n}" for name, n in zip(series.names, series.documents)])
    if len(positions) > 12:  # keep labels legible: every k-th tick, the rest unlabeled
        step = -(-len(positions) // 12)
        for index, tick in enumerate(axes.get_xticklabels()):
            tick.set_visible(index % step == 0)
    axes.set_ylim(0, 1.02)
    if percent:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel(ylabel)
    figure.suptitle(f"{title}, {_grouping_words(series)}")
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower center", ncols=min(len(frames), 2) or 1, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def frame_name(frame_id: str, labels: dict[str, str]) -> str:
    label = labels.get(frame_id) or frame_id
    return label if label == frame_id else f"{label} ({frame_id})"


def _percent(count: int, total: int) -> str:
    return f"{count / total:.0%} ({count})" if total else "—"


def _overall_table(summary: Summary, labels: dict[str, str]) -> str:
    ok = summary.ok
    rows = "".join(
        f'<tr data-frame="{escape(f)}"><td '
        f'class="name">{escape(frame_name(f, labels))}</td><td>{_percent(ok.present[f], ok.documents)}</td>'
        f"<td>{ok.score_sum[f] / ok.documents if ok.documents else 0:.2f}</td><td>{ok.dominant[f]}</td></tr>"
        for f in summary.frame_ids
    )
    rows += f'<tr><td class="name">(none)</td><td></td><td></td><td>{ok.dominant["none"]}</td></tr>'
    return (
        '<table class="overall"><tr><th class="name">frame</th><th>present in</th><th>mean score</th><th>dominant '
        'in</th></tr>'
        f"{rows}</table>"
    )


def _group_table(series: GroupSeries, labels: dict[str, str]) -> str:
    frames = list(series.present_share)
    head = (
        '<tr><th class="name" rowspan="2">group</th><th rowspan="2">docs</th>'
        + "".join(f'<th colspan="2">{escape(frame_name(f, labels))}</th>' for f in frames)
        + "</tr>"
    )
    head += "<tr>" + "<th>present</th><th>mean</th>" * len(frames) + "</tr>"
    rows = []
    for i, (name, documents) in enumerate(zip(series.names, series.documents)):
        cells = []
        for f in frames:
            mean = series.mean_score[f][i]
            cells.append(f"<td>{_percent(series.present_count[f][i], documents)}</td>")
            cells.append(f"<td>{mean:.2f}</td>" if mean is not None else '<td class="empty">—</td>')
        rows.append(
            f'<tr data-group="{escape(name)}"><td '
            f'class="name">{escape(name)}</td><td>{documents}</td>{"".join(cells)}</tr>'
        )
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
        notes.append("Periods without documents are gaps in the lines and — in the table.")
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
            '<p class="note">present: share of the group\'s documents where the frame is present (count); mean: mean '
            'frame score.</p>',
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
    )
    score = chart_png(series, series.mean_score, "Mean frame score", "mean score (0–1)", labels, width, height)
    files = ReportFiles(out / PRESENT_PNG, out / SCORE_PNG, out / REPORT_HTML)
    files.present_png.write_bytes(present)
    files.score_png.write_bytes(score)
    alts = {"share of documents where each frame is present": present, "mean frame score": score}
    files.html.write_text(charts_html(summary, series, labels, alts, source), encoding="utf-8")
    return files
