"""Read documents: bytes → text with encoding detection, HTML extraction, and one-line errors.

Every failure raises FramingError naming the file, so `analyze` prints one line and `batch` records it
and moves on.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import archives
from .errors import FramingError

DEFAULT_MAX_MB = 64.0
MAX_MB_CEILING = 10_000.0  # --max-mb / FRAMING_MAX_MB above this (or inf, nan) are refused or ignored
CHUNK_BYTES = 1 << 20


def megabytes(value: float) -> int:
    """Bytes in `value` MB, at least 1 (a tiny limit still refuses, never falls back to the default)."""
    return max(1, int(value * 2**20))


def _max_bytes_from_env() -> int:
    """The size limit: FRAMING_MAX_MB if set to a number in (0, MAX_MB_CEILING], else DEFAULT_MAX_MB."""
    try:
        value = float(os.environ.get("FRAMING_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        value = DEFAULT_MAX_MB
    return megabytes(value if 0 < value <= MAX_MB_CEILING else DEFAULT_MAX_MB)  # nan fails both comparisons


MAX_BYTES = _max_bytes_from_env()  # read once at import; --max-mb passes its own limit down


def size_limit(max_bytes: int) -> str:
    return f"{max_bytes / 2**20:.3g} MB limit; raise it with --max-mb or FRAMING_MAX_MB"


# Legacy encodings a Russian archive may hold; guess_cyrillic picks among these when not UTF-8/16.
CYRILLIC_ENCODINGS = ["cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"]
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")


@dataclass
class Document:
    text: str
    source: str


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces ("utf-8-sig", "utf-16"), None without one."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.02


def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding). Raises FramingError with the reason."""
    if not data.strip():
        raise FramingError(source, "empty file")
    bom = ""
    if bom_encoding(data) == "utf-8-sig":
        data, bom = data[3:], "utf-8-sig"
    if bom_encoding(data) == "utf-16":
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FramingError(source, f"invalid UTF-16 at byte {exc.start}") from None
    if _looks_binary(data):
        raise FramingError(source, "binary file, not text")
    try:
        return data.decode("utf-8"), bom or "utf-8"
    except UnicodeDecodeError as exc:
        high = sum(1 for b in data if b >= 0x80)
        if bom or (high and 2 * len(UTF8_CYRILLIC.findall(data)) > 0.6 * high):
            raise FramingError(
                source, f"undecodable bytes: invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})"
            ) from None
    guess = guess_cyrillic(data)
    if guess is None:
        raise FramingError(source, "undecodable bytes: not UTF-8 and no Cyrillic encoding fits")
    return guess


# The commonest letter pairs of Russian text: a right decoding is full of them, a wrong code page (letters
# shifted, capitals turned into symbols) has few. Frequencies from Russian news; any such list of a few dozen works.
RUSSIAN_BIGRAMS = re.compile(
    "ст|но|то|на|ен|ов|ни|ра|во|ко|ро|пр|ре|по|ос|ли|ал|го|ан|ер|ны|не|ес|та|од|ор|ть|ва|ет|ол|ел|от|ка|ит|ск"
)
CYRILLIC_LETTER = re.compile("[а-яё]")


