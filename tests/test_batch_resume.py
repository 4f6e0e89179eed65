"""`framing batch --resume`: a resume never mixes two runs' settings; a CSV torn inside a quoted multi-line
field; `--errors` on resume; CSV cells a spreadsheet would run as formulas. Every resumed output is compared
with the output of the same run without an interruption, record by record (byte by byte where it can be)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from framing.cli import main
from framing.summarize import iter_records

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "Россия и Казахстан подписали декларацию о стратегическом партнерстве и союзничестве.",
    "В Бишкеке приняли закон о государственном языке и о статусе русского языка.",
    "Москва и страны Глобального Юга выступают за многополярный мир.",
    "Суверенитет страны и невмешательство во внутренние дела остаются основой политики.",
]
# ids a spreadsheet would run (=, +, -, @, tab), one already starting with ', and ones spanning lines
IDS = ["=1+1", "plain", "a\nb", "-5", "+7", "@SUM(A1)", "'q", "\ttab", "multi\nline\nid", "last"]


@pytest.fixture()
def corpus(tmp_path) -> Path:
    rows = [{"id": row_id, "outlet": "AB"[i % 2], "text": TEXTS[i % len(TEXTS)]} for i, row_id in enumerate(IDS)]
    rows[0].update(body=rows[0]["text"], when="2024-03-05")  # fields a changed --text-field/--date-field can name
    rows[5]["text"] = ""  # an error record in the middle
    rows[8]["text"] = "   "  # and one in the torn row
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def batch(runner, corpus: Path, out: Path, *extra: str):
    options = ["-o", str(out), "--jobs", "1", "-q", "--mode", "lexicon", *extra]
    return runner.invoke(main, ["batch", *options, "--", str(corpus)])  # "--": a corpus may be named -x.jsonl


def interrupted(out: Path, keep: int) -> Path:
    """As if the run writing `out` had been killed after `keep` bytes: the output back to a `.part`."""
    part = out.with_name(out.name + ".part")
    data = out.read_bytes()
    out.unlink()
    part.write_bytes(data[:keep])
    return part


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def line_ends(data: bytes) -> list[int]:
    return [i + 1 for i, byte in enumerate(data) if byte == ord("\n")]


# --- settings -----------------------------------------------------------------------------------------------


def other_lexicons(tmp_path: Path) -> Path:
    folder = tmp_path / "lex"
    shutil.copytree(ROOT / "lexicons", folder)
    path = folder / "partnership.toml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("weight = 1.0", "weight = 0.9", 1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "change, said",
    [
        (["--mode", "combined"], "mode lexicon → combined"),
        (["--text-field", "body"], "text field text → body"),
        (["--id-field", "outlet"], "id field id → outlet"),
        (["--with-text"], "with text false → true"),
        (["--group-by", "outlet"], "group-by field none → outlet"),
        (["--max-mb", "1"], "max bytes 67108864 → 1048576"),
        (["--format", "csv"], "format jsonl → csv"),
        (["--mode", "combined", "--date-field", "when"], "mode lexicon → combined, date field date → when"),
    ],
)
def test_resume_with_other_settings_is_refused_in_one_line(runner, corpus, tmp_path, monkeypatch, change, said):
    monkeypatch.delenv("FRAMING_MAX_MB", raising=False)
    out = tmp_path / "out.jsonl"
    assert batch(runner, corpus, out).exit_code == 1  # two rows without text
    part = interrupted(out, line_ends(out.read_bytes())[3])
    before = part.read_bytes()
    refused = batch(runner, corpus, out, "--resume", *change)
    assert refused.exit_code == 2, refused.output
    assert refused.output.splitlines() == [f"framing: error: {out}: --resume with different settings: {said}"]
    assert part.read_bytes() == before and not out.exists()  # nothing written, the .part still resumable
    assert batch(runner, corpus, out, "--resume").exit_code == 1 and out.exists()


def test_resume_with_another_lexicon_set_is_refused(runner, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    batch(runner, corpus, out)
    part = interrupted(out, line_ends(out.read_bytes())[2])
    settings = json.loads((tmp_path / "out.jsonl.settings.json").read_text(encoding="utf-8"))
    lexicons = other_lexicons(tmp_path)
    refused = batch(runner, corpus, out, "--resume", "--lexicons", str(lexicons))
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert f"different settings: lexicons {settings['lexicons'][7:19]} → " in refused.output
    same = tmp_path / "same"
    shutil.copytree(ROOT / "lexicons", same)  # the same set elsewhere: the same content, the same digest
    assert batch(runner, corpus, out, "--resume", "--lexicons", str(same)).exit_code == 1
    assert not part.exists()


def test_settings_sidecar_is_kept_and_readers_ignore_it(runner, corpus, tmp_path):
    out = tmp_path / "out.csv"
    assert batch(runner, corpus, out, "--format", "csv").exit_code == 1
    settings = json.loads((tmp_path / "out.csv.settings.json").read_text(encoding="utf-8"))
    assert {k: settings[k] for k in ("schema", "format", "mode", "text_field", "id_field", "date_field")} == {
        "schema": "framing/1",
        "format": "csv",
        "mode": "lexicon",
        "text_field": "text",
        "id_field": "id",
        "date_field": "date",
    }
    assert settings["lexicons"].startswith("sha256:") and settings["model"].startswith("sha256:")
    summary = runner.invoke(main, ["summarize", str(out)])
    assert summary.exit_code == 0, summary.output
    assert "8 documents ok, 2 failed" in summary.output


def test_resume_of_an_output_without_settings_warns_but_checks_the_mode(runner, corpus, tmp_path):
    out = tmp_path / "out.jsonl"
    batch(runner, corpus, out)
    expected = jsonl(out)
    part = interrupted(out, line_ends(out.read_bytes())[4])
    (tmp_path / "out.jsonl.settings.json").unlink()  # an output of an older framing
    refused = batch(runner, corpus, out, "--resume", "--mode", "combined")  # its records say lexicon
    assert refused.exit_code == 2 and "different settings: mode lexicon → combined" in refused.output
    assert part.exists() and not (tmp_path / "out.jsonl.settings.json").exists()
    resumed = batch(runner, corpus, out, "--resume")
    assert resumed.exit_code == 1
    assert resumed.output.splitlines()[0].startswith(f"framing: warning: {out}: no out.jsonl.settings.json")
    assert jsonl(out) == expected
    assert (tmp_path / "out.jsonl.settings.json").exists()  # from now on, checked


def test_resume_through_the_library_checks_settings_too(corpus, tmp_path, lexicon_analyzer, combined_analyzer):
    from framing.batch import BatchInterrupted, run_batch
    from framing.records import RecordSink, SettingsMismatch
    from framing.sources import Sources

    out = tmp_path / "out.jsonl"
    sources = Sources((str(corpus),))

    def stop_after_three(record, summary):
        if summary.ok.documents + summary.failed == 3:
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted):
        run_batch(sources, lexicon_analyzer, RecordSink(str(out)), on_record=stop_after_three)
    with pytest.raises(SettingsMismatch, match="mode lexicon → combined"):
        run_batch(sources, combined_analyzer, RecordSink(str(out)), resume=True)
    run_batch(sources, lexicon_analyzer, RecordSink(str(out)), resume=True)
    whole = tmp_path / "whole.jsonl"
    run_batch(sources, lexicon_analyzer, RecordSink(str(whole)))
    assert jsonl(out) == jsonl(whole)


# --- CSV resume ---------------------------------------------------------------------------------------------


def test_csv_resume_after_a_row_torn_inside_a_quoted_multiline_field(runner, corpus, tmp_path):
    whole = tmp_path / "whole.csv"
    assert batch(runner, corpus, whole, "--format", "csv").exit_code == 1
    expected = whole.read_bytes()
    torn_at = expected.index(b'"multi\nline') + len(b'"multi\nli')  # inside the quotes, after a newline
    assert expected[:torn_at].count(b"\n") > 9  # the header and seven rows, two of them spanning lines

    out = tmp_path / "out.csv"
    shutil.copy(whole, out)
    shutil.copy(tmp_path / "whole.csv.settings.json", tmp_path / "out.csv.settings.json")
    interrupted(out, torn_at)
    resumed = batch(runner, corpus, out, "--format", "csv", "--resume")
    assert resumed.exit_code == 1, resumed.output
    assert out.read_bytes() == expected  # each row once, the torn one rewritten whole
    assert csv_rows(out) == csv_rows(whole) and len(csv_rows(out)) == len(IDS)


@pytest.mark.parametrize("cut", ["before_newline", "after_quote", "row_boundary"])
def test_csv_resume_cuts_at_the_last_whole_row(runner, corpus, tmp_path, cut):
    whole = tmp_path / "out.csv"
    batch(runner, corpus, whole, "--format", "csv")
    expected = whole.read_bytes()
    row_end = expected.index(b'"a\nb"')  # the row with a two-line id, then the next
    row_end = expected.index(b"\n", row_end + len(b'"a\nb"')) + 1
    keep = {"before_newline": row_end - 1, "after_quote": expected.index(b'"a\nb"') + 3, "row_boundary": row_end}
    part = interrupted(whole, keep[cut])
    resumed = batch(runner, corpus, whole, "--format", "csv", "--resume")
    assert resumed.exit_code == 1, resumed.output
    assert whole.read_bytes() == expected and not part.exists()


def test_csv_resume_refuses_a_damaged_row_in_the_middle(runner, corpus, tmp_path):
    out = tmp_path / "out.csv"
    batch(runner, corpus, out, "--format", "csv")
    data = out.read_bytes()
    part = interrupted(out, len(data))
    second = line_ends(data)[1]
    part.write_bytes(data[:second] + b'x,"y"z,\n' + data[second:])  # a quote inside a quoted cell: not ours
    refused = batch(runner, corpus, out, "--format", "csv", "--resume")
    assert refused.exit_code == 1 and "cannot resume" in refused.output and "not a CSV record" in refused.output


# --- --errors on resume -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_errors_file_on_resume_equals_an_uninterrupted_runs(runner, corpus, tmp_path, fmt):
    whole, whole_errors = tmp_path / f"whole.{fmt}", tmp_path / "whole_errors.jsonl"
    assert batch(runner, corpus, whole, "--format", fmt, "--errors", str(whole_errors)).exit_code == 1
    expected_errors = whole_errors.read_text(encoding="utf-8")
    assert [r["id"] for r in jsonl(whole_errors)] == ["@SUM(A1)", "multi\nline\nid"]

    out, errors = tmp_path / f"out.{fmt}", tmp_path / "errors.jsonl"
    shutil.copy(whole, out)
    shutil.copy(tmp_path / f"whole.{fmt}.settings.json", tmp_path / f"out.{fmt}.settings.json")
    data = whole.read_bytes()
    after_first_error = data.index(b"@SUM(A1)")
    after_first_error = data.index(b"\n", after_first_error) + 1
    interrupted(out, after_first_error)
    # killed between writing the error record and its copy in --errors, with the copy half written
    errors.write_text(expected_errors.splitlines()[0][:20], encoding="utf-8")
    resumed = batch(runner, corpus, out, "--format", fmt, "--errors", str(errors), "--resume")
    assert resumed.exit_code == 1, resumed.output
    assert errors.read_text(encoding="utf-8") == expected_errors  # the first run's error kept, once; the new one
    assert out.read_bytes() == data

    # resumed again after its end (nothing left to do): the same errors, no duplicates
    again = batch(runner, corpus, out, "--format", fmt, "--errors", str(errors), "--resume")
    assert again.exit_code == 1 and errors.read_text(encoding="utf-8") == expected_errors
    assert out.read_bytes() == data


# --- CSV formula cells ----------------------------------------------------------------------------------------


def test_csv_formula_cells_are_written_as_text_and_read_back(runner, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(corpus, tmp_path / "=HYPERLINK(1).jsonl")  # a source name that a spreadsheet would run
    source = "=HYPERLINK(1).jsonl"
    assert batch(runner, Path(source), Path("out.csv"), "--format", "csv").exit_code == 1
    assert batch(runner, Path(source), Path("out.jsonl")).exit_code == 1

    raw = list(csv.reader(io.StringIO(Path("out.csv").read_text(encoding="utf-8"), newline="")))[1:]
    assert {row[0] for row in raw} == {"'" + source}
    assert [row[1] for row in raw] == [
        "'=1+1",
        "plain",
        "a\nb",
        "'-5",
        "'+7",
        "'@SUM(A1)",
        "''q",
        "'\ttab",
        "multi\nline\nid",
        "last",
    ]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for row in raw for cell in row)

    records = jsonl(Path("out.jsonl"))  # JSONL unchanged
    assert [r["id"] for r in records] == IDS and {r["source"] for r in records} == {source}

    read_back = list(iter_records("out.csv"))  # framing summarize/sample read the original values
    assert [r["id"] for r in read_back] == IDS and {r["source"] for r in read_back} == {source}
    for mine, theirs in zip(read_back, records):
        assert mine.get("error") == theirs.get("error") and mine.get("dominant") == theirs.get("dominant")

    summary = runner.invoke(main, ["summarize", "out.csv"])
    assert summary.exit_code == 0, summary.output


def test_csv_resume_recognises_escaped_sources_and_ids(runner, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = Path("-dash.jsonl")
    shutil.copy(corpus, source)
    out = Path("out.csv")
    batch(runner, source, out, "--format", "csv")
    expected = out.read_bytes()
    for row_end in line_ends(expected)[1:4]:  # after '=1+1, after plain, inside "a\nb"
        interrupted(out, row_end)
        resumed = batch(runner, source, out, "--format", "csv", "--resume")
        assert resumed.exit_code == 1, resumed.output
        assert out.read_bytes() == expected
