"""Replications: the mean of every figure and its 95 % confidence interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
"""Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom."""


def t95(df: int) -> float:
    """The two-sided 95 % quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("a confidence interval needs at least two replications")
    if df <= len(_T95):
        return _T95[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and the t-based 95 % interval of independent replications' values."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, mean, mean
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t95(n - 1) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def _numbers(values: Sequence[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def mean_tree(trees: Sequence[Any]) -> Any:
    """The mean of each numeric leaf over several summaries of the same shape.

    A leaf that is null in some replications is averaged over the others (recovery times:
    "the mean over those that recovered"); null in all of them stays null.  Lists and text
    are taken from the first.
    """
    first = trees[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for t in trees if isinstance(t, dict) for k in t))
        return {k: mean_tree([t.get(k) for t in trees if isinstance(t, dict)]) for k in keys}
    if isinstance(first, bool | str | list):
        return first
    nums = _numbers(trees)
    if not nums:
        return None
    if len(trees) == 1:
        return first
    return math.fsum(nums) / len(nums)


def ci_tree(trees: Sequence[Any]) -> Any:
    """[low, high] for each numeric leaf with at least two non-null values; {} for one run."""
    if len(trees) < 2:
        return {}
    first = trees[0]
    if isinstance(first, dict):
        out = {}
        keys = list(dict.fromkeys(k for t in trees if isinstance(t, dict) for k in t))
        for k in keys:
            sub = ci_tree([t.get(k) for t in trees if isinstance(t, dict)])
            if sub not in ({}, None):
                out[k] = sub
        return out
    nums = _numbers(trees)
    if len(nums) < 2 or isinstance(first, bool):
        return None
    _, lo, hi = mean_ci(nums)
    if min(nums) >= 0:  # counts, times and shares cannot be negative
        lo = max(lo, 0.0)
    return [lo, hi]


def round_tree(tree: Any, digits: int = 6) -> Any:
    """Round every float (summary.json keeps six decimals: micro-units of s or of a share)."""
    if isinstance(tree, dict):
        return {k: round_tree(v, digits) for k, v in tree.items()}
    if isinstance(tree, list):
        return [round_tree(v, digits) for v in tree]
    if isinstance(tree, float):
        if math.isnan(tree) or math.isinf(tree):
            return None
        return round(tree, digits)
    return tree
