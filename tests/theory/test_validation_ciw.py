"""ehrsim against an independent simulator: Ciw runs the same networks and must agree.

The engine's replications are the validation suite's own (conftest.py CONFIGS, cached for the
session); Ciw runs ten replications of each network with its own seeds (tests/theory/ciw_models.py
maps the channel to a Ciw node). Each comparison asserts that the Welch 95 % interval of the
difference of the two means holds 0; a disagreement is confirmed or dismissed on ten fresh
replications of each simulator (see `assert_same`).

Ciw runs about 25,000 customers per CPU-second on one node (15,000 on the tandem), a third of
the engine's speed, so its runs are shorter and set the precision of these comparisons. Power of
one stage against a 5 % difference, from the spread observed at the fixed seeds: M/M/3 mean and
p95 0.17; priority stat 0.93, urgent 0.62, routine 0.19; tandem transform 0.32, channel 0.23;
outage backlog at the end of the stall 1.00, 10 min into the drain 0.39, drain time 0.83. These
checks are the independent witness, not the precise one: they catch differences of 10-15 % in
the waits (a LIFO engine's p95 is 15-22 % off Ciw's and fails; so does a doubled service time),
while the theory checks in test_validation.py carry the 5 % precision. The outage, which has no
exact formula, is where Ciw matters most: there the two simulators agree to about 1 %.

The M/M/3 and tandem comparisons (power 0.17-0.32 per stage, 12 s of Ciw in pure Python) run in
the slow profile: on those networks the theory checks carry the precision, and the priority and
outage comparisons stay in every run.
"""

from __future__ import annotations

from collections.abc import Callable

import ciw_models as cm
import numpy as np
import pytest

from sim.scenario import load_scenario

REPLICATIONS = 10


def _seed(stage: int, r: int) -> int:
    """Ciw's seed for replication r of a stage (stage 1 holds the fresh replications)."""
    return 1 + 100 * stage + r


@pytest.fixture(scope="module")
def ciw_mm3() -> Callable[[int], list[cm.Waits]]:
    """Ciw's replications of mm3.yaml's M/M/3 queue, by stage.

    600 s x 24/s = 14,400 customers measured per replication, after a 300 s warm-up.
    """
    cache: dict[int, list[cm.Waits]] = {}

    def stage(s: int) -> list[cm.Waits]:
        if s not in cache:
            cache[s] = [
                cm.mmc_waits(24.0, 0.1, 3, 900.0, 300.0, _seed(s, r)) for r in range(REPLICATIONS)
            ]
        return cache[s]

    return stage


@pytest.fixture(scope="module")
def ciw_priority() -> Callable[[int], list[tuple[cm.Waits, ...]]]:
    """Ciw's replications of priority.yaml's three-class queue, by stage.

    1,500 s x 8/s = 12,000 customers measured per replication, after a 300 s warm-up.
    """
    cache: dict[int, list[tuple[cm.Waits, ...]]] = {}

    def stage(s: int) -> list[tuple[cm.Waits, ...]]:
        if s not in cache:
            cache[s] = [
                cm.priority_waits((1.6, 2.4, 4.0), 0.1, 1, 1800.0, 300.0, _seed(s, r))
                for r in range(REPLICATIONS)
            ]
        return cache[s]

    return stage


@pytest.fixture(scope="module")
def ciw_tandem() -> Callable[[int], list[tuple[cm.Waits, ...]]]:
    """Ciw's replications of tandem.yaml's two M/M/2 nodes, by stage.

    1,200 s x 10/s = 12,000 customers measured per replication, after a 300 s warm-up.
    """
    cache: dict[int, list[tuple[cm.Waits, ...]]] = {}

    def stage(s: int) -> list[tuple[cm.Waits, ...]]:
        if s not in cache:
            cache[s] = [
                cm.tandem_waits(10.0, (0.14, 0.16), (2, 2), 1500.0, 300.0, _seed(s, r))
                for r in range(REPLICATIONS)
            ]
        return cache[s]

    return stage


@pytest.fixture(scope="module")
def stall() -> dict[str, float]:
    """The stall world of stall.yaml: rates, servers and the stall's window."""
    sc = load_scenario("theory/stall")
    fault = sc.faults[0]
    flow = next(iter(sc.flows.values()))
    system = sc.systems[flow.to]
    assert flow.rate is not None and fault.duration is not None and sc.horizon is not None
    return {
        "lam": flow.rate,
        "mean": system.ack.mean,
        "c": system.connections,
        "at": fault.at,
        "end": fault.at + fault.duration,
        "horizon": sc.horizon,
        "step": sc.sample_every,
        "warmup": sc.warmup,
    }


