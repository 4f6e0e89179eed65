"""Number formats the terminal, HTML and chart reports share."""

from __future__ import annotations


def thousands(n: int) -> str:
    """An integer with a thin gap between thousands, as Russian and English readers both read it: 12 345."""
    return f"{n:,}".replace(",", " ")


def wilson_range(count: int, total: int) -> str:
    """The 95 % Wilson interval of count / total as `lo–hi%` (no spaces, so a table cell never wraps inside)."""
    from .metrics import wilson

    if not total:
        return "—"
    low, high = wilson(count, total)
    return f"{low * 100:.0f}–{high * 100:.0f}%"
