"""Compressed files and zip archives, read as streams; formats framing does not read, named.

`.gz`, `.bz2` and `.xz` (stdlib) wrap any input (`a.txt.gz`, `corpus.jsonl.xz`) and are decompressed
while reading, never whole. A `.zip` holds documents and corpora read without extracting; a member is
named `archive.zip!/inner/path.txt`. Zstandard (`.zst`) is not read: the `zstandard` package is not a
dependency, so such a file gets a one-line error saying how to decompress it.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import re
import zipfile
import zlib
from pathlib import PurePosixPath

from .errors import FramingError

COMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
ZIP_SUFFIX = ".zip"
MEMBER_SEPARATOR = "!/"  # archive.zip!/inner/path.txt
# What goes wrong inside a compressed stream: truncated (EOFError), corrupt (OSError incl. BadGzipFile,
# LZMAError, zlib.error), or a zip member that is encrypted (RuntimeError), uses an unsupported method
# (NotImplementedError) or fails its CRC (BadZipFile).
STREAM_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError)

URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
URL_REASON = "URLs are not fetched; save the page and pass the file"

_TO_TEXT = "save it as plain text (.txt) or convert it (e.g. `pandoc FILE -t plain -o FILE.txt`) and pass that"
_PDF = "a PDF document, not text: extract its text (e.g. `pdftotext FILE.pdf FILE.txt`) and pass the .txt"
_OTHER_ARCHIVE = "an archive framing does not read (it reads .zip, .gz, .bz2, .xz): extract it or repack it as .zip"
UNREAD_FORMATS = {
    ".pdf": _PDF,
    ".docx": f"a Word document (.docx), not text: {_TO_TEXT}",
    ".doc": f"a Word document (.doc), not text: {_TO_TEXT}",
    ".odt": f"an OpenDocument text (.odt), not text: {_TO_TEXT}",
    ".rtf": f"an RTF document, not plain text: {_TO_TEXT}",
    ".epub": f"an EPUB book, not text: {_TO_TEXT}",
    ".xlsx": "a spreadsheet (.xlsx): save it as CSV (one article per row) and pass the .csv",
    ".xls": "a spreadsheet (.xls): save it as CSV (one article per row) and pass the .csv",
    ".zst": "zstandard (.zst) is not read (the zstandard package is not installed): decompress it "
    "(`zstd -d FILE.zst`), or for a JSONL corpus pipe it: `zstd -dc FILE.zst | framing batch - ...`",
    ".tar": _OTHER_ARCHIVE,
    ".tgz": _OTHER_ARCHIVE,
    ".7z": _OTHER_ARCHIVE,
    ".rar": _OTHER_ARCHIVE,
}
# The same formats known by their first bytes, whatever the file is called.
MAGIC = (
    (b"%PDF-", _PDF),
    (b"{\\rtf", UNREAD_FORMATS[".rtf"]),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an MS Office document (.doc/.xls), not text: " + _TO_TEXT),
    (b"PK\x03\x04", "a zip container (.docx, .odt, .xlsx or a zip archive), not text: name a zip archive .zip "
     "and use `framing batch`; " + _TO_TEXT),
    (b"\x1f\x8b", "gzip-compressed data: name the file .gz (e.g. a.txt.gz) or decompress it"),
    (b"\xfd7zXZ\x00", "xz-compressed data: name the file .xz (e.g. a.txt.xz) or decompress it"),
    (b"\x28\xb5\x2f\xfd", UNREAD_FORMATS[".zst"]),
)
BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")


def is_url(name: str) -> bool:
    return bool(URL.match(name))


def compression(name: str) -> str | None:
    """The compression suffix of a file name (".gz", ".bz2", ".xz"), None for a plain file."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in COMPRESSORS else None


def inner_suffix(name: str) -> str:
    """The suffix that says what a file holds: `.jsonl` for `corpus.jsonl.gz`, `.txt` for `a.txt`."""
    stem, suffix = os.path.splitext(name)
    if suffix.lower() in COMPRESSORS:
        suffix = os.path.splitext(stem)[1]
    return suffix.lower()


def unread_format(name: str) -> str | None:
    """Why a file framing does not read is refused, by its name (`.pdf`, `.docx`, `.tar.gz`, ...)."""
    if name.lower().endswith((".tar.gz", ".tar.bz2", ".tar.xz")):
        return _OTHER_ARCHIVE
    return UNREAD_FORMATS.get(inner_suffix(name)) or UNREAD_FORMATS.get(os.path.splitext(name)[1].lower())


