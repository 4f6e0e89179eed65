"""Read documents: bytes → text with encoding detection, HTML extraction, and one-line errors.

Every failure raises FramingError naming the file, so `analyze` prints one line and `batch` records it
and moves on.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import FramingError

MAX_BYTES = 20 * 1024 * 1024
# Legacy encodings a Russian archive may hold; charset-normalizer picks among these when not UTF-8/16.
CYRILLIC_ENCODINGS = ["cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"]
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")
NON_RUSSIAN_CYRILLIC = set("іїєґўәғқңөұүһ")


@dataclass
class Document:
    text: str
    source: str
    encoding: str = "utf-8"


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
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], "utf-8-sig"
    else:
        bom = ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
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
            raise FramingError(source, f"undecodable bytes: invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x})") from None
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=CYRILLIC_ENCODINGS).best()
    if best is None:
        raise FramingError(source, "undecodable bytes: not UTF-8 and no Cyrillic encoding fits")
    return str(best), best.encoding


def check_russian(text: str, source: str) -> None:
    """Refuse text that is clearly not Russian (few Cyrillic letters, or Ukrainian/Kazakh letters)."""
    letters = [ch for ch in text[:200_000] if ch.isalpha()]
    if len(letters) < 20:
        return
    cyrillic = [ch for ch in letters if "\u0400" <= ch <= "\u04ff"]
    if len(cyrillic) < 0.5 * len(letters):
        raise FramingError(source, f"not Russian text (only {100 * len(cyrillic) // len(letters)}% Cyrillic letters)")
    foreign = sum(1 for ch in cyrillic if ch.lower() in NON_RUSSIAN_CYRILLIC)
    if foreign > 0.03 * len(cyrillic):  # a Russian text quoting a few Kazakh or Ukrainian names stays well below
        raise FramingError(source, "not Russian text (letters of Ukrainian, Belarusian or Kazakh alphabets)")


def html_to_text(html: str, source: str) -> str:
    """Main text of a web page via trafilatura (imported lazily: it is slow to import)."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        text = trafilatura.html2txt(html)  # a fragment or a page too small for extraction: all visible text
    if not text or not text.strip():
        raise FramingError(source, "no text found in HTML")
    return text


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    source = str(path)
    if not path.exists():
        raise FramingError(source, "no such file")
    if path.is_dir():
        raise FramingError(source, "is a directory (use `framing batch` for folders)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FramingError(source, f"file too large ({size / 2**20:.1f} MB > {max_bytes / 2**20:.0f} MB limit)")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # bounded: devices and pipes report size 0
        if len(data) > max_bytes:
            raise FramingError(source, f"file too large (> {max_bytes / 2**20:.0f} MB limit)")
        return data
    except PermissionError:
        raise FramingError(source, "permission denied") from None
    except OSError as exc:
        raise FramingError(source, f"cannot read ({exc.strerror or exc})") from None


def document_from_bytes(data: bytes, source: str, html: bool = False) -> Document:
    text, encoding = decode_bytes(data, source)
    if html or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        text = html_to_text(text, source)
    if not text.strip():
        raise FramingError(source, "empty file")
    check_russian(text, source)
    return Document(text=text, source=source, encoding=encoding)


def read_document(path: str | Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read one text or HTML file ('-' reads standard input)."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FramingError("<stdin>", f"input too large (> {max_bytes / 2**20:.0f} MB limit)")
        return document_from_bytes(data, "<stdin>")
    path = Path(path)
    return document_from_bytes(read_bytes(path, max_bytes), str(path), html=path.suffix.lower() in HTML_SUFFIXES)
