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
