"""`framing batch`: encodings, HTML and corpora in one run, error records, CSV, resume after a kill."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from framing.cli import main

from .conftest import SEED, batch_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    text = SEED.read_text(encoding="utf-8")
    # Typographic quotes and dashes are missing from koi8-r/cp866: ASCII stand-ins keep every copy the same text.
    plain = text.translate(str.maketrans({"«": '"', "»": '"', "—": "-", "–": "-", "…": "...", "“": '"', "”": '"'}))
    (folder / "utf8.txt").write_text(plain, encoding="utf-8")
    (folder / "utf8_bom.txt").write_bytes(b"\xef\xbb\xbf" + plain.encode("utf-8"))
    (folder / "utf16.txt").write_bytes(plain.encode("utf-16"))
    (folder / "cp1251.txt").write_bytes(plain.encode("cp1251"))
    (folder / "koi8r.txt").write_bytes(plain.encode("koi8_r"))
    (folder / "cp866.txt").write_bytes(plain.encode("cp866"))
    paragraphs = "".join(f"<p>{p}</p>\n" for p in plain.split("\n") if p.strip())
    (folder / "page.html").write_text(
        f"<!doctype html><html><head><title>Новости</title></head><body><nav>Главная | Политика | Спорт</nav>"
        f"<article><h1>Визит Токаева</h1>{paragraphs}</article><footer>© Редакция</footer></body></html>",
        encoding="utf-8",
    )
    gold = [
        json.loads(line)
        for line in (ROOT / "examples" / "gold" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    rows = [
        {
            "id": f"g{i}",
            "date": f"2024-0{1 + i % 3}-15",
            "outlet": "A" if i % 2 else "B",
            "text": (ROOT / "examples" / "gold" / g["path"]).read_text(encoding="utf-8"),
        }
        for i, g in enumerate(gold[:4])
    ]
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    with open(folder / "corpus.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "date", "outlet", "text"])
        writer.writeheader()
        writer.writerows(rows[:3])
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 16)
    os.symlink(folder / "does-not-exist", folder / "unreadable.txt")  # unreadable even for root
    return folder


def run_batch(runner, args):
    result = runner.invoke(main, ["batch", *args])
    return result


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_mixed_folder_one_run(runner, mixed_folder, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run_batch(runner, [str(mixed_folder), "--output", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output  # some documents failed
    records = read_jsonl(out)
    by_name = {Path(r["source"]).name + (f"#{r['id']}" if r.get("id") else ""): r for r in records}
    errors = {name: r["error"] for name, r in by_name.items() if "error" in r}
    assert set(errors) == {"empty.txt", "binary.txt", "unreadable.txt"}
    assert (
        "empty" in errors["empty.txt"]
        and "binary" in errors["binary.txt"]
        and "no such file" in errors["unreadable.txt"]
    )
    copies = ["utf8.txt", "utf8_bom.txt", "utf16.txt", "cp1251.txt", "koi8r.txt", "cp866.txt"]
    reference = {f["id"]: f["score"] for f in by_name["utf8.txt"]["frames"]}
    assert by_name["utf8.txt"]["dominant"] == "partnership"
    for name in copies:
        assert {f["id"]: f["score"] for f in by_name[name]["frames"]} == reference, name
    html_scores = {f["id"]: f["score"] for f in by_name["page.html"]["frames"]}
    assert by_name["page.html"]["dominant"] == "partnership"
    assert all(abs(html_scores[k] - reference[k]) < 0.1 for k in reference), html_scores
    assert sum(1 for r in records if r["source"].endswith("corpus.jsonl")) == 4
    assert sum(1 for r in records if r["source"].endswith("corpus.csv")) == 3
    assert len(records) == 6 + 1 + 4 + 3 + 3
    assert "14 documents ok, 3 failed" in result.output


def test_csv_output_loads_as_table(runner, mixed_folder, tmp_path):
    out = tmp_path / "out.csv"
    errors = tmp_path / "errors.jsonl"
    result = run_batch(
        runner,
        [
            str(mixed_folder / "corpus.jsonl"),
            str(mixed_folder / "empty.txt"),
            "--format",
            "csv",
            "--output",
            str(out),
            "--errors",
            str(errors),
            "--jobs",
            "1",
            "--group-by",
            "outlet",
        ],
    )
    assert result.exit_code == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:5] == ["source", "id", "date", "tokens", "dominant"]
    assert "partnership_score" in rows[0] and "language_policy_present" in rows[0]
    assert [r["id"] for r in rows[:4]] == ["g0", "g1", "g2", "g3"]
    assert rows[0]["date"] == "2024-01-15"
    assert read_jsonl(errors)[0]["source"].endswith("empty.txt")
    assert "By outlet" in result.output


def test_parallel_equals_serial(runner, mixed_folder, tmp_path):
    serial, parallel = tmp_path / "s.jsonl", tmp_path / "p.jsonl"
    run_batch(runner, [str(mixed_folder), "-o", str(serial), "--jobs", "1", "-q"])
    run_batch(runner, [str(mixed_folder), "-o", str(parallel), "--jobs", "2", "-q"])
    assert read_jsonl(serial) == read_jsonl(parallel)


def test_exit_status_zero_when_all_succeed(runner, tmp_path):
    result = run_batch(runner, [str(SEED), "-o", str(tmp_path / "x.jsonl"), "--jobs", "1", "-q"])
    assert result.exit_code == 0 and (tmp_path / "x.jsonl").exists()
    assert not (tmp_path / "x.jsonl.part").exists()


def test_usage_error_exits_2(runner):
    assert run_batch(runner, ["--resume", str(SEED)]).exit_code == 2
    assert run_batch(runner, []).exit_code == 2


def test_interrupt_and_resume_loses_and_duplicates_nothing(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    text = SEED.read_text(encoding="utf-8")
    with open(corpus, "w", encoding="utf-8") as handle:
        for i in range(300):
            handle.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    command = batch_command(corpus, out, 1)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and (not part.exists() or part.read_bytes().count(b"\n") < 20):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists() and part.exists()
    with open(part, "ab") as handle:
        handle.write(b'{"schema": "framing/1", "source": "torn')  # a record cut mid-write
    done_before = part.read_bytes().count(b"\n")
    assert 20 <= done_before < 300
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [str(i) for i in range(300)]
    # every row has the same text: written before the kill or after the resume, each record is the first's
    assert records == [records[0] | {"id": str(i)} for i in range(300)]
    assert records[0]["mode"] == "lexicon" and records[0]["dominant"] == "partnership"


def test_resume_counts_the_written_prefix_even_with_duplicate_ids(runner, tmp_path):
    corpus = tmp_path / "dup.jsonl"
    text = "Россия и Казахстан подписали декларацию о стратегическом партнерстве и союзничестве."
    corpus.write_text(
        "".join(json.dumps({"id": "same", "text": text}, ensure_ascii=False) + "\n" for _ in range(5)), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    assert run_batch(runner, [str(corpus), "-o", str(out), "--jobs", "1", "-q"]).exit_code == 0
    part = tmp_path / "out.jsonl.part"
    part.write_text(
        out.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8"
    )  # as if killed after one
    out.unlink()
    assert run_batch(runner, [str(corpus), "-o", str(out), "--jobs", "1", "-q", "--resume"]).exit_code == 0
    assert len(read_jsonl(out)) == 5


def test_resume_refuses_other_format_or_other_inputs(runner, tmp_path):
    out = tmp_path / "out.jsonl"
    assert run_batch(runner, [str(SEED), "-o", str(out), "--jobs", "1", "-q", "--mode", "lexicon"]).exit_code == 0
    wrong_format = run_batch(runner, [str(SEED), "-o", str(out), "--format", "csv", "--resume", "-q"])
    assert wrong_format.exit_code == 2 and "different settings: format jsonl → csv" in wrong_format.output
    other = tmp_path / "other.txt"
    other.write_text("Москва и Астана развивают союзнические отношения.", encoding="utf-8")
    wrong_inputs = run_batch(runner, [str(other), str(SEED), "-o", str(out), "--resume", "-q", "--mode", "lexicon"])
    assert wrong_inputs.exit_code == 1 and "cannot resume" in wrong_inputs.output


def test_special_output_file_is_written_in_place(tmp_path):
    from framing.records import prepare_output

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    final, part, state = prepare_output(str(fifo), "jsonl", False, ["partnership"])
    assert final == part == fifo and state.done == 0
    assert fifo.exists() and not fifo.is_file()


def test_output_into_missing_folder_is_one_line(runner, tmp_path):
    result = run_batch(runner, [str(SEED), "-o", str(tmp_path / "nope" / "x.jsonl"), "-q"])
    assert result.exit_code == 1 and "does not exist" in result.output and ".part" not in result.output


def test_cp1251_csv_corpus_and_missing_text_column(runner, tmp_path):
    corpus = tmp_path / "legacy.csv"
    text = "Москва и Астана вывели отношения на уровень стратегического партнерства и союзничества."
    corpus.write_bytes(f'id,date,body\n1,05.03.2024,"{text}"\n'.encode("cp1251"))
    out = tmp_path / "out.jsonl"
    ok = run_batch(
        runner, [str(corpus), "--text-field", "body", "-o", str(out), "--jobs", "1", "-q", "--mode", "lexicon"]
    )
    assert ok.exit_code == 0, ok.output
    record = read_jsonl(out)[0]
    assert record["id"] == "1" and record["date"] == "2024-03-05" and record["dominant"] == "partnership"
    out.unlink()
    missing = run_batch(runner, [str(corpus), "-o", str(out), "--jobs", "1", "-q"])
    assert missing.exit_code == 2  # refused before the run, listing the columns there are
    assert "no column 'text'" in missing.output and "(columns: id, date, body)" in missing.output
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


def test_group_by_rejects_unknown_date_grouping(runner):
    result = run_batch(runner, [str(SEED), "--group-by", "date:week"])
    assert result.exit_code == 2 and "date:month" in result.output
