"""Sentence spans: razdel's sentence segmenter, per line, with its rules fused into one function.

razdel (natasha's segmenter) knows Russian abbreviations (г., долл., т. е.), initials, «quotes», list items and
dashes. `razdel.sentenize` asks each of its eleven rules in turn about every delimiter, each rule reading a
`SentSplit` record whose attributes are regex searches behind a Python descriptor; on news text that was an eighth
of the warm analysis. `joins` asks the same questions of the same strings, with razdel's own word lists, regexes
and helpers, each regex at most once and only when a rule needs it. tests/test_sentences.py compares the result
with `razdel.sentenize` on real articles.
"""

from __future__ import annotations

import re

from razdel.segmenters.sentenize import (
    BULLET_BOUNDS,
    BULLET_SIZE,
    CLOSE_BRACKETS,
    CLOSE_QUOTES,
    DASHES,
    DELIMITERS,
    ENDINGS,
    FIRST_TOKEN,
    GENERIC_QUOTES,
    HEAD_PAIR_SOKRS,
    HEAD_SOKRS,
    INITIALS,
    LAST_TOKEN,
    PAIR_SOKR,
    PAIR_SOKRS,
    QUOTES,
    SMILE_PREFIX,
    SOKRS,
    SPACE_PREFIX,
    SPACE_SUFFIX,
    TOKEN,
    WORD,
    is_bullet,
    is_lower_alpha,
    is_sokr,
)
from razdel.segmenters.sentenize import sentenize as razdel_sentenize

LINE = re.compile(r"[^\n]+")
# razdel's delimiters (. ? ! … ; quotes, closing brackets, smileys), where whitespace follows: only there can razdel
# split (its first two rules join the others), and no delimiter character is whitespace, so the lookahead finds the
# very matches razdel's own finditer finds and asks about.
DELIMITER = re.compile(rf"(?:{razdel_sentenize.split.pattern})(?=\s)")
WINDOW = razdel_sentenize.split.window  # characters of context either side that razdel's rules see


def joins(left: str, delimiter: str, right: str, buffer: str) -> bool:
    """Whether razdel keeps one sentence across `delimiter` (some rule of razdel's RULES says JOIN).

    `left`/`right`: the WINDOW characters before and after the delimiter; `buffer`: the text since the last cut.
    Rules in razdel's order, each marked with its name there; a rule that has no opinion falls through to the next.
    """
    match = FIRST_TOKEN.match(right)
    right_token = match.group(1) if match else None
    match = LAST_TOKEN.search(left)
    left_token = match.group(1) if match else None
    if not left_token or not right_token:  # empty_side
        return True
    if not SPACE_PREFIX.match(right):  # no_space_prefix
        return True
    if is_lower_alpha(right_token):  # lower_right
        return True
    if right_token not in GENERIC_QUOTES and (right_token in DELIMITERS or SMILE_PREFIX.match(right)):
        return True  # delimiter_right
    if delimiter == ".":
        left_lower = left_token.lower()
        if _sokr_left(left, left_lower, right_token):  # sokr_left
            return True
        if (left_lower, right_token.lower()) in PAIR_SOKRS:  # inside_pair_sokr
            return True
        if (left_token.isupper() and len(left_token) == 1) or left_lower in INITIALS:  # initials_left
            return True
    if delimiter in BULLET_BOUNDS and len(buffer) <= BULLET_SIZE:  # list_item
        if all(is_bullet(token) for token in TOKEN.findall(buffer)):
            return True
    if delimiter in QUOTES:  # close_quote
        if delimiter in CLOSE_QUOTES:
            if left_token not in ENDINGS:
                return True
        elif delimiter in GENERIC_QUOTES and (SPACE_SUFFIX.search(left) or left_token not in ENDINGS):
            return True
    if delimiter in CLOSE_BRACKETS and left_token not in ENDINGS:  # close_bracket
        return True
    if right_token in DASHES:  # dash_right
        match = WORD.search(right)
        if match and is_lower_alpha(match.group(1)):
            return True
    return False


def _sokr_left(left: str, left_lower: str, right_token: str) -> bool:
    """razdel's sokr_left for a full stop: an abbreviation (a pair such as «т. е.», or one word) before it."""
    match = PAIR_SOKR.search(left)
    if match:
        first, second = match.groups()
        pair = first.lower(), second.lower()
        if pair in HEAD_PAIR_SOKRS:
            return True
        if pair in PAIR_SOKRS:
            return bool(is_sokr(right_token))
    return left_lower in HEAD_SOKRS or (left_lower in SOKRS and bool(is_sokr(right_token)))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """razdel sentences within each line: a line break always ends a sentence (headings, bylines).

    Exactly `razdel.sentenize` per line, stripped and without empty sentences; the spans come from the cut
    positions instead of searching the text for each sentence.
    """
    spans: list[tuple[int, int]] = []
    for line in LINE.finditer(text):
        part, base, cut = line.group(), line.start(), 0
        for match in DELIMITER.finditer(part):
            start, stop = match.span()
            if joins(part[max(0, start - WINDOW) : start], match.group(1), part[stop : stop + WINDOW], part[cut:start]):
                continue
            _add_stripped(part, base, cut, stop, spans)
            cut = stop
        _add_stripped(part, base, cut, len(part), spans)
    return spans


def _add_stripped(line: str, base: int, start: int, stop: int, spans: list[tuple[int, int]]) -> None:
    """The span of line[start:stop] without its surrounding whitespace, unless that leaves nothing."""
    chunk = line[start:stop]
    stripped = chunk.lstrip()
    if stripped:
        start += len(chunk) - len(stripped)
        spans.append((base + start, base + start + len(stripped.rstrip())))
