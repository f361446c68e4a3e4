"""Recovery: when each queue is back at its normal level after the faults, and its phases.

Read from the backlog samples, after the run: the normal level of a queue is max(p99 of its
backlog from the warm-up to the first fault, 5); it has recovered at the first sample after
the last fault's end that is at or below that level and stays there for 15 minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HOLD = 900.0
"""How long a queue must stay at its normal level to count as recovered (not counted)."""
FLOOR = 5.0
"""The normal level is never below this many messages."""


@dataclass(frozen=True)
class Recovery:
    """One queue's recovery after the faults."""

    level: float
    """Its normal level (messages)."""
    time_s: float | None
    """From the last fault's end to recovery; None when it never recovered."""
    reason: str
    """Why it is None (empty when it recovered)."""
    phases: tuple[tuple[float, str], ...]
    """(time, phase) changes: stable, degraded, recovering."""


def normal_level(times: np.ndarray, values: np.ndarray, warmup: float, first_fault: float) -> float:
    """max(p99 of the backlog from the warm-up to the first fault, FLOOR)."""
    mask = (times >= warmup) & (times < first_fault)
    if not mask.any():
        return FLOOR
    return max(float(np.percentile(values[mask], 99)), FLOOR)


def recover(
    times: Sequence[float],
    values: Sequence[float],
    warmup: float,
    first_fault: float,
    last_end: float,
    hold: float = HOLD,
) -> Recovery:
    """The recovery of one queue from its samples.

    `last_end` is when the last fault ended; past the last sample (math.inf for one that had
    not ended by the end of the run), the queue has not recovered: the horizon ends first.
    """
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    level = normal_level(t, v, warmup, first_fault)
    phases: list[tuple[float, str]] = [(0.0, "stable")]
    above = np.nonzero((t >= first_fault) & (v > level))[0]
    degraded_at = float(t[above[0]]) if above.size else None
    if degraded_at is not None:
        phases.append((degraded_at, "degraded"))
    if not t.size or t[-1] < last_end:
        return Recovery(level, None, "the horizon ends before the last fault does", tuple(phases))
    if degraded_at is not None and degraded_at < last_end:
        phases.append((last_end, "recovering"))
    ok = v <= level
    start = int(np.searchsorted(t, last_end, side="left"))
    # the first sample after last_end from which every sample for `hold` seconds is at level
    bad_after = np.full(t.size + 1, np.inf)
    for i in range(t.size - 1, -1, -1):  # the time of the next sample above the level
        bad_after[i] = t[i] if not ok[i] else bad_after[i + 1]
    for i in range(start, t.size):
        if ok[i] and bad_after[i] > t[i] + hold - 1e-9 and t[-1] >= t[i] + hold - 1e-9:
            when = float(t[i])
            if degraded_at is not None:
                phases.append((max(when, last_end), "stable"))
            return Recovery(level, when - last_end, "", tuple(phases))
    reason = (
        f"backlog never back at its normal level ({level:g}) for {hold / 60:g} min "
        f"before the horizon"
    )
    return Recovery(level, None, reason, tuple(phases))
