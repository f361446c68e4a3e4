"""Fitted numbers as the scenario format writes them: durations and rates with units."""

from __future__ import annotations

import math

__all__ = ["count", "duration", "percent", "rate", "significant"]

_DURATION_UNITS = (
    ("ms", 0.001, 1.0),
    ("s", 1.0, 120.0),
    ("min", 60.0, 7200.0),
    ("h", 3600.0, 172800.0),
)


def significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, in plain decimals (never ``1e-05``)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    places = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration(seconds: float) -> str:
    """A positive duration with the unit that reads best: ``81.2ms``, ``45.3min``, ``2.5d``."""
    for unit, factor, below in _DURATION_UNITS:
        if seconds < below:
            return f"{significant(seconds / factor)}{unit}"
    return f"{significant(seconds / 86400.0)}d"


def rate(per_day: float) -> str:
    """A daily rate: whole messages from 100 a day, three significant digits below."""
    return f"{round(per_day)}/d" if per_day >= 100 else f"{significant(per_day)}/d"


def count(value: int) -> str:
    """A count with thousands separated: ``12,500``."""
    return f"{value:,}"


def counted(value: int, word: str) -> str:
    """A count and its noun, singular for one: ``1 day``, ``14 days``, ``2 Thursdays``."""
    return f"{value:,} {word}" + ("" if value == 1 else "s")


def percent(share: float) -> str:
    """A share as a percentage to three significant digits: ``1.23 %``."""
    return f"{significant(100 * share)} %"
