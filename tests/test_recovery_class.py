"""The classes of a replication's ending (recovers, recovering-at-horizon, stays-degraded) on
constructed last hours, and a point's class from its replications."""

from __future__ import annotations

import math

import pytest

from sim.experiments.recovery_class import (
    RECOVERING,
    RECOVERS,
    STAYS_DEGRADED,
    LastHour,
    backlog_change,
    classify,
    falling,
    goodput_below_arrivals,
    point_class,
)

TIMES = tuple(float(t) for t in range(7 * 3600, 8 * 3600 + 1, 60))
"""The last hour of an 8-hour horizon, sampled every minute (61 samples)."""


def line(start: float, change: float) -> tuple[float, ...]:
    """A backlog moving by `change` over the hour, straight."""
    return tuple(start + change * i / (len(TIMES) - 1) for i in range(len(TIMES)))


def hour(backlog: tuple[float, ...], arrivals: int, goodput: int) -> LastHour:
    return LastHour(TIMES, backlog, arrivals, goodput)


class TestBacklogChange:
    def test_a_straight_line_changes_by_its_slope_times_the_hour(self) -> None:
        assert backlog_change(TIMES, line(1000, -600)) == pytest.approx(-600)
        assert backlog_change(TIMES, line(1000, 250)) == pytest.approx(250)

    def test_noise_around_a_level_changes_little(self) -> None:
        wobble = tuple(5000 + (30 if i % 2 else -30) for i in range(len(TIMES)))
        assert abs(backlog_change(TIMES, wobble)) < 5

    def test_fewer_than_two_samples_change_nothing(self) -> None:
        assert backlog_change((1.0,), (10.0,)) == 0.0
        assert backlog_change((), ()) == 0.0


class TestFalling:
    def test_a_drop_beyond_the_floor_and_the_share_is_falling(self) -> None:
        assert falling(TIMES, line(10_000, -150))  # 1.5 % of ~9,925
        assert falling(TIMES, line(100, -6))  # above 5 messages

    def test_a_drop_within_one_percent_of_the_level_is_not(self) -> None:
        assert not falling(TIMES, line(10_000, -90))

    def test_a_drop_within_five_messages_is_not(self) -> None:
        assert not falling(TIMES, line(100, -4))

    def test_a_rise_is_not(self) -> None:
        assert not falling(TIMES, line(100, 500))


class TestGoodputBelowArrivals:
    def test_short_by_more_than_three_standard_deviations_is_below(self) -> None:
        assert 3 * math.sqrt(21_600) == pytest.approx(440.9, abs=0.01)
        assert goodput_below_arrivals(21_600 - 441, 21_600)
        assert goodput_below_arrivals(0, 21_600)

    def test_within_the_noise_of_the_arrivals_is_not(self) -> None:
        assert not goodput_below_arrivals(21_600 - 440, 21_600)
        assert not goodput_below_arrivals(21_600 + 500, 21_600)


class TestClassify:
    def test_a_replication_that_recovered_recovers_whatever_its_last_hour(self) -> None:
        assert classify(True, hour(line(100_000, 20_000), 21_600, 0)) == RECOVERS

    def test_a_growing_backlog_with_no_goodput_stays_degraded(self) -> None:
        """The metastable state of recovery-surge: every send times out, the backlog grows
        at the arrival rate."""
        assert classify(False, hour(line(130_000, 21_600), 21_600, 0)) == STAYS_DEGRADED

    def test_a_level_backlog_with_goodput_below_arrivals_stays_degraded(self) -> None:
        """Not falling includes level: what leaves is what arrives, but not as goodput."""
        assert classify(False, hour(line(50_000, 0), 21_600, 10_000)) == STAYS_DEGRADED

    def test_a_falling_backlog_is_recovering_at_the_horizon(self) -> None:
        assert classify(False, hour(line(60_000, -7_200), 21_600, 28_800)) == RECOVERING

    def test_a_falling_backlog_is_recovering_even_with_goodput_below_arrivals(self) -> None:
        """Messages given up (dead-lettered, expired) drain the backlog without goodput: it
        is not overloaded."""
        assert classify(False, hour(line(60_000, -7_200), 21_600, 5_000)) == RECOVERING

    def test_a_level_backlog_whose_goodput_keeps_pace_is_recovering(self) -> None:
        """Not falling, but not overloaded either: a design that holds its backlog level."""
        assert classify(False, hour(line(50_000, 0), 21_600, 21_600)) == RECOVERING

    def test_a_drop_within_the_noise_does_not_save_an_overloaded_system(self) -> None:
        assert classify(False, hour(line(10_000, -90), 21_600, 0)) == STAYS_DEGRADED


class TestPointClass:
    def test_most_replications_decide(self) -> None:
        assert point_class([RECOVERS, RECOVERS, STAYS_DEGRADED]) == RECOVERS
        assert point_class([STAYS_DEGRADED, RECOVERING, STAYS_DEGRADED]) == STAYS_DEGRADED
        assert point_class([RECOVERING]) == RECOVERING

    def test_a_tie_goes_to_the_worse_class(self) -> None:
        assert point_class([RECOVERS, STAYS_DEGRADED]) == STAYS_DEGRADED
        assert point_class([RECOVERS, RECOVERING]) == RECOVERING
        assert point_class([RECOVERS, RECOVERING, STAYS_DEGRADED]) == STAYS_DEGRADED
        assert point_class([RECOVERING, RECOVERS, RECOVERS, RECOVERING]) == RECOVERING

    def test_no_replications_or_an_unknown_class_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            point_class([])
        with pytest.raises(ValueError, match="not a class: 'fine'"):
            point_class([RECOVERS, "fine"])
