"""Agreement measures shared by training and evaluation: precision/recall/F1 and Spearman's rho (numpy only)."""

from __future__ import annotations

import math

import numpy as np


def prf(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of boolean predictions (0.0 where undefined), and the positives' count."""
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": int(y_true.sum())}


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman's rho with average ranks for ties; None when undefined (constant input)."""

    def ranks(values: list[float]) -> np.ndarray:
        array = np.asarray(values, dtype=float)
        order = array.argsort(kind="mergesort")
        result = np.empty(len(array))
        result[order] = np.arange(len(array), dtype=float)
        for value in np.unique(array):
            tied = array == value
            result[tied] = result[tied].mean()
        return result

    if len(x) < 2:
        return None
    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


WILSON_Z = 1.959963984540054  # the normal quantile of a two-sided 95 % interval
SMALL_GROUP = 20  # fewer documents than this: a share is marked as resting on a small group


def wilson(successes: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); (0, 1) when there is nothing to go on (n = 0).

    Unlike the normal approximation it stays inside [0, 1] and is honest for small n and shares near 0 or 1,
    which is what frame shares of a month or an outlet often are.
    """
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)
