"""`sim.find_capacity` (`ehrsim plan`): the analytic answer on a closed-form world with fewer
runs than the grid, the verdict rule, replications grown only where the interval straddles the
target, and the reading of ranges and targets.

The world (tests/data/drain.yaml): one flow at λ = 1/s into one system with c connections,
each serving a message in S (constant 500 ms, or exponential with that mean: μ = 1/E[S] = 2/s
per connection). The engine stalls for T = 10 min in ``hold`` mode: messages keep arriving and
none leaves, so the backlog at the stall's end is B = λT = 600 messages (Poisson, sd 24). After
it every connection is busy until the backlog is gone, so by the fluid model it falls at the
capacity minus the arrivals, c·μ − λ, and drains in

    D(c) = λT / (c·μ − λ) = 600 / (2c − 1) s:  600, 200, 120, 85.7, 66.7, ... for c = 1, 2, 3, 4, 5.

The simulated recovery time is the first 5 s sample at or below the normal level (at least 5
messages) after the stall: D(c) within a few seconds (−5/(2c−1) s, + up to one sample). The
randomness (the arrivals' Poisson spread, plus the services' with exponential service) gives
an sd of about 10 s at c = 2, so targets halfway between D(c) and D(c+1) sit many standard
errors from both, and the answer is the smallest c with D(c) below the target.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import sim
from sim.experiments.capacity import (
    MET,
    NOT_MET,
    UNDECIDED,
    CapacityError,
    Target,
    decide,
    find_capacity,
    one_sided_t,
    parse_target,
    parse_vary,
)
from sim.experiments.figures import Figure
from sim.metrics.stats import t95

DRAIN = str(Path(__file__).parent / "data" / "drain.yaml")
KNOB = "systems.server.connections=1..16"


def drain_time(c: int, lam: float = 1.0, stall: float = 600.0, mu: float = 2.0) -> float:
    """D(c) = λT / (cμ − λ): the fluid model's drain time (see the module)."""
    return math.inf if c * mu <= lam else lam * stall / (c * mu - lam)


def analytic_answer(target_s: float, values: range) -> int | None:
    return next((c for c in values if drain_time(c) < target_s), None)


class TestClosedForm:
    @pytest.mark.parametrize(
        ("ack", "target_s"),
        [
            ("constant(500ms)", 400.0),  # between D(1) = 600 and D(2) = 200: 2
            ("constant(500ms)", 160.0),  # between D(2) = 200 and D(3) = 120: 3
            ("constant(500ms)", 100.0),  # between D(3) = 120 and D(4) = 85.7: 4
            ("exponential(500ms)", 160.0),
        ],
    )
    def test_plan_finds_the_fluid_models_answer_with_fewer_runs_than_the_grid(
        self, ack: str, target_s: float
    ) -> None:
        found = find_capacity(
            DRAIN,
            KNOB,
            f"recovery_time_s < {target_s:g}s",
            sets=[f"systems.server.ack={ack}"],
        )
        expected = analytic_answer(target_s, range(1, 17))
        assert expected is not None
        assert found.answer == str(expected)
        assert found.to_json()["answer"] == expected
        # every verdict agrees with the fluid model at the values it saw
        for point in found.points:
            assert point.met == (drain_time(int(point.value)) < target_s), point
        # bisection: the top, then about log2(16) = 4 values, never the whole grid
        assert len(found.points) <= 6
        assert found.runs == sum(p.replications for p in found.points)
        assert found.runs < found.grid_runs == 16 * 3
        assert found.ran == found.runs  # no cache: each replication simulated once

    def test_a_drain_rate_knob_finds_the_fluid_answer_as_a_rate(self) -> None:
        # 8 connections (16/s) behind a token bucket of r/s: the backlog drains at r − λ, so
        # D(r) = 600 / (r − 1) s: 200 s at 4/s, 150 s at 5/s; below 175 s first at 5/s
        found = find_capacity(
            DRAIN, "strategy.drain.rate=2/s..12/s", "recovery_time_s < 175s", step="1/s",
            sets=["systems.server.connections=8"],
        )  # fmt: skip
        assert found.answer == "5/s" and found.to_json()["answer"] == "5/s"
        assert found.runs < found.grid_runs

    def test_the_point_below_the_answer_was_seen_and_fails(self) -> None:
        found = find_capacity(DRAIN, KNOB, "recovery_time_s < 160s")
        below = found.below()
        assert below is not None and below.value == "2" and below.verdict == NOT_MET
        mean = below.figure.mean
        assert mean is not None and abs(mean - drain_time(2)) < 10

    def test_nothing_in_the_range_gives_no_answer_and_says_why(self) -> None:
        found = find_capacity(DRAIN, "systems.server.connections=1..4", "recovery_time_s < 30s")
        assert found.answer is None
        assert [p.value for p in found.points] == ["4"]  # the top fails: nothing below can
        assert found.reason.startswith("not met at systems.server.connections=4, the top")
        assert found.to_json()["answer"] is None
        assert found.to_json()["reason"] == found.reason

    def test_a_replication_that_never_recovers_fails_the_target(self) -> None:
        # horizon 28 min: 8 min after the stall, too soon to see the queue back at its level
        # for the 15 min a recovery needs (with 1 connection it is not even drained)
        found = find_capacity(
            DRAIN, "systems.server.connections=1..1", "recovery_time_s < 1h",
            sets=["horizon=28min"],
        )  # fmt: skip
        (point,) = found.points
        assert point.figure.nulls == 3 and point.verdict == NOT_MET
        assert found.answer is None
        assert "null (never recovered) in 3/3 replications" in found.reason

    def test_each_value_has_the_figures_a_sweep_gives_that_point(self) -> None:
        found = find_capacity(DRAIN, KNOB, "recovery_time_s < 160s")
        swept = sim.sweep(
            DRAIN,
            ["systems.server.connections=" + ",".join(p.value for p in found.points)],
            ["recovery_time_s"],
            replications=3,
        )
        for point, row in zip(found.points, swept.points, strict=True):
            assert point.figure == row.figures["recovery_time_s"]

    def test_it_is_on_the_public_api_beside_plan(self) -> None:
        assert sim.find_capacity is find_capacity
        assert callable(sim.plan) and sim.plan.__module__ == "sim.experiments.plan"