@pytest.fixture(scope="module")
def ciw_outage(stall: dict[str, float]) -> Callable[[int], list[np.ndarray]]:
    """Ciw's backlog curves of the stall world sampled on the engine's grid, by stage."""
    cache: dict[int, list[np.ndarray]] = {}
    p = stall

    def stage(s: int) -> list[np.ndarray]:
        if s not in cache:
            cache[s] = [
                cm.outage_backlog(
                    p["lam"],
                    p["mean"],
                    int(p["c"]),
                    p["at"],
                    p["end"] - p["at"],
                    p["horizon"],
                    p["step"],
                    _seed(s, r),
                )
                for r in range(REPLICATIONS)
            ]
        return cache[s]

    return stage


@pytest.mark.slow
class TestMMc:
    """Ciw's M/M/3 and the engine's M/M/3 channel (mm3.yaml) wait alike."""

    def test_mean_wait(self, engine, same, ciw_mm3) -> None:
        """The mean channel wait is the same in both simulators."""
        same(
            lambda s: [f.wait for f in engine.config("mm3-rho80", s)],
            lambda s: [w.mean for w in ciw_mm3(s)],
            "M/M/3 mean Wq",
        )

    def test_p95_wait(self, engine, same, ciw_mm3) -> None:
        """The 95th percentile of the wait is the same in both simulators."""
        same(
            lambda s: [f.p95 for f in engine.config("mm3-rho80", s)],
            lambda s: [w.p95 for w in ciw_mm3(s)],
            "M/M/3 p95 Wq",
        )


class TestPriority:
    """Ciw's non-preemptive priority queue and the engine's priority discipline agree."""

    @pytest.mark.parametrize(("k", "name"), [(0, "stat"), (1, "urgent"), (2, "routine")])
    def test_class_wait(self, engine, same, ciw_priority, k: int, name: str) -> None:
        """Each class waits as long on average in both simulators."""
        same(
            lambda s: [f.waits[k] for f in engine.config("priority", s)],
            lambda s: [w[k].mean for w in ciw_priority(s)],
            f"priority {name} Wq",
        )


@pytest.mark.slow
class TestTandem:
    """Ciw's two M/M/2 nodes in series and the engine's transform station and channel agree."""

    def test_transform_wait(self, engine, same, ciw_tandem) -> None:
        """The wait at the transform station is the wait at Ciw's first node."""
        same(
            lambda s: [f.transform_wait for f in engine.config("tandem", s)],
            lambda s: [w[0].mean for w in ciw_tandem(s)],
            "tandem Wq1",
        )

    def test_channel_wait(self, engine, same, ciw_tandem) -> None:
        """The channel wait is the wait at Ciw's second node."""
        same(
            lambda s: [f.wait for f in engine.config("tandem", s)],
            lambda s: [w[1].mean for w in ciw_tandem(s)],
            "tandem Wq2",
        )


class TestOutage:
    """An engine stall in hold mode is a Ciw server schedule with no server for its window."""

    def _grid(self, stall: dict[str, float]) -> np.ndarray:
        return np.arange(0.0, stall["horizon"] + stall["step"] / 2, stall["step"])

    def test_backlog_at_the_end_of_the_stall(self, engine, same, ciw_outage, stall) -> None:
        """Both build the same backlog by the end of the stall."""
        grid, end = self._grid(stall), stall["end"]
        same(
            lambda s: [cm.sample_at(f.times, f.backlog, end) for f in engine.config("stall", s)],
            lambda s: [cm.sample_at(grid, b, end) for b in ciw_outage(s)],
            "backlog at the end of the stall",
        )

    def test_backlog_half_way_through_the_drain(self, engine, same, ciw_outage, stall) -> None:
        """Ten minutes after the stall both have drained the same share of it."""
        grid, t = self._grid(stall), stall["end"] + 600.0
        same(
            lambda s: [cm.sample_at(f.times, f.backlog, t) for f in engine.config("stall", s)],
            lambda s: [cm.sample_at(grid, b, t) for b in ciw_outage(s)],
            "backlog 10 min after the stall",
        )

    def test_drain_time(self, engine, same, ciw_outage, stall) -> None:
        """Both get back to their normal level after the same time."""
        grid, p = self._grid(stall), stall

        def drain(times: np.ndarray, backlog: np.ndarray) -> float:
            level = cm.normal_level(times, backlog, p["warmup"], p["at"])
            return cm.drain_time(times, backlog, p["end"], level)

        same(
            lambda s: [drain(f.times, f.backlog) for f in engine.config("stall", s)],
            lambda s: [drain(grid, b) for b in ciw_outage(s)],
            "drain time",
        )
