"""Validate the tool on one's own corpus: a hand-filled coding sheet (framing.sampling) against the tool's view.

Library API:

* `krippendorff_alpha(data, level)` — α for any number of coders with missing values (nominal, ordinal, interval);
* `is_coding_sheet(path)` — whether `framing evaluate` was given a coding sheet rather than a gold JSONL file;
* `load_sheet(path, frames)` — the coded rows, checked (one `FramingError` naming file and line per problem);
* `evaluate_sheet(sheet, key=None, resamples, seed)` — the report: per frame P/R/F1 of `present` vs code ≥ 2 with
  percentile-bootstrap 95 % intervals over documents, confusion counts, population-weighted P/R/F1 from the
  sampling design, α (interval) and Spearman ρ between the tool's score and the codes, dominant accuracy, and
  with two or more coders the coders' α (interval and ordinal) per frame and nominal α of their dominant frames.

The tool's score is a probability (0–1) and the codes are 0–3, so for α the score is put on the code scale as
3 × score; interval α is unchanged by rescaling both variables alike, so this is the same as comparing score with
code / 3. α then asks whether the numbers agree, ρ only whether they rank documents alike.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import jsonl_objects, open_table
from .errors import FramingError
from .metrics import spearman
from .sampling import INFO_COLUMNS, KEY_FORMAT, MAX_CODERS, NO_FRAME, key_path

LEVELS = ("nominal", "ordinal", "interval")
CODES = range(4)  # 0 absent, 1 marginal, 2 present, 3 central (lexicons/codebook.toml [coding])
PRESENT_CODE = 2  # a frame counts as present for a coder at code ≥ 2, as for the gold sets
CODE_SCALE = 3.0  # the tool's score (0–1) times this is on the codes' scale (0–3)
RESAMPLES = 2000
CONFIDENCE = 95.0
SEED = 0


# --- Krippendorff's alpha -------------------------------------------------------------------------------------------
def krippendorff_alpha(data, level: str = "interval") -> float | None:
    """Krippendorff's α of a units × coders matrix; NaN (or None) is a missing value.

    Units with fewer than two values are not pairable and drop out, as in Krippendorff (2011). None when there is
    no pairable unit or no expected disagreement (every value the same).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    matrix = (
        np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
        if not isinstance(data, np.ndarray)
        else data.astype(float)
    )
    if matrix.ndim != 2:
        raise ValueError("data must be units × coders")
    counts = (~np.isnan(matrix)).sum(axis=1)
    matrix = matrix[counts >= 2]
    counts = counts[counts >= 2]
    if not len(matrix):
        return None
    if level == "interval":
        return _alpha_interval(matrix, counts)
    values = np.unique(matrix[~np.isnan(matrix)])
    one_hot = np.zeros((len(matrix), len(values)))
    rows, cols = np.nonzero(~np.isnan(matrix))
    np.add.at(one_hot, (rows, np.searchsorted(values, matrix[rows, cols])), 1.0)
    scaled = one_hot / (counts - 1)[:, None]
    coincidence = scaled.T @ one_hot - np.diag(
        scaled.sum(axis=0)
    )  # o_ck: pairs c–k within units, each weighted 1/(m_u − 1)
    marginals = coincidence.sum(axis=1)
    total = marginals.sum()
    if level == "nominal":
        delta = 1.0 - np.eye(len(values))
    else:  # ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)²
        cumulative = np.cumsum(marginals)
        low, high = (
            np.minimum.outer(np.arange(len(values)), np.arange(len(values))),
            np.maximum.outer(np.arange(len(values)), np.arange(len(values))),
        )
        between = cumulative[high] - cumulative[low] + marginals[low]
        delta = (between - (marginals[:, None] + marginals[None, :]) / 2) ** 2
    expected = (np.outer(marginals, marginals) * delta).sum()
    if expected == 0:
        return None
    return float(1.0 - (total - 1) * (coincidence * delta).sum() / expected)


