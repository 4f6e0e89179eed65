"""Every bad input we know of, in one table: each gives one line naming the file, exit 1, no traceback.

A row builds its inputs in a temporary folder and returns the command line; `expect` is the error text.
Batch faults (one bad document among good ones) are in the second table: there the run goes on and the
bad document becomes an error record.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from framing.cli import main

from .conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
GOOD_TERM = '[[terms]]\nlemma = "союз"\nweight = 0.5\n'


def _file(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _lexicons(tmp: Path, body: str | bytes, name: str = "demo.toml") -> list[str]:
    folder = tmp / "set"
    _file(folder, name, body)
    return ["analyze", str(SEED), "--lexicons", str(folder)]


def _model(tmp: Path, data: bytes) -> list[str]:
    _file(tmp / "model", "model.npz", data)
    return ["analyze", str(SEED), "--model", str(tmp / "model")]


def _fifo(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def _pickle_model(tmp: Path) -> list[str]:
    class Payload:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp / "pwned"),))

    return _model(tmp, pickle.dumps(Payload()))


def _truncated_model(tmp: Path) -> list[str]:
    data = (ROOT / "framing" / "model" / "model.npz").read_bytes()
    return _model(tmp, data[: len(data) // 2])


BAD_INPUTS = [
    # (id, build(tmp) -> argv, expected error text)
    ("missing file", lambda t: ["analyze", str(t / "nope.txt")], "no such file"),
    ("directory", lambda t: ["analyze", str(t)], "is a directory"),
    ("empty file", lambda t: ["analyze", str(_file(t, "e.txt", b""))], "empty file"),
    ("only whitespace", lambda t: ["analyze", str(_file(t, "w.txt", b" \n\t\r\n "))], "empty file"),
    ("binary (NUL bytes)", lambda t: ["analyze", str(_file(t, "b.txt", b"\x00\x01\x02" * 400))], "binary file"),
    (
        "binary (PNG header)",
        lambda t: ["analyze", str(_file(t, "p.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))],
        "binary file",
    ),
    (
        "invalid UTF-8 in Cyrillic text",
        lambda t: ["analyze", str(_file(t, "u.txt", "Россия и Казахстан".encode() + b"\xff\xd0" + "союз".encode()))],
        "undecodable",
    ),
    (
        "broken UTF-8 after BOM",
        lambda t: ["analyze", str(_file(t, "bom.txt", b"\xef\xbb\xbf" + "Союз".encode() + b"\xc3\x28"))],
        "undecodable",
    ),
    (
        "odd-length UTF-16",
        lambda t: [
            "analyze",
            str(_file(t, "u16.txt", b"\xff\xfe" + "Союз государств".encode("utf-16-le") + b"\x00\xd8")),
        ],
        "invalid UTF-16",
    ),
    (
        "over the size limit",
        lambda t: ["analyze", "--max-mb", "0.001", str(_file(t, "big.txt", "Россия и Казахстан. " * 200))],
        "file too large",
    ),
    ("a tiny --max-mb still refuses", lambda t: ["analyze", "--max-mb", "1e-9", str(SEED)], "file too large"),
    ("FIFO as input file", lambda t: ["analyze", str(_fifo(t, "pipe.txt"))], "not a regular file"),
    (
        "HTML without text",
        lambda t: ["analyze", str(_file(t, "x.html", "<html><body><script>var a=1;</script></body></html>"))],
        "no text found in HTML",
    ),
    ("URL", lambda t: ["analyze", "https://ria.ru/20240305/x.html"], "URLs are not fetched; save the page"),
    ("PDF named .txt", lambda t: ["analyze", str(_file(t, "p.txt", b"%PDF-1.7\n" + b"<< /Type /Page >>\n" * 50))],
     "a PDF document"),
    ("Word document", lambda t: ["analyze", str(_file(t, "w.docx", b"PK\x03\x04" + b"\x00" * 64))], "Word document"),
    (
        "gzip bomb over the limit",
        lambda t: ["analyze", "--max-mb", "0.01", str(_file(t, "b.txt.gz", gzip.compress(b"a" * 2**20)))],
        "too large when decompressed",
    ),
    (
        "truncated .gz",
        lambda t: ["analyze", str(_file(t, "t.txt.gz", gzip.compress(SEED.read_bytes())[:500]))],
        "truncated compressed data",
    ),
    ("lexicon: TOML syntax", lambda t: _lexicons(t, 'frame = "demo"\n[[terms]]\nlemma = "союз\n'), "invalid TOML"),
    (
        "lexicon: not UTF-8",
        lambda t: _lexicons(t, b'frame = "demo"\n' + "lemma = 'союз'".encode("cp1251")),
        "not UTF-8",
    ),
    (
        "lexicon: weight is text",
        lambda t: _lexicons(t, 'frame = "demo"\n[[terms]]\nlemma = "союз"\nweight = "high"\n'),
        "'weight' must be a number",
    ),
    (
        "lexicon: weight out of range",
        lambda t: _lexicons(t, 'frame = "demo"\n[[terms]]\nlemma = "союз"\nweight = 7\n'),
        "out of range",
    ),
    (
        "lexicon: lemma not a string",
        lambda t: _lexicons(t, 'frame = "demo"\n[[terms]]\nlemma = 42\nweight = 0.5\n'),
        "'lemma' must be a non-empty string",
    ),
    (
        "lexicon: path trick in frame id",
        lambda t: _lexicons(t, 'frame = "../../etc/passwd"\n' + GOOD_TERM),
        "'frame' must be an id",
    ),
    (
        "lexicon: unknown context list",
        lambda t: _lexicons(t, 'frame = "demo"\n[[terms]]\nlemma = "союз"\nweight = 0.5\nexclude = ["@nowhere"]\n'),
        "unknown context list",
    ),
    (
        "lexicon: extends unknown set",
        lambda t: _lexicons(t, 'extends = "../../no/such/set"\n', "codebook.toml"),
        "no such lexicon folder",
    ),
    (
        "lexicon: huge file",
        lambda t: _lexicons(t, 'frame = "demo"\n' + "# padding\n" * 600_000),
        "file too large for a lexicon",
    ),
    (
        "lexicon: FIFO named .toml",
        lambda t: ["analyze", str(SEED), "--lexicons", str(_fifo(t / "set", "demo.toml").parent)],
        "not a regular file",
    ),
    (
        "lexicon: folder missing",
        lambda t: ["analyze", str(SEED), "--lexicons", str(t / "none")],
        "no such lexicon folder",
    ),
    (
        "lexicon: a file, not a folder",
        lambda t: ["analyze", str(SEED), "--lexicons", str(_file(t, "l.toml", GOOD_TERM))],
        "a lexicon set is a folder",
    ),
    ("model: missing", lambda t: ["analyze", str(SEED), "--model", str(t / "nomodel.npz")], "no such model file"),
    ("model: not a zip", lambda t: _model(t, b"definitely not numpy"), "unreadable or corrupted model file"),
    ("model: truncated", _truncated_model, "unreadable or corrupted model file"),
    ("model: pickle named like a model", _pickle_model, "unreadable or corrupted model file"),
    (
        "model: FIFO",
        lambda t: ["analyze", str(SEED), "--model", str(_fifo(t / "m", "model.npz"))],
        "not a regular file",
    ),
    (
        "gold: bad JSON line",
        lambda t: ["evaluate", str(_file(t, "gold.jsonl", '{"text": "Союз", "codes": {}}\n{oops\n'))],
        "gold.jsonl:2",
    ),
    ("train: folder without data", lambda t: ["train", str(t), "--real", str(t), "--out", str(t / "m")], "train.jsonl"),
    (
        "batch: --errors on a full disk",
        lambda t: ["batch", str(_file(t, "e.txt", b"")), "-o", str(t / "o.jsonl"), "--errors", "/dev/full", "-q"],
        "cannot write error records",
    ),
    (
        "batch: output folder missing",
        lambda t: ["batch", str(SEED), "-o", str(t / "no" / "out.jsonl"), "-q"],
        "does not exist",
    ),
]


@pytest.mark.parametrize(("build", "expect"), [pytest.param(b, e, id=name) for name, b, e in BAD_INPUTS])
def test_bad_input_gives_one_line_error(runner, tmp_path, build, expect):
    argv = build(tmp_path)
    result = runner.invoke(main, argv)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("framing: "), lines[0]
    assert expect in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "pwned").exists()  # nothing from a data file was executed


def test_the_table_is_long_enough():
    assert len(BAD_INPUTS) >= 25


BAD_DOCUMENTS = [
    # (file name, bytes, expected error text in its record)
    ("empty.txt", b"", "empty file"),
    ("binary.txt", bytes(range(256)) * 16, "binary file"),
    ("gone.txt", None, "no such file"),  # a dangling link: listed, then unreadable
    ("fifo.txt", "fifo", "not a regular file"),
    ("nul.html", b"<html>\x00\x00\x00</html>" * 50, "binary file"),
    (
        "rows.jsonl",
        '{"id": "1", "text": "Москва и Астана развивают союзничество."}\n'
        '{broken json\n{"id": "3", "body": "нет поля"}\n',
        "line 2",
    ),
]


def test_batch_keeps_going_past_every_bad_document(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    for name, data, _ in BAD_DOCUMENTS:
        if data is None:
            os.symlink(folder / "missing-target", folder / name)
        elif data == "fifo":
            os.mkfifo(folder / name)
        else:
            _file(folder, name, data)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", "1", "--mode", "lexicon"])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = {(Path(r["source"]).name, r.get("id")): r["error"] for r in records if "error" in r}
    for name, _, expect in BAD_DOCUMENTS:
        matching = [message for (source, _), message in errors.items() if source == name]
        assert any(expect in m for m in matching), (name, matching)
    assert {Path(r["source"]).name for r in records if "error" not in r} == {"good.txt", "rows.jsonl"}
    assert "Traceback" not in result.output
