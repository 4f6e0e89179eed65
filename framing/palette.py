"""Frame colours shared by the HTML report and the charts, so a frame has one colour everywhere."""

from __future__ import annotations

from collections.abc import Iterable

# Okabe–Ito: stays distinguishable under the common colour-vision deficiencies. Grey closes the cycle.
FRAME_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#7F7F7F")


def frame_colours(frame_ids: Iterable[str]) -> dict[str, str]:
    """Colour per frame by position (lexicon order), so the same lexicon set always gets the same colours."""
    return {frame_id: FRAME_COLOURS[i % len(FRAME_COLOURS)] for i, frame_id in enumerate(frame_ids)}
