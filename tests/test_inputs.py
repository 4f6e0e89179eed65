"""Inputs people actually have: compressed files, zip archives, JSONL on stdin, URLs, PDF/Word, empty folders,
corpus fields that do not exist — each read, or refused with one line before any work."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import zipfile
from pathlib import Path

import pytest

from framing.cli import main

from .conftest import SEED

TEXT = SEED.read_text(encoding="utf-8")
SHORT = "Россия и Казахстан вывели отношения на уровень стратегического партнерства и союзничества."
LEXICON = ["--mode", "lexicon"]


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def corpus_rows(count: int) -> list[dict]:
    return [{"id": f"r{i}", "date": f"2024-0{1 + i % 9}-15", "text": f"{SHORT} Номер {i}."} for i in range(count)]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def batch(runner, *args, input=None):
    return runner.invoke(main, ["batch", *map(str, args), "--jobs", "1", *LEXICON], input=input)


def frames(record: dict) -> dict:
    return {f["id"]: f["score"] for f in record["frames"]}


@pytest.fixture(scope="module")
def archive_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archives")
    (folder / "plain.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.txt.gz").write_bytes(gzip.compress(TEXT.encode("utf-8")))
    (folder / "b.txt.bz2").write_bytes(bz2.compress(TEXT.encode("cp1251")))  # any encoding, compressed
    (folder / "c.txt.xz").write_bytes(lzma.compress(TEXT.encode("utf-8")))
    (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(jsonl(corpus_rows(3))))
    with zipfile.ZipFile(folder / "news.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2017/a.txt", TEXT)
        archive.writestr("2017/", b"")  # a directory entry
        archive.writestr("2018/page.html", f"<html><body><article><p>{SHORT}</p></article></body></html>")
        archive.writestr("rows.jsonl", jsonl(corpus_rows(2)))
        archive.writestr("__MACOSX/2017/._a.txt", b"\x00\x05\x16\x07")  # macOS metadata: skipped
        archive.writestr("photo.png", b"\x89PNG\r\n\x1a\n")  # not a document: skipped
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\n")  # not picked up by the folder walk
    return folder


def test_folder_reads_compressed_files_and_zip_members(runner, archive_folder, tmp_path):
    out = tmp_path / "out.jsonl"
    result = batch(runner, archive_folder, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    records = read_jsonl(out)
    keys = [r["source"].replace(str(archive_folder) + "/", "") + (f"#{r['id']}" if "id" in r else "") for r in records]
    assert keys == [
        "a.txt.gz", "b.txt.bz2", "c.txt.xz",
        "corpus.jsonl.gz#r0", "corpus.jsonl.gz#r1", "corpus.jsonl.gz#r2",
        "news.zip!/2017/a.txt", "news.zip!/2018/page.html", "news.zip!/rows.jsonl#r0", "news.zip!/rows.jsonl#r1",
        "plain.txt",
    ]
    by_key = dict(zip(keys, records))
    for key in ("a.txt.gz", "b.txt.bz2", "c.txt.xz", "news.zip!/2017/a.txt"):
        assert frames(by_key[key]) == frames(by_key["plain.txt"]), key
    assert by_key["news.zip!/2018/page.html"]["dominant"] == "partnership"  # HTML extracted, not read as text
    assert by_key["corpus.jsonl.gz#r1"]["date"] == "2024-02-15"


def test_analyze_reads_compressed_files_and_a_zip_member(runner, archive_folder):
    plain = json.loads(runner.invoke(main, ["analyze", str(archive_folder / "plain.txt"), "--format", "json",
                                            *LEXICON]).output)
    for name in ("a.txt.gz", "b.txt.bz2", "c.txt.xz", "news.zip!/2017/a.txt"):
        result = runner.invoke(main, ["analyze", str(archive_folder / name), "--format", "json", *LEXICON])
        assert result.exit_code == 0, result.output
        analysis = json.loads(result.output)
        assert analysis["source"] == str(archive_folder / name) and frames(analysis) == frames(plain)
    whole = runner.invoke(main, ["analyze", str(archive_folder / "news.zip")])
    assert whole.exit_code == 1 and "use `framing batch`" in whole.output


def test_compression_bombs_are_refused_by_decompressed_size(runner, tmp_path):
    bomb = b"\xd0\xb0" * (8 * 2**20)  # 16 MB of «а», a few KB compressed
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(bomb, 9))
    (tmp_path / "bomb.txt.xz").write_bytes(lzma.compress(bomb))
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.txt", bomb)
    assert (tmp_path / "bomb.txt.gz").stat().st_size < 100_000
    for name, expect in (("bomb.txt.gz", "too large when decompressed"), ("bomb.txt.xz", "too large when decompressed"),
                         ("bomb.zip!/inner.txt", "file too large (16 MB > 1 MB limit")):
        result = runner.invoke(main, ["analyze", str(tmp_path / name), "--max-mb", "1"])
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
        assert expect in result.output and "--max-mb" in result.output
    out = tmp_path / "out.jsonl"
    result = batch(runner, tmp_path, "-o", out, "-q", "--max-mb", "1")
    assert result.exit_code == 1
    errors = {Path(r["source"]).name: r["error"] for r in read_jsonl(out)}
    assert set(errors) == {"bomb.txt.gz", "bomb.txt.xz", "inner.txt"}
    assert all("limit" in error for error in errors.values())


def test_zip_member_whose_header_lies_about_its_size_is_still_bounded(tmp_path):
    from framing.errors import FramingError
    from framing.reader import read_input

    archive_path = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.txt", "а" * 2**20)
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.getinfo("x.txt").file_size == 2**21
    with pytest.raises(FramingError, match="limit"):
        read_input(str(archive_path), "x.txt", max_bytes=2**20)


def test_broken_archives_are_one_error_each_and_the_run_goes_on(runner, tmp_path):
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("photo.png", b"\x89PNG\r\n\x1a\n")
    whole = gzip.compress(TEXT.encode("utf-8"))
    (tmp_path / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "notgzip.txt.gz").write_bytes(TEXT.encode("utf-8"))
    rows = gzip.compress(jsonl(corpus_rows(400)))
    (tmp_path / "cut.jsonl.gz").write_bytes(rows[: len(rows) * 3 // 4])  # a download cut short
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = batch(runner, tmp_path, "-o", out, "-q")
    assert result.exit_code == 1 and "Traceback" not in result.output
    records = read_jsonl(out)
    as_dict: dict[str, list[str]] = {}
    for record in records:
        if "error" in record:
            as_dict.setdefault(Path(record["source"]).name, []).append(record["error"])
    assert "truncated compressed data" in as_dict["cut.txt.gz"][0]
    assert "not a readable zip archive" in as_dict["corrupt.zip"][0]
    assert "no .txt, .html, .jsonl or .csv files" in as_dict["empty.zip"][0]
    assert "corrupt compressed data" in as_dict["notgzip.txt.gz"][0]
    assert any("truncated compressed data after line" in e for e in as_dict["cut.jsonl.gz"])
    good_rows = [r for r in records if r["source"].endswith("cut.jsonl.gz") and "error" not in r]
    assert len(good_rows) > 100 and [r["id"] for r in good_rows] == [f"r{i}" for i in range(len(good_rows))]
    assert any(r["source"].endswith("good.txt") and "error" not in r for r in records)


def _resumed_equals_uninterrupted(runner, tmp_path, inputs: list[str], stdin: bytes | None = None) -> None:
    """Run to the end; then keep only a prefix (and a torn line) as a killed run leaves it; resume; compare."""
    out = tmp_path / "out.jsonl"
    full = batch(runner, *inputs, "-o", out, "-q", input=stdin)
    assert full.exit_code == 0, full.output
    uninterrupted = read_jsonl(out)
    assert len(uninterrupted) >= 4
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.unlink()
    part = tmp_path / "out.jsonl.part"
    part.write_text("".join(lines[:3]) + lines[3][:40], encoding="utf-8")
    resumed = batch(runner, *inputs, "-o", out, "-q", "--resume", input=stdin)
    assert resumed.exit_code == 0, resumed.output
    assert read_jsonl(out) == uninterrupted


def test_resume_over_a_zip_archive(runner, tmp_path):
    archive_path = tmp_path / "news.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(4):
            archive.writestr(f"{2017 + i}/a{i}.txt", f"{SHORT} Год {2017 + i}.")
        archive.writestr("rows.jsonl", jsonl(corpus_rows(3)))
    _resumed_equals_uninterrupted(runner, tmp_path, [str(archive_path)])


def test_resume_over_a_jsonl_gz(runner, tmp_path):
    corpus = tmp_path / "corpus.jsonl.gz"
    corpus.write_bytes(gzip.compress(jsonl(corpus_rows(8))))
    _resumed_equals_uninterrupted(runner, tmp_path, [str(corpus)])


def test_resume_with_the_same_stdin(runner, tmp_path):
    _resumed_equals_uninterrupted(runner, tmp_path, ["-"], stdin=jsonl(corpus_rows(6)))


def test_resume_with_other_stdin_is_refused(runner, tmp_path):
    out = tmp_path / "out.jsonl"
    assert batch(runner, "-", "-o", out, "-q", input=jsonl(corpus_rows(5))).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.unlink()
    (tmp_path / "out.jsonl.part").write_text("".join(lines[:2]), encoding="utf-8")
    other = jsonl([{**row, "id": "x" + row["id"]} for row in corpus_rows(5)])
    refused = batch(runner, "-", "-o", out, "-q", "--resume", input=other)
    assert refused.exit_code == 1 and "cannot resume" in refused.output


def test_stdin_jsonl_corpus(runner, tmp_path):
    rows = [{"uid": f"u{i}", "body": f"{SHORT} {i}", "published": "20240305"} for i in range(3)]
    result = batch(runner, "-", "--text-field", "body", "--id-field", "uid", "--date-field", "published", "-q",
                   input=jsonl(rows))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    expected = [("<stdin>", f"u{i}", "2024-03-05") for i in range(3)]
    assert [(r["source"], r["id"], r["date"]) for r in records] == expected


def test_stdin_that_is_not_jsonl_or_lacks_the_field_is_one_line(runner):
    text = batch(runner, "-", "-q", input=TEXT.encode("utf-8"))
    assert text.exit_code == 1 and text.output.count("\n") == 1
    assert "<stdin>: not JSONL" in text.output and "framing analyze -" in text.output
    field = batch(runner, "-", "--text-field", "body", "-q", input=jsonl(corpus_rows(2)))
    assert field.exit_code == 1 and field.output.count("\n") == 1
    assert "no field 'body'" in field.output and "(fields: id, date, text)" in field.output
    twice = batch(runner, "-", "-", "-q", input=jsonl(corpus_rows(2)))
    assert twice.exit_code == 2 and "more than once" in twice.output


@pytest.mark.parametrize("setup", ["empty folder", "only PDFs", "glob matches nothing", "recursive needed"])
def test_no_input_files_found_is_a_usage_error(runner, tmp_path, setup):
    folder = tmp_path / "in"
    folder.mkdir()
    args = [folder]
    if setup == "only PDFs":
        (folder / "a.pdf").write_bytes(b"%PDF-1.4\n")
    if setup == "glob matches nothing":
        (folder / "a.txt").write_text(SHORT, encoding="utf-8")
        args += ["--glob", "*.htm"]
    if setup == "recursive needed":
        (folder / "2017").mkdir()
        (folder / "2017" / "a.txt").write_text(SHORT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = batch(runner, *args, "-o", out)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "no input files found" in result.output and str(folder) in result.output
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


def test_urls_are_not_fetched(runner, tmp_path):
    url = "https://ria.ru/20240305/news.html"
    analyzed = runner.invoke(main, ["analyze", url])
    assert analyzed.exit_code == 1
    assert analyzed.output.strip() == f"framing: error: {url}: URLs are not fetched; save the page and pass the file"
    batched = batch(runner, SEED, url, "-o", tmp_path / "out.jsonl")
    assert batched.exit_code == 2 and url in batched.output and "URLs are not fetched" in batched.output
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        ("report.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" * 40, "a PDF document"),
        ("report.txt", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" * 40, "a PDF document"),
        ("letter.docx", b"PK\x03\x04" + b"\x00" * 100, "a Word document (.docx)"),
        ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a Word document (.doc)"),
        ("letter.txt", b"{\\rtf1\\ansi Hello}", "an RTF document"),
        ("corpus.jsonl.zst", b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "zstandard (.zst) is not read"),
        ("news.tar.gz", gzip.compress(b"x" * 100), "an archive framing does not read"),
    ],
)
def test_other_formats_are_named_not_analysed(runner, tmp_path, name, data, expect):
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(main, ["analyze", str(path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"framing: error: {path}: {expect}")
    out = tmp_path / "out.jsonl"
    batched = batch(runner, path, "-o", out, "-q")
    assert batched.exit_code == 1 and expect in read_jsonl(out)[0]["error"]


def test_corpus_fields_that_no_row_has_are_refused_before_the_run(runner, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    rows = [{"uid": "1", "body": SHORT}, {"uid": "2", "body": SHORT, "published": "2024-03-05"}]
    corpus.write_bytes(jsonl(rows))
    out = tmp_path / "out.jsonl"
    for option, value in (("--text-field", "text"), ("--id-field", "id"), ("--date-field", "date")):
        args = {"--text-field": "body", "--id-field": "uid", "--date-field": "published", option: value}
        result = batch(runner, corpus, "-o", out, *[x for pair in args.items() for x in pair])
        assert result.exit_code == 2 and result.output.count("\n") == 1, (option, result.output)
        assert f"no field '{value}' (see {option})" in result.output
        assert "(fields: uid, body, published)" in result.output and not out.exists()
    named = ["--text-field", "body", "--id-field", "uid", "--date-field", "published"]
    ok = batch(runner, corpus, "-o", out, "-q", *named)
    assert ok.exit_code == 0, ok.output
    assert [(r["id"], r.get("date")) for r in read_jsonl(out)] == [("1", None), ("2", "2024-03-05")]
    default_id = batch(runner, corpus, "-o", out, "-q", "--force", "--text-field", "body")  # id/date not required
    assert default_id.exit_code == 0 and [r["id"] for r in read_jsonl(out)] == ["line 1", "line 2"]
    gz = tmp_path / "more.csv.gz"
    gz.write_bytes(gzip.compress(f"uid,body\n1,{SHORT}\n".encode()))
    csv_missing = batch(runner, gz, "--id-field", "id", "--text-field", "body")
    assert csv_missing.exit_code == 2 and "no column 'id' (see --id-field) (columns: uid, body)" in csv_missing.output


def test_parallel_workers_read_zip_members_like_one_process(runner, archive_folder, tmp_path):
    serial, parallel = tmp_path / "s.jsonl", tmp_path / "p.jsonl"
    assert batch(runner, archive_folder, "-o", serial, "-q").exit_code == 0
    result = runner.invoke(main, ["batch", str(archive_folder), "-o", str(parallel), "-q", "--jobs", "2", *LEXICON])
    assert result.exit_code == 0, result.output
    assert read_jsonl(serial) == read_jsonl(parallel)
