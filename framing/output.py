"""Output files: refuse what cannot be written, and write so that a reader never sees half a file.

`AtomicFile` is the one scheme: content goes to `NAME.part` beside the target and is renamed to NAME when
complete, so NAME is always either the old file or the whole new one. A special file (/dev/null, a FIFO)
is written in place. `framing analyze` writes its report in one go (`write_text`); `framing batch` keeps
the `.part` open while records stream in, and an interrupted run leaves it for `--resume`.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import FramingError

PART_SUFFIX = ".part"


def checked_output_path(output: str) -> Path:
    path = Path(output)
    if path.is_dir():
        raise FramingError(output, "cannot write output: is a directory")
    if not path.parent.exists():
        raise FramingError(output, f"cannot write output: folder {path.parent} does not exist")
    return path


class AtomicFile:
    """`final` is written through `part` (a sibling `NAME.part`, or `final` itself for a special file)."""

    def __init__(self, output: str) -> None:
        self.final = checked_output_path(output)
        self.in_place = self.final.exists() and not self.final.is_file()  # /dev/null, a FIFO: no rename
        self.part = self.final if self.in_place else self.final.with_name(self.final.name + PART_SUFFIX)

    def commit(self) -> None:
        """The finished `part` becomes `final` (one rename)."""
        if not self.in_place:
            os.replace(self.part, self.final)

    def discard(self) -> None:
        if not self.in_place:
            self.part.unlink(missing_ok=True)


def write_text(output: str, text: str) -> Path:
    """Write `text` (UTF-8) to `output` atomically; returns the path written."""
    target = AtomicFile(output)
    target.part.write_text(text, encoding="utf-8")
    target.commit()
    return target.final


def existing_results(output: str | None) -> Path | None:
    """A non-empty results file, or an interrupted run's .part, already at `output` (which a new run would replace)."""
    if not output:
        return None
    for path in (Path(output), Path(output + PART_SUFFIX)):
        if path.is_file() and path.stat().st_size:
            return path
    return None
