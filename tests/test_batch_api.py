"""`framing.run_batch` from Python, without click: a folder and a corpus, error records, an interruption
that keeps what was written, and a resume that finishes the file with the records an uninterrupted run gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import framing
from framing.batch import BatchInterrupted
from framing.records import RecordSink
from framing.sources import CorpusFields, Sources

from .conftest import SEED


@pytest.fixture()
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.txt").write_bytes(b"")  # an error record
    rows = [
        {"id": "r1", "date": "2024-05-20", "outlet": "A", "text": "Россия и Казахстан углубляют интеграцию в ЕАЭС."},
        {"id": "r2", "outlet": "B", "text": "В Бишкеке приняли закон о государственном языке."},
        {"id": "r3", "text": ""},
    ]  # no text: an error record with its id
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return folder


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_batch_folder_corpus_errors_and_resume(inputs, tmp_path, lexicon_analyzer):
    sources = Sources((str(inputs),), fields=CorpusFields(group="outlet"))
    whole = tmp_path / "whole.jsonl"
    summary = framing.run_batch(sources, lexicon_analyzer, RecordSink(str(whole)), group_by="outlet")
    expected = records(whole)
    assert [r.get("id", Path(r["source"]).name) for r in expected] == ["a.txt", "b.txt", "r1", "r2", "r3"]
    assert summary.ok.documents == 3 and summary.failed == 2 and len(summary.errors) == 2
    assert set(summary.groups) == {"A", "B", "(missing)"}
    assert expected[2]["group"] == "A" and "error" in expected[1] and "error" in expected[4]

    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"

    def stop_after_two(record, summary):
        if summary.ok.documents + summary.failed == 2:
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as stopped:
        framing.run_batch(sources, lexicon_analyzer, RecordSink(str(out)), errors=str(errors), on_record=stop_after_two)
    part = tmp_path / "out.jsonl.part"
    assert stopped.value.kept == part and stopped.value.written == 2 and stopped.value.exit_status == 130
    assert not out.exists() and records(part) == expected[:2]

    resumed = framing.run_batch(sources, lexicon_analyzer, RecordSink(str(out)), resume=True, errors=str(errors))
    assert records(out) == expected and not part.exists()  # the same records as the run without a stop
    assert resumed.skipped == 2 and resumed.ok.documents == 2 and resumed.failed == 2
    assert [r.get("id", Path(r["source"]).name) for r in records(errors)] == ["b.txt", "r3"]


def test_run_batch_to_a_stream_with_text(inputs, lexicon_analyzer):
    import io

    stream = io.StringIO()
    sources = Sources((str(inputs / "a.txt"),))
    summary = framing.run_batch(sources, lexicon_analyzer, RecordSink(stream=stream), with_text=True)
    [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert summary.ok.documents == 1 and record["text"] == SEED.read_text(encoding="utf-8")
