"""framing: how Russian news text frames its story (partnership, sovereignty, Global South, language policy).

    >>> import framing
    >>> result = framing.analyze("Москва и Астана вышли на уровень стратегического партнёрства.")
    >>> result.dominant
    'partnership'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import FramingError

if TYPE_CHECKING:
    from .analyzer import Analyzer
    from .batch import run_batch
    from .results import Analysis

__version__ = "0.4.0"
__all__ = ["analyze", "Analysis", "Analyzer", "FramingError", "run_batch", "__version__"]

_default: dict[str, Analyzer] = {}


def analyze(text: str, source: str | None = None, mode: str = "combined") -> Analysis:
    """Analyse one document with the built-in lexicons and model (loaded once, then reused)."""
    from .analyzer import Analyzer

    if mode not in _default:
        _default[mode] = Analyzer(mode=mode)
    return _default[mode].analyze(text, source=source)


_LAZY = {
    "Analyzer": "analyzer",
    "Analysis": "results",
    "run_batch": "batch",
}  # imported on first use: start-up stays fast


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