class TestGrowth:
    def test_replications_grow_only_where_the_interval_straddles_the_target(self) -> None:
        # D(3) is about 122 s measured: a target there leaves c = 3 undecided; the others
        # are decided at once
        found = find_capacity(
            DRAIN, "systems.server.connections=1..8", "recovery_time_s < 122s",
            replications_max=6,
        )  # fmt: skip
        by_value = {p.value: p for p in found.points}
        assert by_value["3"].replications == 6
        assert by_value["3"].verdict == UNDECIDED  # counts as not met:
        assert found.answer == "4"
        for value, point in by_value.items():
            if value != "3":
                assert point.replications == 3, point
                assert point.verdict in (MET, NOT_MET)
        assert found.runs == 3 * (len(found.points) - 1) + 6
        assert found.ran == found.runs  # growing ran only the new replications

    def test_a_point_that_straddles_doubles_until_it_is_decided(self) -> None:
        # c = 3 gives 125, 125, 115 s (upper bound 131.4 s: straddles 130 s), then 115, 120,
        # 120 s (six: upper bound 123.7 s, met); it stops there, far below the maximum
        found = find_capacity(
            DRAIN, "systems.server.connections=3..3", "recovery_time_s < 130s",
            replications_max=20,
        )  # fmt: skip
        (point,) = found.points
        assert point.figure.values == (125.0, 125.0, 115.0, 115.0, 120.0, 120.0)
        assert point.verdict == MET
        assert found.answer == "3"


def fig(*values: float | None, metric: str = "recovery_time_s") -> Figure:
    return Figure(metric, tuple(values))