def _alpha_interval(matrix: np.ndarray, counts: np.ndarray) -> float | None:
    """Interval α in closed form (Σ_{i≠j} (x_i − x_j)² = 2mΣx² − 2(Σx)²): no value × value matrix, so continuous
    scores of thousands of documents cost nothing."""
    sums, squares = np.nansum(matrix, axis=1), np.nansum(matrix**2, axis=1)
    within = ((2 * counts * squares - 2 * sums**2) / (counts - 1)).sum()
    total = counts.sum()
    pooled = 2 * total * squares.sum() - 2 * sums.sum() ** 2
    if pooled <= 0:
        return None
    return float(1.0 - (total - 1) * within / pooled)


# --- reading a filled sheet -----------------------------------------------------------------------------------------
@dataclass
class CodedRow:
    line: int
    id: str
    source: str
    codes: list[dict[str, int] | None]  # per coder; None: this coder left the row blank
    dominant: list[str | None]  # per coder ('none' when no frame)

    @property
    def key(self) -> str:
        return f"{self.source}#{self.id}" if self.id else self.source


@dataclass
class Sheet:
    path: Path
    frames: list[str]
    coders: list[str]  # column suffixes: [""] for one coder, ["_1", "_2"] for two
    rows: list[CodedRow]
    uncoded: int  # rows the reference coder left blank


def is_coding_sheet(path: str | Path) -> bool:
    """A CSV file, or JSONL whose first object has no `codes` (the gold format has): `framing evaluate` then reads
    it as a coding sheet. Anything else (missing, unreadable) goes on to the gold loader and its errors."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return True
    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = next((line for line in handle if line.strip()), "")
        value = json.loads(first) if first else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(value, dict) or "codes" in value:
        return False
    return key_path(path).exists() or any(c in value for c in ("dominant", "dominant_1"))


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """(columns, [(line, row)]) of a CSV or JSONL sheet; CSV lines are where the record starts (texts span lines)."""
    handle = open_table(path)
    rows: list[tuple[int, dict]] = []
    try:
        with handle:
            if path.suffix.lower() == ".csv":
                csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
                reader = csv.DictReader(handle)
                columns = list(reader.fieldnames or [])
                start = reader.line_num + 1
                for row in reader:
                    if None in row:
                        raise FramingError(str(path), f"{len(row[None])} more cells than columns", start)
                    if any((v or "").strip() for v in row.values()):
                        rows.append((start, row))
                    start = reader.line_num + 1
                return columns, rows
            columns = []
            for number, value in jsonl_objects(handle, str(path)):
                columns += [c for c in value if c not in columns]
                rows.append((number, value))
            return columns, rows
    except UnicodeDecodeError as exc:
        raise FramingError(str(path), f"not UTF-8 (byte {exc.start})") from None
    except csv.Error as exc:
        raise FramingError(str(path), f"not a readable CSV ({exc})") from None


def _code(value, path: Path, line: int, column: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        number = float("nan")
    if not number.is_integer() or int(number) not in CODES:
        raise FramingError(str(path), f"column '{column}': {value!r} is not a code 0–3", line)
    return int(number)


def _dominant(value, codes: dict[str, int], frames: list[str], path: Path, line: int, column: str) -> str:
    """The coder's dominant frame; blank is taken from the codes when they decide it (one highest code ≥ 2)."""
    text = str(value).strip() if value is not None else ""
    if text:
        if text not in (*frames, NO_FRAME):
            raise FramingError(
                str(path), f"column '{column}': {text!r} is not a frame ({', '.join(frames)}) or '{NO_FRAME}'", line
            )
        return text
    top = max(codes.values())
    if top < PRESENT_CODE:
        return NO_FRAME
    leaders = [f for f in frames if codes[f] == top]
    if len(leaders) > 1:
        raise FramingError(
            str(path),
            f"column '{column}' is blank and {' and '.join(leaders)} tie at {top}: name the dominant frame",
            line,
        )
    return leaders[0]


