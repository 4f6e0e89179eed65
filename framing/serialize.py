"""Analysis → plain dicts (JSON schema `framing/1`), JSON lines and CSV rows. Field names are stable."""

from __future__ import annotations

import json

from .results import Analysis, Evidence, FrameResult

SCHEMA = "framing/1"


def _evidence(e: Evidence) -> dict:
    out = {"start": e.span.start, "end": e.span.stop, "text": e.span.text, "terms": e.terms}
    if e.probability is not None:
        out["probability"] = e.probability
    return out


def frame_to_dict(frame: FrameResult) -> dict:
    out = {
        "id": frame.id,
        "label": frame.label,
        "score": frame.score,
        "present": frame.present,
        "threshold": frame.threshold,
        "hits": frame.lexicon.hits,
        "per_1k": frame.lexicon.per_1k,
        "terms": [{"lemma": t.lemma, "count": t.count} for t in frame.terms],
        "evidence": [_evidence(e) for e in frame.evidence],
        "lexicon": {
            "hits": frame.lexicon.hits,
            "weighted": frame.lexicon.weighted,
            "per_1k": frame.lexicon.per_1k,
            "score": frame.lexicon.score,
            "window": frame.lexicon.window,
        },
    }
    if frame.classifier is not None:
        out["classifier"] = {
            "mean_prob": frame.classifier.mean_prob,
            "top_prob": frame.classifier.top_prob,
            "sentences": frame.classifier.sentences,
            "score": frame.classifier.score,
            "share": frame.classifier.share,
            "mass": frame.classifier.mass,
            "top3_prob": frame.classifier.top3_prob,
            "lead_prob": frame.classifier.lead_prob,
            "window": frame.classifier.window,
            "only_evidence": [_evidence(e) for e in frame.classifier_only],
        }
    return out


def to_dict(analysis: Analysis, with_text: bool = False, **extra) -> dict:
    out = {
        "schema": SCHEMA,
        "source": analysis.source,
        "date": analysis.date,
        "tokens": analysis.tokens,
        "sentences": analysis.sentences,
        "mode": analysis.mode,
        "dominant": analysis.dominant,
        "language": analysis.language,
        "russian_share": analysis.russian_share,
        "warnings": analysis.warnings,
        "frames": [frame_to_dict(f) for f in analysis.frames],
    }
    if with_text:
        out["text"] = analysis.text  # the decoded (or HTML-extracted) text that every offset indexes
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def to_json(analysis: Analysis, indent: int | None = 2, with_text: bool = False, **extra) -> str:
    return json.dumps(to_dict(analysis, with_text=with_text, **extra), ensure_ascii=False, indent=indent)


CSV_ESCAPED_START = ("=", "+", "-", "@", "\t", "\r", "'")  # a spreadsheet would run or mangle such a cell


def csv_cell(value):
    """A text cell a spreadsheet shows as text: one `'` before = + - @ tab CR (OWASP's advice) and before `'`
    itself, so that `csv_text` gives back exactly the original. Numbers are left alone."""
    if isinstance(value, str) and value.startswith(CSV_ESCAPED_START):
        return "'" + value
    return value


def csv_text(cell: str) -> str:
    """A text cell as written by `csv_cell`, without its protective `'`."""
    return cell[1:] if cell.startswith("'") else cell


CSV_FIXED = ["source", "id", "date", "tokens", "dominant"]  # then <frame>_score, <frame>_present per frame


def csv_header(frame_ids: list[str]) -> list[str]:
    columns = list(CSV_FIXED)
    for frame_id in frame_ids:
        columns += [f"{frame_id}_score", f"{frame_id}_present"]
    return columns


def csv_row(record: dict, frame_ids: list[str]) -> list:
    """One CSV row from a serialised record (a `to_dict` result, or an error record with empty scores)."""
    frames = {f["id"]: f for f in record.get("frames", [])}
    row = [
        record.get("source"),
        record.get("id", ""),
        record.get("date") or "",
        record.get("tokens", ""),
        record.get("dominant") or "",
    ]
    for frame_id in frame_ids:
        frame = frames.get(frame_id)
        row += [frame["score"], int(frame["present"])] if frame else ["", ""]
    return row
