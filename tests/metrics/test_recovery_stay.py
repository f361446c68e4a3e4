"""How long a queue must stay at its normal level: "the first backlog sample at or below its
normal level ... that stays there for 15 minutes" (format, Results: recovery time).

A stay of exactly 15 minutes counts ("stays there for 15 minutes"); a second less does not.
The format does not say how a stay is read from samples; the code reads each sample as the
backlog until the next one, so a stay lasts from its first sample to the next sample above the
level, or to the last sample (the horizon) when none comes: at-level samples at 1260 s through
2100 s followed by one above at 2160 s are a stay of 15 minutes, and so are at-level samples
from 1260 s to a last sample at 2160 s.  The search starts at the last fault's end: the
sample taken at that instant is the first candidate.
"""

from __future__ import annotations

import pytest

from sim.metrics.recovery import HOLD, recover

pytestmark = pytest.mark.mutation

NEVER = "backlog never back at its normal level ({level}) for 15 min before the horizon"


def samples(
    values: dict[float, float], end: float, step: float = 60.0
) -> tuple[list[float], list[float]]:
    """One sample every `step` s from 0 to `end`: the given values, 0 elsewhere."""
    times = [step * i for i in range(int(end / step) + 1)]
    return times, [values.get(t, 0.0) for t in times]


class TestExactlyTheHold:
    def test_a_stay_of_exactly_fifteen_minutes_before_a_rise_is_recovery(self) -> None:
        """The fault ends at 1200 s (backlog 80 then); at normal from 1260 s until the sample
        above it at 2160 s, exactly HOLD later: recovered at 1260 s, 60 s after the end."""
        times, values = samples({1200.0: 80.0, 1260.0 + HOLD: 30.0}, 4 * 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 60.0, "")
        assert r.phases == ((0.0, "stable"), (1200.0, "degraded"), (1260.0, "stable"))

    def test_a_stay_one_sample_shorter_is_not(self) -> None:
        """The rise comes at 2100 s instead: 14 minutes; recovery waits for 2160 s."""
        times, values = samples({1200.0: 80.0, 2100.0: 30.0}, 4 * 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 960.0, "")
        assert r.phases == ((0.0, "stable"), (1200.0, "degraded"), (2160.0, "stable"))

    def test_a_stay_half_a_second_short_is_not(self) -> None:
        """Half-second samples: at normal from 1200.5 s until a rise at 2100 s is 899.5 s,
        short of the hold; recovered at 2100.5 s instead, 900.5 s after the end."""
        times, values = samples({1200.0: 80.0, 2100.0: 30.0}, 4000.0, step=0.5)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 900.5, "")

    def test_a_stay_of_exactly_fifteen_minutes_up_to_the_horizon_is_recovery(self) -> None:
        """At normal from 1260 s to the last sample at 2160 s: recovered at 1260 s."""
        times, values = samples({1200.0: 80.0}, 1260.0 + HOLD)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 60.0, "")

    def test_a_stay_one_sample_short_of_the_horizon_is_not(self) -> None:
        """The last sample at 2100 s: 14 minutes at normal, not yet recovered."""
        times, values = samples({1200.0: 80.0}, 2100.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, None, NEVER.format(level=5))
        assert r.phases == ((0.0, "stable"), (1200.0, "degraded"))

    def test_a_stay_half_a_second_short_of_the_horizon_is_not(self) -> None:
        """Half-second samples, at normal from 1200.5 s to the last sample at 2100 s."""
        times, values = samples({1200.0: 80.0}, 2100.0, step=0.5)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.time_s, r.reason) == (None, NEVER.format(level=5))


class TestWhereTheSearchStarts:
    def test_the_sample_at_the_faults_end_can_be_the_recovery(self) -> None:
        """At normal before, during and after a fault ending at 1200 s: recovered at once."""
        times, values = samples({}, 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 0.0, "")
        assert r.phases == ((0.0, "stable"),)

    def test_a_stay_before_the_faults_end_does_not_count(self) -> None:
        """At normal through the fault, which ends at 1200 s; above at 1260 s only: the
        recovery is at 1320 s, not earlier."""
        times, values = samples({1260.0: 30.0}, 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 120.0, "")
        assert r.phases == ((0.0, "stable"), (1260.0, "degraded"), (1320.0, "stable"))

    def test_a_fault_ending_at_the_second_sample(self) -> None:
        """A fault from 0 s to 60 s: normal at 60 s but above at 120 s, so the recovery is at
        180 s (the level is the floor: no sample before the fault)."""
        times, values = samples({0.0: 80.0, 120.0: 80.0}, 3600.0)
        r = recover(times, values, 0.0, 0.0, 60.0)
        assert (r.level, r.time_s, r.reason) == (5.0, 120.0, "")
        assert r.phases == (
            (0.0, "stable"),
            (0.0, "degraded"),
            (60.0, "recovering"),
            (180.0, "stable"),
        )


class TestNotRecovered:
    def test_the_horizon_ends_before_the_last_fault_does(self) -> None:
        """Samples to 3600 s, the last fault ending at 4000 s: null, with that reason."""
        times, values = samples({1800.0: 30.0}, 3600.0)
        r = recover(times, values, 0.0, 600.0, 4000.0)
        assert (r.level, r.time_s) == (5.0, None)
        assert r.reason == "the horizon ends before the last fault does"
        assert r.phases == ((0.0, "stable"), (1800.0, "degraded"))

    def test_no_samples(self) -> None:
        r = recover([], [], 0.0, 600.0, 1200.0)
        assert (r.level, r.time_s) == (5.0, None)
        assert r.reason == "the horizon ends before the last fault does"
        assert r.phases == ((0.0, "stable"),)

    def test_a_fault_ending_at_the_last_sample_is_within_the_horizon(self) -> None:
        """The last fault ends at the last sample (3600 s): the horizon does not end before
        it; the queue just has no 15 minutes left to recover in."""
        times, values = samples({}, 3600.0)
        r = recover(times, values, 0.0, 600.0, 3600.0)
        assert (r.level, r.time_s, r.reason) == (5.0, None, NEVER.format(level=5))
        assert r.phases == ((0.0, "stable"),)

    def test_the_reason_gives_the_level_and_the_hold(self) -> None:
        """Level 12.5 (the backlog before the fault), never back under it."""
        before = {float(t): 12.5 for t in range(0, 600, 60)}
        times, values = samples({**before, **{float(t): 40.0 for t in range(600, 3601, 60)}}, 3600)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert r.level == 12.5
        assert r.time_s is None
        assert r.reason == NEVER.format(level=12.5)
        assert r.phases == ((0.0, "stable"), (600.0, "degraded"), (1200.0, "recovering"))
