"""`framing summarize` and `--report`: summaries re-read from JSONL/CSV equal the batch's, charts and their page."""

from __future__ import annotations

import base64
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from framing.charts import CHART_HEIGHT, CHART_WIDTH, MISSING_EXTRA, PRESENT_PNG, REPORT_HTML, SCORE_PNG, write_report
from framing.cli import main
from framing.summarize import chart_series, sparkline, summarize_file
from framing.tally import Summary

from .browser import WINDOW, png_size, render_offline
from .conftest import SEED

# Short news items written for these tests; months 2024-11, 2024-12 and 2025-02 (January has none).
DATED = [
    (
        "2024-11-04",
        "A",
        "Москва и Ташкент подписали соглашение о стратегическом партнёрстве в энергетике и транспорте.",
    ),
    ("2024-11-12", "B", "Власти Кишинёва заявили, что не потерпят вмешательства во внутренние дела республики."),
    ("2024-11-20", "A", "В городском парке открылся каток, вход для школьников бесплатный."),
    ("2024-12-02", "B", "Лидеры стран БРИКС обсудили переход к многополярному миру и расчёты в национальных валютах."),
    ("2024-12-16", "A", "В Бишкеке депутаты решили, что русский язык сохранит статус официального языка."),
    ("2025-02-03", "B", "Россия и Белоруссия углубляют интеграцию в рамках Союзного государства и ЕАЭС."),
    ("2025-02-11", "A", "Эксперты в Дели говорили о голосе Глобального Юга и конце западной гегемонии."),
    ("2025-02-25", "B", "Родители жалуются, что в Риге закрываются школы с русским языком обучения."),
]
UNDATED = "Товарооборот между Казахстаном и Россией вырос, стороны расширяют торгово-экономическое сотрудничество."
MONTHS = ["2024-11", "2024-12", "2025-01", "2025-02"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dated")
    rows = [
        {"id": f"d{i}", "date": date, "outlet": outlet, "text": text} for i, (date, outlet, text) in enumerate(DATED)
    ]
    rows += [
        {"id": "undated", "outlet": "A", "text": UNDATED},
        {"id": "broken", "date": "2024-12-20", "outlet": "B", "text": ""},
    ]
    path = folder / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch_runs(corpus, tmp_path_factory):
    """One batch run per output format, with the summary it printed and the report it wrote."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("runs")
    runs = {}
    for fmt in ("jsonl", "csv"):
        out = folder / f"results.{fmt}"
        report = folder / f"report_{fmt}"
        result = CliRunner().invoke(
            main,
            [
                "batch",
                str(corpus),
                "-o",
                str(out),
                "--format",
                fmt,
                "--jobs",
                "1",
                "--group-by",
                "outlet",
                "--report",
                str(report),
            ],
        )
        assert result.exit_code == 1, result.output  # the empty row fails
        runs[fmt] = {"out": out, "report": report, "printed": result.stderr}
    return runs


def summary_block(printed: str) -> str:
    """The part both commands print the same way: counts, failures, dates, frame table, its notes (no per-group
    table, no grouping note)."""
    return printed.split("By ")[0].split("grouped by")[0].strip()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_summarize_prints_what_batch_printed(runner, batch_runs):
    for fmt, run in batch_runs.items():
        result = runner.invoke(main, ["summarize", str(run["out"])])
        assert result.exit_code == 0, result.output
        assert summary_block(result.output) == summary_block(run["printed"]), fmt
    assert "9 documents ok, 1 failed" in batch_runs["jsonl"]["printed"]


def test_jsonl_and_csv_give_the_batch_numbers(batch_runs):
    records = read_jsonl(batch_runs["jsonl"]["out"])
    ok = [r for r in records if "error" not in r]
    jsonl = summarize_file(batch_runs["jsonl"]["out"]).summary
    csv = summarize_file(batch_runs["csv"]["out"]).summary
    assert jsonl.ok.documents == csv.ok.documents == len(ok) == len(DATED) + 1
    assert jsonl.failed == csv.failed == 1
    assert jsonl.ok == csv.ok and dict(jsonl.months) == dict(csv.months)
    present = Counter(f["id"] for r in ok for f in r["frames"] if f["present"])
    assert jsonl.ok.present == present
    assert jsonl.ok.dominant == Counter(r["dominant"] or "none" for r in ok)
    assert sorted(jsonl.months) == sorted({date[:7] for date, _, _ in DATED})
    assert {m: t.documents for m, t in jsonl.months.items()} == Counter(date[:7] for date, _, _ in DATED)
    assert jsonl.frame_ids == csv.frame_ids == ["partnership", "sovereignty", "global_south", "language_policy"]


def test_group_by_field_needs_the_field(runner, batch_runs):
    by_outlet = summarize_file(batch_runs["jsonl"]["out"], "outlet").summary
    assert {name: t.documents for name, t in by_outlet.groups.items()} == {
        "A": 5,
        "B": 4,
    }  # the failed row is not a document
    result = runner.invoke(main, ["summarize", str(batch_runs["csv"]["out"]), "--group-by", "outlet"])
    assert result.exit_code == 1 and "CSV outputs keep no group column" in result.output
    by_dominant = summarize_file(batch_runs["csv"]["out"], "dominant").summary  # a field every record has
    assert sum(t.documents for t in by_dominant.groups.values()) == len(DATED) + 1


def test_group_by_date_without_dates_is_one_line(runner, tmp_path, batch_runs):
    undated = tmp_path / "undated.jsonl"
    undated.write_text(
        "".join(json.dumps({**r, "date": None}) + "\n" for r in read_jsonl(batch_runs["jsonl"]["out"])),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["summarize", str(undated), "--group-by", "date:year"])
    assert (
        result.exit_code == 1
        and "no record has a date" in result.output
        and len(result.output.strip().splitlines()) == 1
    )


def test_not_a_batch_output_is_one_line(runner, tmp_path, corpus):
    result = runner.invoke(main, ["summarize", str(corpus)])  # the input corpus, not the results
    assert result.exit_code == 1 and "news.jsonl:1" in result.output and "not a framing record" in result.output
    table = tmp_path / "other.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(main, ["summarize", str(table)])
    assert result.exit_code == 1 and "not a framing batch CSV" in result.output


def test_trend_sparklines_by_month_with_the_gap(batch_runs):
    summary = summarize_file(batch_runs["jsonl"]["out"], "date:month").summary
    series = chart_series(summary)
    assert series.names == MONTHS and series.documents == [3, 2, 0, 3] and series.left_out == 1
    printed = batch_runs["jsonl"]["printed"]
    top = max(v for values in series.present_share.values() for v in values if v is not None)
    for frame_id in summary.frame_ids:
        line = next(line for line in printed.splitlines() if line.lstrip("│ ").startswith(frame_id))
        assert sparkline(series.present_share[frame_id], top) in line
    assert f"{MONTHS[0]} … {MONTHS[-1]}" in printed


def test_sparkline_scale():
    assert sparkline([0.0, 0.5, 1.0, None]) == "▁▅█ "
    assert sparkline([0.0, 0.25, 0.5], top=0.5) == "▁▅█"


@pytest.fixture(scope="module")
def month_reports(batch_runs, tmp_path_factory) -> dict[str, Path]:
    """`framing summarize --report` over each batch output: charts by month (the default for dated records that
    carry no batch grouping, as the CSV; the JSONL remembers the batch's --group-by outlet, so it is asked for)."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("month_reports")
    reports = {}
    for fmt, run in batch_runs.items():
        months = ["--group-by", "date:month"] if fmt == "jsonl" else []
        result = CliRunner().invoke(main, ["summarize", str(run["out"]), "--report", str(folder / fmt), *months])
        assert result.exit_code == 0, result.output
        reports[fmt] = folder / fmt
    return reports


def check_pngs(report: Path, size: tuple[int, int]) -> None:
    from matplotlib.image import imread

    for name in (PRESENT_PNG, SCORE_PNG):
        assert imread(report / name).shape[:2] == (size[1], size[0]), name  # decodes; rows × columns = height × width


def check_page(page: str, groups: dict[str, int]) -> None:
    """Self-contained page with both charts, one table row per group with its document count, frame names."""
    assert "http://" not in page and "https://" not in page and "<script" not in page
    for name, documents in groups.items():
        assert f'<tr data-group="{name}"><td class="name">{name}</td><td>{documents}' in page  # then `*` if small
    for frame_id, label in (
        ("partnership", "Партнёрство"),
        ("global_south", "Глобальный Юг"),
        ("language_policy", "Языковая политика"),
    ):
        assert f"{label} ({frame_id})" in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 2 and all(base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n" for data in images)


def test_month_report_from_jsonl_and_csv(month_reports):
    months = dict(zip(MONTHS, [3, 2, 0, 3]))
    for fmt, report in month_reports.items():
        check_pngs(report, (CHART_WIDTH, CHART_HEIGHT))
        page = (report / REPORT_HTML).read_text(encoding="utf-8")
        check_page(page, months)
        assert "1 documents with no date" in page and "by month" in page, fmt


def test_batch_report_follows_group_by(batch_runs):
    for fmt, run in batch_runs.items():
        check_pngs(run["report"], (CHART_WIDTH, CHART_HEIGHT))
        page = (run["report"] / REPORT_HTML).read_text(encoding="utf-8")
        check_page(page, {"A": 5, "B": 4})
        assert "by outlet" in page, fmt


def test_png_has_the_size_asked_for(batch_runs, tmp_path):
    summary = summarize_file(batch_runs["csv"]["out"], "date:year").summary
    files = write_report(summary, tmp_path / "out", width=640, height=360)
    check_pngs(files.html.parent, (640, 360))
    page = files.html.read_text(encoding="utf-8")
    assert 'data-group="2024"' in page and 'data-group="2025"' in page and "by year" in page


def test_summarize_report_on_the_seed_alone(runner, tmp_path):
    results = tmp_path / "seed.jsonl"
    assert runner.invoke(main, ["batch", str(SEED), "-o", str(results), "-q", "--jobs", "1"]).exit_code == 0
    result = runner.invoke(main, ["summarize", str(results), "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "1 documents ok, 0 failed" in result.output and "by month 2025" not in result.output  # one month: no trend
    page = (tmp_path / "r" / REPORT_HTML).read_text(encoding="utf-8")
    assert 'data-group="2025-11"' in page and "Партнёрство (partnership)" in page


def test_missing_report_extra_is_one_line(runner, batch_runs, tmp_path, monkeypatch, corpus):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    result = runner.invoke(main, ["summarize", str(batch_runs["jsonl"]["out"]), "--report", str(tmp_path / "r")])
    assert result.exit_code == 1 and result.output.strip() == f"framing: error: {MISSING_EXTRA}"
    out = tmp_path / "never.jsonl"
    result = runner.invoke(main, ["batch", str(corpus), "-o", str(out), "--report", str(tmp_path / "r")])
    assert result.exit_code == 1 and MISSING_EXTRA in result.output and not out.exists()  # refused before analysing


def test_batch_summary_object_equals_summarize(batch_runs):
    """Summary.add over the records as batch wrote them is what summarize_file builds: one tally logic."""
    live = Summary(["partnership", "sovereignty", "global_south", "language_policy"], "outlet")
    for record in read_jsonl(batch_runs["jsonl"]["out"]):
        live.add(record)
    again = summarize_file(batch_runs["jsonl"]["out"], "outlet").summary
    assert (live.ok, live.failed, dict(live.groups), dict(live.months)) == (
        again.ok,
        again.failed,
        dict(again.groups),
        dict(again.months),
    )


def test_charts_page_opens_offline_in_headless_chromium(month_reports, tmp_path):
    rendered = render_offline(month_reports["csv"] / REPORT_HTML, tmp_path / "shot.png", tmp_path / "profile")
    assert rendered.console_errors == []
    assert png_size(rendered.screenshot) == WINDOW
    assert all(month in rendered.dom for month in MONTHS) and "Глобальный Юг (global_south)" in rendered.dom


# --- issue 4: summaries that do not mislead ---------------------------------------------------------------------
def wilson_by_roots(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson bounds as the roots of (p̂ − p)² = z² p (1 − p) / n, solved here as a quadratic in p."""
    import numpy as np

    share = k / n
    roots = np.roots([1 + z * z / n, -(2 * share + z * z / n), share * share]).real
    return float(roots.min()), float(roots.max())


def test_wilson_interval_against_an_independent_solution():
    from framing.metrics import wilson

    low, high = wilson(5, 20)
    assert (round(low, 3), round(high, 3)) == (0.112, 0.469)
    for k, n in ((5, 20), (1, 3), (17, 42), (99, 100), (3, 1000)):
        assert wilson(k, n) == pytest.approx(wilson_by_roots(k, n), abs=1e-9), (k, n)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 10)[1] == pytest.approx(3.8415 / 13.8415, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def fake_records(path: Path, months: dict[str, int], group: str | None = None) -> Path:
    """Batch-shaped records (no analysis): `months[m]` documents in month m, every other one with partnership."""
    rows = []
    for month, count in months.items():
        for i in range(count):
            present = i % 2 == 0
            frames = [{"id": "partnership", "score": 0.9 if present else 0.1, "present": present},
                      {"id": "sovereignty", "score": 0.0, "present": False}]
            rows.append({"source": "c.jsonl", "id": f"{month}-{i}", "date": f"{month}-15", "tokens": 10,
                         "dominant": "partnership" if present else None, "frames": frames}
                        | ({"group": group} if group else {}))
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_summary_at_80_columns_intervals_dates_small_groups(batch_runs):
    from click.testing import CliRunner

    from framing.metrics import wilson

    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["summarize", str(batch_runs["jsonl"]["out"])])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert not any("…" in line for line in lines if line.startswith(("│", "┃")))  # no cell is cut
    records = [r for r in read_jsonl(batch_runs["jsonl"]["out"]) if "error" not in r]
    present = sum(f["present"] for r in records for f in r["frames"] if f["id"] == "partnership")
    low, high = wilson_by_roots(present, len(records))
    row = next(line for line in lines if line.startswith("│ partnership"))
    assert f"{present / len(records):.0%}" in row and f"{low * 100:.0f}–{high * 100:.0f}%" in row
    assert wilson(present, len(records)) == pytest.approx((low, high))
    # the date range and the undated document are stated
    assert "dates 2024-11-04 … 2025-02-25 (4 months); 1 documents without a date" in result.output
    assert "fewer than 20 documents" in result.output
    # remembered grouping: the batch's --group-by outlet, groups of 5 and 4 marked as small
    assert "By group" in result.output and "grouped by the records' `group`" in result.output
    assert any(line.startswith("│ A ") and "5*" in line for line in lines)
    assert any(line.startswith("│ B ") and "4*" in line for line in lines)
    assert any("language_" in line for line in lines)  # the id broken at its underscore, not cut


def test_summarize_says_it_groups_by_month(runner, batch_runs):
    result = runner.invoke(main, ["summarize", str(batch_runs["csv"]["out"])])  # a CSV keeps no group column
    assert result.exit_code == 0 and "grouped by month (pass --group-by FIELD to group by a field)" in result.output
    assert "By " not in result.output


def test_sparkline_covers_the_whole_range_or_says_it_is_cut(tmp_path):
    from click.testing import CliRunner

    months = {f"{2020 + i // 12}-{i % 12 + 1:02d}": 2 for i in range(60)}
    results = fake_records(tmp_path / "long.jsonl", months)
    wide = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["summarize", str(results)])
    assert wide.exit_code == 0 and "by month 2020-01 … 2024-12:" in wide.output and "the last" not in wide.output
    row = next(line for line in wide.output.splitlines() if line.startswith("│ partnership"))
    assert sparkline([0.5] * 60, 0.5) in row  # every month, on the scale of the highest share
    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["summarize", str(results)])
    assert narrow.exit_code == 0 and all(len(line) <= 80 for line in narrow.output.splitlines())
    caption = " ".join(narrow.output.split())
    assert re.search(r"the last \d+ of 60 months: the terminal is too narrow; --report charts every month", caption)
    assert "dates 2020-01-15 … 2024-12-15 (60 months); every document dated" in caption


def test_report_marks_intervals_small_groups_and_collapses_empty_months(tmp_path, monkeypatch):
    import framing.charts as charts

    results = fake_records(tmp_path / "gap.jsonl", {"2020-01": 25, "2020-02": 3, "2020-09": 4})
    summary = summarize_file(results, "date:month").summary
    drawn = {}
    real_chart = charts.chart_png

    def spy(series, values, title, *args, **kwargs):
        drawn[title] = kwargs.get("intervals")
        return real_chart(series, values, title, *args, **kwargs)

    monkeypatch.setattr(charts, "chart_png", spy)
    page = charts.write_report(summary, tmp_path / "r").html.read_text(encoding="utf-8")
    intervals = drawn["Documents where the frame is present"]["partnership"]
    assert intervals[0] == pytest.approx(wilson_by_roots(13, 25)) and intervals[2] is None  # 2020-03: no documents
    assert 'data-gap="2020-03 … 2020-08"' in page and 'data-group="2020-05"' not in page  # one row for the run
    assert page.count("<tr") == page.count('data-group="') + page.count("data-gap") + 2 + 4  # heads, overall rows
    low, high = wilson_by_roots(2, 3)
    assert f'<td class="ci">{low * 100:.0f}–{high * 100:.0f}%</td>' in page
    assert "<td>25</td>" in page  # 25 documents: not small
    assert 'data-group="2020-02"><td class="name">2020-02</td><td>3<span class="small"' in page
