"""One exception type for everything a user can get wrong, so the CLI prints one line, never a traceback."""

from __future__ import annotations


class FramingError(Exception):
    """A problem with user input (file, lexicon, model, gold set), located by source and optional line."""

    def __init__(self, source: str | None, reason: str, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        if self.source is None and self.line is None:  # about no file (a missing setting, a failed fit): the reason
            return self.reason
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


class EngineError(Exception):
    """The machinery running the workers failed mid-run (a worker died, the cluster went away).

    Unlike FramingError this is not about the input: the records written so far are good and the run can
    be finished with --resume, which the CLI says in its one-line message.
    """