def guess_cyrillic(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes in a single-byte Cyrillic code page, or None when none decodes them.

    Each code page that decodes the bytes is scored by the common Russian letter pairs and letters of its
    text (lower-cased); the best wins, earlier pages (cp1251, koi8-r: by far the commonest) on a tie.
    charset-normalizer ranked by its "chaos" measure and took 6 of the corpus's 7,580 articles in cp1251 for
    ISO-8859-5 or Mac Cyrillic (or refused one): mojibake analysed without a word of warning.
    """
    best: tuple[int, str, str] | None = None
    for encoding in CYRILLIC_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        lower = text.lower()
        score = 4 * len(RUSSIAN_BIGRAMS.findall(lower)) + len(CYRILLIC_LETTER.findall(lower))
        if best is None or score > best[0]:
            best = (score, text, encoding)
    return None if best is None else (best[1], best[2])


def html_to_text(html: str, source: str) -> str:
    """Main text of a web page via trafilatura (imported lazily: it is slow to import)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        text = trafilatura.html2txt(html)  # a fragment or a page too small for extraction: all visible text
    if not text or not text.strip():
        raise FramingError(source, "no text found in HTML")
    return text


def check_file(path: Path, source: str | None = None) -> None:
    """A regular file, or a one-line FramingError saying what it is instead."""
    source = source or str(path)
    if not path.exists():
        if path.is_symlink():  # exists() follows links: say which kind of link, not "no such file"
            try:
                path.stat()
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise FramingError(source, "symbolic link loop") from None
            raise FramingError(source, f"no such file (a broken symbolic link to {os.readlink(path)})")
        raise FramingError(source, "no such file")
    if path.is_dir():
        raise FramingError(source, "is a directory (use `framing batch` for folders)")
    if not path.is_file():  # a FIFO or device would block or never end
        raise FramingError(source, "not a regular file (pipe or device; use - for standard input)")


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    source = str(path)
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    check_file(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FramingError(source, f"file too large ({size / 2**20:.3g} MB > {size_limit(max_bytes)})")
        with open(path, "rb") as handle:
            return read_bounded(handle, max_bytes, source)  # the file may have grown since stat
    except PermissionError:
        raise FramingError(source, "permission denied") from None
    except OSError as exc:
        raise FramingError(source, f"cannot read ({exc.strerror or exc})") from None


def read_bounded(handle, max_bytes: int, source: str, decompressed: bool = False) -> bytes:
    """Read at most `max_bytes` in chunks (never reserving the whole limit up front); more is an error."""
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = handle.read(min(CHUNK_BYTES, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    what = "too large when decompressed" if decompressed else "input too large"
    raise FramingError(source, f"{what} (> {size_limit(max_bytes)})")


def document_from_bytes(data: bytes, source: str, html: bool = False) -> Document:
    not_text = archives.sniffed_format(data[:16])  # a PDF's ASCII internals are not Latin text
    if not_text:
        raise FramingError(source, not_text)
    text, _ = decode_bytes(data, source)
    if html or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        text = html_to_text(text, source)
    if not text.strip():
        raise FramingError(source, "empty file")
    return Document(text=text, source=source)


def read_input(path: str, member: str | None = None, max_bytes: int | None = None,
               source: str | None = None) -> Document:
    """Read one document: a text or HTML file, compressed (.gz/.bz2/.xz) or not, or a zip archive's member.

    The size limit applies to the decompressed text, so a compression bomb is refused after `max_bytes`.
    """
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    source = source or (archives.member_source(path, member) if member is not None else str(path))
    if archives.is_url(str(path)):
        raise FramingError(source, archives.URL_REASON)
    name = member if member is not None else str(path)
    html = archives.inner_suffix(name) in HTML_SUFFIXES
    check_file(Path(path), source if member is None else str(path))
    unread = archives.unread_format(name)
    if unread:
        raise FramingError(source, unread)
    if member is None and archives.inner_suffix(name) == archives.ZIP_SUFFIX:
        raise FramingError(source, "a zip archive holds many documents: use `framing batch` (or name one "
                           f"member: {source}{archives.MEMBER_SEPARATOR}inner/path.txt)")
    if member is None and not archives.compression(name):
        return document_from_bytes(read_bytes(Path(path), max_bytes), source, html=html)
    try:
        with (archives.open_member(path, member, max_bytes, source) if member is not None
              else archives.open_stream(path)) as stream:
            data = read_bounded(stream, max_bytes, source, decompressed=True)
    except FramingError:
        raise
    except PermissionError:
        raise FramingError(source, "permission denied") from None
    except archives.STREAM_ERRORS as exc:
        raise FramingError(source, archives.stream_reason(exc)) from None
    return document_from_bytes(data, source, html=html)


def read_document(path: str | Path, max_bytes: int | None = None) -> Document:
    """Read one document ('-' reads standard input; `a.zip!/b.txt` a zip archive's member)."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if str(path) == "-":
        return document_from_bytes(read_bounded(sys.stdin.buffer, max_bytes, "<stdin>"), "<stdin>")
    member = archives.split_member(str(path))
    if member:
        return read_input(member[0], member[1], max_bytes, source=str(path))
    return read_input(str(path), max_bytes=max_bytes)
