"""Durations on axes: round tick positions and short labels with units."""

from __future__ import annotations

import math

__all__ = ["duration_ticks", "readable_seconds"]


def readable_seconds(seconds: float) -> str:
    """A duration for axis labels: ``150ms``, ``12s``, ``4.5min``, ``3h``, ``2d``."""
    if seconds <= 0:
        return "0"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds * 1000:.3g}ms"


_STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0,
    60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0,
    86400.0, 172800.0, 604800.0,
)  # fmt: skip
"""Tick steps that read as round durations (1 ms … 1 week)."""
_DECADES = (0.001, 0.01, 0.1, 1.0, 10.0, 60.0, 600.0, 3600.0, 36000.0, 86400.0, 864000.0)
"""Log-axis ticks: powers of ten of seconds, then minutes, hours and days."""


def duration_ticks(low: float, high: float, *, log: bool = False, count: int = 6) -> list[float]:
    """Tick positions (seconds) at round durations between ``low`` and ``high``.

    A linear axis gets about ``count`` ticks at a multiple of a round step (``5min``, not
    ``250s``); a log axis gets the round decades of time (1 s, 10 s, 1 min, 10 min, 1 h, …).
    """
    if log:
        return [t for t in _DECADES if low <= t <= high]
    span = max(high - low, 1e-9)
    step = next((s for s in _STEPS if span / s <= count), _STEPS[-1])
    first = math.ceil(low / step)
    return [k * step for k in range(first, int(high // step) + 1)]