def load_sheet(path: str | Path, frames: list[str]) -> Sheet:
    """Read and check a filled coding sheet. Coders are the column sets `<frame>` or `<frame>_1`, `<frame>_2`, …"""
    path = Path(path)
    columns, raw = _rows(path)
    if not columns and not raw:
        raise FramingError(str(path), "empty coding sheet")
    missing_info = [c for c in ("id", "source") if c not in columns]
    suffixes = [s for s in ("", *(f"_{k}" for k in range(1, MAX_CODERS + 1))) if any(f + s in columns for f in frames)]
    if missing_info or not suffixes:
        need = [*missing_info, *([] if suffixes else [*frames, "dominant"])]
        raise FramingError(
            str(path),
            f"missing column(s) {', '.join(need)}: a coding sheet has {', '.join(INFO_COLUMNS)}, a 0–3 "
            "column per frame and dominant (framing sample writes one)",
            1,
        )
    for suffix in suffixes:
        absent = [c for c in (*(f + suffix for f in frames), f"dominant{suffix}") if c not in columns]
        if absent:
            raise FramingError(str(path), f"missing column(s) {', '.join(absent)}", 1)
    if not raw:
        raise FramingError(str(path), "empty coding sheet: no rows")
    rows, uncoded = [], 0
    for line, row in raw:
        codes: list[dict[str, int] | None] = []
        dominants: list[str | None] = []
        for suffix in suffixes:
            values = {f: _code(row.get(f + suffix), path, line, f + suffix) for f in frames}
            blank = [f + suffix for f, v in values.items() if v is None]
            if len(blank) == len(frames):
                codes.append(None)
                dominants.append(None)
                continue
            if blank:
                raise FramingError(
                    str(path),
                    f"no code in {', '.join(blank)} (fill every frame, or leave the row blank to skip it)",
                    line,
                )
            filled = {f: int(v) for f, v in values.items() if v is not None}
            codes.append(filled)
            dominants.append(_dominant(row.get(f"dominant{suffix}"), filled, frames, path, line, f"dominant{suffix}"))
        if codes[0] is None:
            uncoded += 1
            continue
        rows.append(
            CodedRow(line, str(row.get("id") or "").strip(), str(row.get("source") or "").strip(), codes, dominants)
        )
    if not rows:
        raise FramingError(
            str(path), f"no coded rows ({uncoded} rows, all blank in {', '.join(f + suffixes[0] for f in frames)})"
        )
    return Sheet(path, frames, suffixes, rows, uncoded)


def load_key(path: str | Path) -> tuple[dict, dict[str, dict]]:
    """The sampling design and the tool's view of each row, by document key (`source#id`)."""
    path = Path(path)
    try:
        lines = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
    except FileNotFoundError:
        raise FramingError(
            str(path),
            "no sampling key: framing evaluate needs the key that framing sample wrote beside the sheet "
            "(or name it with --key)",
        ) from None
    except UnicodeDecodeError as exc:
        raise FramingError(str(path), f"not UTF-8 (byte {exc.start})") from None
    parsed = []
    for number, line in lines:
        try:
            parsed.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise FramingError(str(path), f"invalid JSON: {exc.msg}", number) from None
    if not parsed or not isinstance(parsed[0][1], dict) or parsed[0][1].get("format") != KEY_FORMAT:
        raise FramingError(str(path), f"not a sampling key (first line must be the design, format {KEY_FORMAT})", 1)
    design, rows = parsed[0][1], {}
    for number, row in parsed[1:]:
        if not isinstance(row, dict) or not isinstance(row.get("frames"), dict) or "source" not in row:
            raise FramingError(str(path), "not a sampling key row (source, id, frames)", number)
        rows[f"{row['source']}#{row['id']}" if row.get("id") else row["source"]] = row
    return design, rows


