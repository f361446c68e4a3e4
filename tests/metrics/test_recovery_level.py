"""A queue's normal level, max(p99 of its backlog from the warm-up to the first fault, 5), and
what "at or below" it means (format, Results: recovery time).

The window starts at the warm-up, the sample there included ("from warmup").  Where it ends
the format says only "to the first fault"; the code ends it before the first fault's start, so
a sample taken at that instant belongs to the fault, not to the normal level.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.recovery import FLOOR, normal_level, recover

pytestmark = pytest.mark.mutation

STEP = 60.0


def samples(values: dict[float, float], end: float) -> tuple[list[float], list[float]]:
    """One sample a minute from 0 to `end`: the given values, 0 elsewhere."""
    times = [STEP * i for i in range(int(end / STEP) + 1)]
    return times, [values.get(t, 0.0) for t in times]


class TestNormalLevel:
    def test_the_floor_is_five(self) -> None:
        assert FLOOR == 5.0

    def test_the_window_is_from_the_warmup_sample_to_before_the_first_fault(self) -> None:
        """Warm-up 600 s, first fault at 660 s: the window is the one sample at 600 s (12).
        The sample before the warm-up (100) and the one at the fault's start (40) are out."""
        times, values = samples({540.0: 100.0, 600.0: 12.0, 660.0: 40.0}, 3600.0)
        t, v = np.array(times), np.array(values)
        assert normal_level(t, v, 600.0, 660.0) == 12.0
        r = recover(times, values, 600.0, 660.0, 720.0)
        assert r.level == 12.0
        assert r.time_s == 0.0  # at 720 s the backlog is 0 for good
        assert r.phases == (
            (0.0, "stable"),
            (660.0, "degraded"),
            (720.0, "recovering"),
            (720.0, "stable"),
        )

    def test_the_level_is_the_99th_percentile_not_the_peak(self) -> None:
        """Backlogs 0, 1, ..., 100 before the fault: p99 is 99, though the peak was 100."""
        times = [float(i) for i in range(101)]
        assert normal_level(np.array(times), np.array(times), 0.0, 101.0) == 99.0
        r = recover([*times, 101.0, 2000.0], [*times, 0.0, 0.0], 0.0, 101.0, 101.0)
        assert r.level == 99.0
        assert r.time_s == 0.0

    def test_the_level_is_never_below_the_floor(self) -> None:
        """A backlog of at most 3 before the fault: the level is the floor, 5."""
        times, values = samples({0.0: 3.0, 60.0: 3.0, 120.0: 3.0}, 3600.0)
        assert normal_level(np.array(times), np.array(values), 0.0, 180.0) == 5.0

    def test_no_sample_in_the_window_gives_the_floor(self) -> None:
        """A fault before the warm-up ends: no sample to take the p99 of; the level is 5."""
        times, values = samples({0.0: 50.0, 60.0: 50.0}, 3600.0)
        assert normal_level(np.array(times), np.array(values), 1800.0, 120.0) == 5.0
        r = recover(times, values, 1800.0, 120.0, 600.0)
        assert r.level == 5.0
        assert r.time_s == 0.0


class TestAtTheLevel:
    def test_a_backlog_exactly_at_its_level_is_normal(self) -> None:
        """Level 12 (the warm-up sample); the backlog sits at exactly 12 from the fault's start
        on: never degraded, and recovered at the fault's end (0 s), as "at or below" says."""
        times, values = samples({float(t): 12.0 for t in range(600, 3601, 60)}, 3600.0)
        r = recover(times, values, 600.0, 660.0, 1200.0)
        assert r.level == 12.0
        assert r.time_s == 0.0
        assert r.reason == ""
        assert r.phases == ((0.0, "stable"),)

    def test_a_backlog_just_above_its_level_is_not(self) -> None:
        """The same, at 12.5 until 1800 s: degraded from the fault's start, recovered at 1800 s."""
        up = {float(t): 12.5 for t in range(660, 1800, 60)}
        times, values = samples({600.0: 12.0, **up}, 3600.0)
        r = recover(times, values, 600.0, 660.0, 1200.0)
        assert r.level == 12.0
        assert r.time_s == 600.0
        assert r.phases == (
            (0.0, "stable"),
            (660.0, "degraded"),
            (1200.0, "recovering"),
            (1800.0, "stable"),
        )