def sniffed_format(head: bytes) -> str | None:
    """Why bytes that are not text are refused, by their first bytes (a PDF named .txt, a .docx, ...)."""
    for magic, reason in MAGIC:
        if head.startswith(magic):
            return reason
    if BZIP2.match(head):
        return "bzip2-compressed data: name the file .bz2 (e.g. a.txt.bz2) or decompress it"
    return None


def split_member(name: str) -> tuple[str, str] | None:
    """("a.zip", "inner/b.txt") for "a.zip!/inner/b.txt" when a.zip is a file; None otherwise."""
    start = 0
    while (found := name.find(MEMBER_SEPARATOR, start)) != -1:
        archive = name[:found]
        if archive.lower().endswith(ZIP_SUFFIX) and os.path.isfile(archive):
            return archive, name[found + len(MEMBER_SEPARATOR):]
        start = found + 1
    return None


def member_source(archive: str, member: str) -> str:
    return f"{archive}{MEMBER_SEPARATOR}{member}"


def usable_member(info: zipfile.ZipInfo, suffixes: set[str]) -> bool:
    """A zip member to read: a file with one of `suffixes`, not hidden, not macOS metadata (__MACOSX/, ._x)."""
    if info.is_dir():
        return False
    parts = PurePosixPath(info.filename).parts
    if any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return False
    return PurePosixPath(info.filename).suffix.lower() in suffixes


def zip_members(archive: str, suffixes: set[str]) -> list[str]:
    """Names of the usable members, sorted (stable source names: a resumed run lists them the same way)."""
    with zipfile.ZipFile(archive) as handle:
        return sorted(info.filename for info in handle.infolist() if usable_member(info, suffixes))


def stream_reason(exc: Exception, after_line: int = 0) -> str:
    """One line for what went wrong reading a compressed file or zip archive (a corpus: after which line)."""
    where = f" after line {after_line}" if after_line else ""
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a readable zip archive{where} ({exc})"
    if isinstance(exc, EOFError):
        return f"truncated compressed data{where} (the file ends early)"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "encrypted zip member (password-protected archives are not read)"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read{where} ({exc.strerror})"
    return f"corrupt compressed data{where} ({exc})"


@functools.lru_cache(maxsize=2)
def _open_zip(archive: str, pid: int, stamp: tuple[int, int]) -> zipfile.ZipFile:
    """An archive opened once per process (a zip of 100,000 members is not re-listed per member)."""
    return zipfile.ZipFile(archive)


def open_member(archive: str, member: str, max_bytes: int | None = None, source: str | None = None):
    """A member's bytes as a stream; refused up front when its recorded size exceeds `max_bytes`."""
    stat = os.stat(archive)
    handle = _open_zip(archive, os.getpid(), (stat.st_mtime_ns, stat.st_size))
    try:
        info = handle.getinfo(member)
    except KeyError:
        raise FramingError(source or member_source(archive, member), "no such member in the zip archive") from None
    if max_bytes is not None and info.file_size > max_bytes:
        from .reader import size_limit

        raise FramingError(source or member_source(archive, member),
                           f"file too large ({info.file_size / 2**20:.3g} MB > {size_limit(max_bytes)})")
    return handle.open(info)


def open_stream(path: str, member: str | None = None):
    """A binary stream of a file's content: a zip member, decompressed, or as it is."""
    if member is not None:
        return open_member(path, member)
    opener = COMPRESSORS.get(compression(path) or "")
    return opener(path, "rb") if opener else open(path, "rb")


class Prepended(io.RawIOBase):
    """`head` (bytes already read, e.g. to sniff the encoding), then the rest of `stream`."""

    def __init__(self, head: bytes, stream) -> None:
        super().__init__()
        self.head, self.stream = memoryview(head), stream
        self.read_more = getattr(stream, "read1", stream.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size] = self.head[:size]
            self.head = self.head[size:]
            return size
        data = self.read_more(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self.stream.close()
            finally:
                super().close()


def read_head(stream, size: int) -> bytes:
    """Up to `size` bytes (fewer only at the end of the stream)."""
    chunks, total = [], 0
    while total < size:
        chunk = stream.read(size - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
