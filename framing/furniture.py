"""Page furniture: the parts of a news page that are not its article, blanked before analysis.

RT pages embed other stories as «Также по теме» blocks: the marker line, the other story's headline and its lead
(mostly cut off with «…»). In the real-news corpus 60 % of RT articles carry at least one (6,712 blocks), and they
bring other stories' frames into an article's evidence (a teaser on Latvia's education law inside a story on school
admissions in Moscow). The codebook does not code page furniture, and coders skip these blocks. Blanking keeps every
offset (each character becomes a space, line breaks stay), so spans still point into the original text.
"""

from __future__ import annotations

import re

# The marker alone on its line, then the teaser's headline line and lead line.
TEASER = re.compile(r"^[^\S\n]*Также по теме[^\S\n]*$(?:\n[^\n]*){0,2}", re.MULTILINE)
NOT_LINE_BREAK = re.compile(r"[^\n]")


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """(start, stop) of each related-story teaser block in `text`."""
    return [match.span() for match in TEASER.finditer(text)] if "Также по теме" in text else []


def blank_furniture(text: str) -> str:
    """`text` with its page furniture replaced by spaces (line breaks kept): same length, same offsets."""
    if "Также по теме" not in text:  # most texts: no regex pass
        return text
    return TEASER.sub(lambda match: NOT_LINE_BREAK.sub(" ", match.group()), text)