class TestVerdict:
    # 10, 12, 14: mean 12, sd 2, n 3; one-sided 95 %: t = 2.920, half = 3.372
    def test_upper_bound_against_the_target(self) -> None:
        values = fig(10.0, 12.0, 14.0)
        assert decide(values, parse_target("recovery_time_s < 16"), 0.95)[0] == MET
        verdict, bound = decide(values, parse_target("recovery_time_s < 15"), 0.95)
        assert verdict == "straddles"
        assert bound == pytest.approx(12 + 2.919986 * 2 / math.sqrt(3), abs=1e-5)
        assert decide(values, parse_target("recovery_time_s < 8.5"), 0.95)[0] == NOT_MET
        assert decide(values, parse_target("recovery_time_s < 8.7"), 0.95)[0] == "straddles"

    def test_the_mean_alone_is_not_enough(self) -> None:
        values = fig(10.0, 12.0, 14.0)
        assert decide(values, parse_target("recovery_time_s < 13"), 0.95)[0] == "straddles"
        assert decide(values, parse_target("recovery_time_s < 13"), 0.5)[0] == MET

    def test_lower_bound_for_a_target_from_below(self) -> None:
        values = fig(10.0, 12.0, 14.0, metric="peak_backlog")
        assert decide(values, parse_target("peak_backlog > 8"), 0.95)[0] == MET
        assert decide(values, parse_target("peak_backlog > 13"), 0.95)[0] == "straddles"
        assert decide(values, parse_target("peak_backlog >= 15.5"), 0.95)[0] == NOT_MET

    def test_or_equal_counts_the_boundary(self) -> None:
        values = fig(5.0, 5.0, 5.0)
        assert decide(values, parse_target("recovery_time_s <= 5"), 0.95)[0] == MET
        assert decide(values, parse_target("recovery_time_s < 5"), 0.95)[0] == NOT_MET

    def test_a_null_replication_fails_whatever_the_others(self) -> None:
        values = fig(1.0, None, 1.0)
        assert decide(values, parse_target("recovery_time_s < 1h"), 0.95) == (NOT_MET, None)

    def test_one_replication_has_no_interval_and_straddles(self) -> None:
        assert decide(fig(1.0), parse_target("recovery_time_s < 1h"), 0.95)[0] == "straddles"

    def test_one_sided_t_matches_the_tables(self) -> None:
        for df in range(1, 31):
            assert one_sided_t(0.975, df) == pytest.approx(t95(df), abs=6e-4)
        assert one_sided_t(0.95, 2) == pytest.approx(2.919986, abs=1e-5)
        assert one_sided_t(0.95, 10) == pytest.approx(1.812461, abs=1e-5)
        assert one_sided_t(0.99, 5) == pytest.approx(3.364930, abs=1e-5)
        assert one_sided_t(0.5, 7) == pytest.approx(0.0, abs=1e-8)


class TestReading:
    def test_targets_in_the_metrics_unit_or_with_units(self) -> None:
        assert parse_target("recovery_time_s < 30min") == Target(
            "recovery_time_s", "<", 1800.0, "recovery_time_s < 30min"
        )
        assert parse_target("recovery_time_s<=90").value == 90.0
        assert parse_target("goodput_share >= 95%").value == pytest.approx(0.95)
        assert parse_target("peak_backlog>1e3").op == ">"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("recovery_time_s about 1h", "is not 'METRIC OP VALUE'"),
            ("recovery_time_s <", "is not 'METRIC OP VALUE'"),
            ("< 1h", "is not 'METRIC OP VALUE'"),
            ("recovery_time_s < 5/s", "recovery_time_s is a time; '5/s' is not a duration"),
            ("peak_backlog < 30min", "'30min' is not a value of peak_backlog, which is in "
             "messages"),
            ("goodput_share > 9x%", "'9x%' is not a percentage"),
        ],
    )  # fmt: skip
    def test_malformed_targets(self, text: str, message: str) -> None:
        with pytest.raises(CapacityError, match=None) as info:
            parse_target(text)
        assert message in str(info.value)

    def test_ranges_with_units_are_written_in_the_unit_of_lo(self) -> None:
        knob = parse_vary("faults.0.for=30min..2h", "30min")
        assert knob.values == ("30min", "60min", "90min", "120min")
        assert not knob.integer and knob.json_value("30min") == "30min"
        rate = parse_vary("flows.orders.rate=10/s..20/s", "5/s")
        assert rate.values == ("10/s", "15/s", "20/s")
        whole = parse_vary("systems.lab.connections=2..9", "3")
        assert whole.values == ("2", "5", "8") and whole.json_value("5") == 5

    @pytest.mark.parametrize(
        ("vary", "step", "message"),
        [
            ("k=1..", None, "the range '1..' is empty or open"),
            ("k=..4", None, "the range '..4' is empty or open"),
            ("k=3", None, "the range '3' is empty or open"),
            ("k=4..1", None, "the range '4..1' is reversed (it would be empty); write 1..4"),
            ("k=2h..30min", "10min", "is reversed"),
            ("k=1min..3", "1min", "LO '1min' is a duration but HI '3' is a plain number"),
            ("k=1..3", "1min", "--step '1min' is a duration but the range is a plain number"),
            ("k=1min..3min", None, "give --step in the same unit"),
            ("k=1min..3min", "1/s", "--step '1/s' is a rate but the range is a duration"),
            ("k=1..3", "0", "--step '0' must be positive"),
            ("k=1x..3x", "1x", "has an unknown unit"),
            ("1..3", None, "is not KEY=LO..HI"),
        ],
    )
    def test_bad_ranges(self, vary: str, step: str | None, message: str) -> None:
        with pytest.raises(CapacityError) as info:
            parse_vary(vary, step)
        assert message in str(info.value)
