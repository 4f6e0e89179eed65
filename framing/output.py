"""Output paths: refuse what cannot be written, with one line naming the path the user gave."""

from __future__ import annotations

from pathlib import Path

from .errors import FramingError


def checked_output_path(output: str) -> Path:
    path = Path(output)
    if path.is_dir():
        raise FramingError(output, "cannot write output: is a directory")
    if not path.parent.exists():
        raise FramingError(output, f"cannot write output: folder {path.parent} does not exist")
    return path
