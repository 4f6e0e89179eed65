"""Number formats the terminal, HTML and chart reports share."""

from __future__ import annotations


def thousands(n: int) -> str:
    """An integer with a thin gap between thousands, as Russian and English readers both read it: 12 345."""
    return f"{n:,}".replace(",", " ")