# --- statistics -----------------------------------------------------------------------------------------------------
def _ratio(numerator, denominator):
    """Elementwise numerator / denominator, NaN where the denominator is 0 (undefined, not zero)."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return np.divide(
        numerator, denominator, out=np.full(np.broadcast(numerator, denominator).shape, np.nan), where=denominator > 0
    )


def _prf(tp, fp, fn) -> tuple:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * tp, 2 * tp + fp + fn)


def _value(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else round(x, 4)


def _interval(samples: np.ndarray) -> list[float] | None:
    """Percentile interval over the resamples where the statistic is defined; None when it never is."""
    defined = samples[~np.isnan(samples)]
    if not len(defined):
        return None
    tail = (100.0 - CONFIDENCE) / 2
    return [round(float(np.percentile(defined, tail)), 4), round(float(np.percentile(defined, 100.0 - tail)), 4)]


def _alpha_ci(columns: list[np.ndarray], resampled: np.ndarray, level: str = "interval") -> list[float] | None:
    matrix = np.column_stack(columns)
    values = np.array([np.nan if (a := krippendorff_alpha(matrix[rows], level)) is None else a for rows in resampled])
    return _interval(values)


def evaluate_sheet(
    sheet_path: str | Path, key: str | Path | None = None, resamples: int = RESAMPLES, seed: int = SEED
) -> dict:
    """The validation report of a filled sheet against the tool's view in its key (see the module docstring)."""
    sheet_path = Path(sheet_path)
    key = Path(key) if key else key_path(sheet_path)
    design, tool = load_key(key)
    frames = list(design.get("frames") or [])
    sheet = load_sheet(sheet_path, frames)
    views = []
    for row in sheet.rows:
        view = tool.get(row.key)
        if view is None:
            raise FramingError(
                str(sheet_path),
                f"row {row.key!r} is not in the sampling key {key} (a row from another sample?)",
                row.line,
            )
        views.append(view)
    n = len(sheet.rows)
    rng = np.random.default_rng(seed)
    resampled = rng.integers(0, n, size=(resamples, n))
    weights = np.array([float(v.get("weight") or 1.0) for v in views])
    reference = [r.codes[0] for r in sheet.rows]
    report: dict = {
        "sheet": str(sheet_path),
        "key": str(key),
        "coded": n,
        "uncoded": sheet.uncoded,
        "coders": [f"columns <frame>{s}" for s in sheet.coders],
        "reference": f"<frame>{sheet.coders[0]}",
        "bootstrap": {"resamples": resamples, "seed": seed, "confidence": CONFIDENCE},
        "design": {k: design.get(k) for k in ("results", "stratify", "group_by", "seed", "population", "strata")},
        "frames": {},
    }
    for frame in frames:
        codes = np.array([c[frame] for c in reference])
        truth = codes >= PRESENT_CODE
        predicted = np.array([bool(v["frames"].get(frame, {}).get("present")) for v in views])
        scores = np.array([float(v["frames"].get(frame, {}).get("score", 0.0)) for v in views])
        tp, fp, fn = (truth & predicted), (~truth & predicted), (truth & ~predicted)
        point = _prf(tp.sum(), fp.sum(), fn.sum())
        boot = _prf(tp[resampled].sum(1), fp[resampled].sum(1), fn[resampled].sum(1))
        weighted = _prf((weights * tp).sum(), (weights * fp).sum(), (weights * fn).sum())
        metrics = {name: _value(value) for name, value in zip(("precision", "recall", "f1"), point)}
        report["frames"][frame] = {
            **metrics,
            "ci": {name: _interval(samples) for name, samples in zip(("precision", "recall", "f1"), boot)},
            "confusion": {
                "tp": int(tp.sum()),
                "fp": int(fp.sum()),
                "fn": int(fn.sum()),
                "tn": int((~truth & ~predicted).sum()),
            },
            "coded_present": int(truth.sum()),
            "weighted": {name: _value(value) for name, value in zip(("precision", "recall", "f1"), weighted)},
            "alpha_interval": _round(krippendorff_alpha(np.column_stack([CODE_SCALE * scores, codes]), "interval")),
            "alpha_interval_ci": _alpha_ci([CODE_SCALE * scores, codes], resampled),
            "spearman": _round(spearman(scores.tolist(), codes.tolist())),
        }
        if len(sheet.coders) > 1:
            coded = np.array([[np.nan if c is None else c[frame] for c in r.codes] for r in sheet.rows])
            report["frames"][frame]["coders_alpha"] = {
                level: _round(krippendorff_alpha(coded, level)) for level in ("interval", "ordinal")
            }
    hits = np.array([(v.get("dominant") or NO_FRAME) == r.dominant[0] for v, r in zip(views, sheet.rows)])
    report["dominant"] = {"accuracy": _value(hits.mean()), "ci": _interval(hits[resampled].mean(axis=1))}
    if len(sheet.coders) > 1:
        names = [*frames, NO_FRAME]
        nominal = np.array([[np.nan if d is None else names.index(d) for d in r.dominant] for r in sheet.rows])
        report["dominant"]["coders_alpha_nominal"] = _round(krippendorff_alpha(nominal, "nominal"))
        report["double_coded"] = int(sum(all(c is not None for c in r.codes) for r in sheet.rows))
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
