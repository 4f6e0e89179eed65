"""Labelled sentence corpora (JSONL `{"text", "labels"}`) for training and testing the classifier."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import FramingError


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    article: str | None = None  # the real article a sentence was taken from (grouped cross-validation)
    position: int | None = None  # its sentence number in that article (neighbours give the classifier context)


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for each non-empty line; malformed lines raise FramingError with file:line."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FramingError(str(path), "no such file") from None
    except UnicodeDecodeError as exc:
        raise FramingError(str(path), f"not UTF-8 (byte {exc.start})") from None
    return list(jsonl_objects(raw.splitlines(), str(path)))


def open_table(path: Path):
    """A JSONL/CSV file opened for reading as UTF-8 (a BOM dropped, CSV newlines kept), or a one-line FramingError."""
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise FramingError(str(path), "no such file") from None
    except IsADirectoryError:
        raise FramingError(str(path), "is a directory") from None


def jsonl_objects(lines: Iterable[str], source: str, what: str = "a JSON object") -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line; a line that is not JSON, or not an object, is a
    FramingError naming `source` and the line (`what` says what each line should be)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FramingError(source, f"invalid JSON: {exc.msg}", number) from None
        if not isinstance(value, dict):
            raise FramingError(source, f"each line must be {what}", number)
        yield number, value


def load_examples(path: Path, frames: list[str]) -> list[Example]:
    examples = []
    for number, row in read_jsonl(path):
        text, labels = row.get("text"), row.get("labels")
        if not isinstance(text, str) or not text.strip():
            raise FramingError(str(path), "'text' must be a non-empty string", number)
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise FramingError(str(path), "'labels' must be a list of frame ids", number)
        unknown = set(labels) - set(frames)
        if unknown:
            raise FramingError(str(path), f"unknown label(s) {', '.join(sorted(unknown))}", number)
        article, position = row.get("article"), row.get("n")
        examples.append(Example(text.strip(), frozenset(labels), article if isinstance(article, str) else None,
                                position if isinstance(position, int) and not isinstance(position, bool) else None))
    return examples


def files_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
