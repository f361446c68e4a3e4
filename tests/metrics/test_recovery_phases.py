"""A queue's phases (stable, degraded, recovering), rows of events.csv (format, Results).

The format names the phases and no more; the code's rules, pinned here: a queue is degraded
from the first sample at or after the first fault's start that is above its normal level (the
sample at that very instant included); it is recovering from the last fault's end if it was
degraded before then; it is stable again at its recovery.  A queue first above its level at or
after the last fault's end goes from degraded straight to stable (no phase of no length), and
a queue never above its level has no phase change.
"""

from __future__ import annotations

import pytest

from sim.metrics.recovery import recover

pytestmark = pytest.mark.mutation


def samples(values: dict[float, float], end: float) -> tuple[list[float], list[float]]:
    """One sample a minute from 0 to `end`: the given values, 0 elsewhere."""
    times = [60.0 * i for i in range(int(end / 60.0) + 1)]
    return times, [values.get(t, 0.0) for t in times]


def test_degraded_recovering_stable() -> None:
    """Fault 600 s to 1800 s; above the level from 660 s through 1800 s; stable at 1860 s."""
    up = {float(t): 30.0 + t / 60 for t in range(660, 1801, 60)}
    times, values = samples({600.0: 3.0, **up}, 3 * 3600.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert r.time_s == 60.0
    assert r.phases == (
        (0.0, "stable"),
        (660.0, "degraded"),
        (1800.0, "recovering"),
        (1860.0, "stable"),
    )


def test_above_at_the_first_faults_start_is_degraded_then() -> None:
    times, values = samples({600.0: 30.0, 660.0: 30.0}, 3 * 3600.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert r.time_s == 0.0
    assert r.phases == (
        (0.0, "stable"),
        (600.0, "degraded"),
        (1800.0, "recovering"),
        (1800.0, "stable"),
    )


def test_above_only_after_the_last_faults_end_has_no_recovering_phase() -> None:
    """A rise after the fault (say, retries) from 1860 s to 2400 s: degraded, then stable."""
    up = {float(t): 30.0 for t in range(1860, 2401, 60)}
    times, values = samples(up, 3 * 3600.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert r.time_s == 2460.0 - 1800.0
    assert r.phases == ((0.0, "stable"), (1860.0, "degraded"), (2460.0, "stable"))


def test_above_first_at_the_last_faults_end_has_no_recovering_phase() -> None:
    times, values = samples({1800.0: 30.0}, 3 * 3600.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert r.time_s == 60.0
    assert r.phases == ((0.0, "stable"), (1800.0, "degraded"), (1860.0, "stable"))


def test_never_above_the_level_has_no_phase_change() -> None:
    times, values = samples({float(t): 5.0 for t in range(0, 3 * 3600 + 1, 60)}, 3 * 3600.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert (r.level, r.time_s, r.reason) == (5.0, 0.0, "")
    assert r.phases == ((0.0, "stable"),)


def test_not_recovered_after_being_degraded() -> None:
    """Above the level from 900 s to the horizon: degraded, recovering, and no stable."""
    times, values = samples({float(t): 50.0 for t in range(900, 7201, 60)}, 7200.0)
    r = recover(times, values, 0.0, 600.0, 1800.0)
    assert (r.level, r.time_s) == (5.0, None)
    assert r.phases == ((0.0, "stable"), (900.0, "degraded"), (1800.0, "recovering"))
