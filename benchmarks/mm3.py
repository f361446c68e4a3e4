"""The M/M/3 channel three ways, side by side: the engine, Ciw, and a bare heapq loop.

Each repetition runs the three on the same queue (lambda = 2/s, exponential service of mean
1.2 s, 3 servers, rho = 0.8) for the same simulated time, each in its own process, taking turns
of 1/100 of the horizon (:mod:`benchmarks.lockstep`), so that they are timed across the same
stretches of the shared machine's load; the order of the turns rotates between repetitions,
and the ratios of their customers per CPU-second are taken within the repetition.  The engine
crosses two stations (a 1 ms transform on 100 cores, then the channel) and keeps every metric
of a scenario run; Ciw and the loop cross one.  The engine's time runs
from the world's construction to the finished summary; Ciw's from the network's construction
to its records; the loop's is the whole function.

The engine's answer is checked against Erlang C (:func:`sim.theory.mmc`), so a faster engine
that simulates the wrong queue fails the benchmark instead of winning it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from benchmarks.common import MM3, Sizes, median, rotated
from benchmarks.heapq_mm3 import MmcLoop
from benchmarks.lockstep import Turn, run_lockstep

LAM = 2.0
MEAN_SERVICE = 1.2
SERVERS = 3
CHANNEL = "lab"
STEPS = 100
"""Turns each contender takes (the engine's `World.run` reports progress 100 times)."""
SD_AT_216K = 0.028
"""Relative sd of the M/M/3 (rho = 0.8) mean wait over 216,000 messages (scenarios/theory/mm3);
the figure does not depend on the time scale, so it holds for this queue too."""


@dataclass(frozen=True)
class Contender:
    """One implementation's run: customers completed, CPU seconds, mean wait after warm-up."""

    name: str
    customers: int
    cpu_s: float
    mean_wait: float

    @property
    def rate(self) -> float:
        """Customers completed per CPU-second."""
        return self.customers / self.cpu_s if self.cpu_s > 0 else float("inf")


@dataclass
class Mm3Result:
    """Every repetition of the three, and the Erlang C check."""

    horizon_s: float
    warmup_s: float
    theory_wait: float
    tolerance: float
    """Relative tolerance of the Erlang C check on the engine's pooled mean wait."""
    reps: list[dict[str, Contender]] = field(default_factory=list)

    def median_rate(self, name: str) -> float:
        """Median customers per CPU-second of one contender."""
        return median([rep[name].rate for rep in self.reps])

    def median_ratio(self, num: str, den: str) -> float:
        """Median over the repetitions of the within-repetition ratio of two rates."""
        return median([rep[num].rate / rep[den].rate for rep in self.reps])

    def pooled_wait(self, name: str) -> float:
        """A contender's mean wait, averaged over the repetitions (equal run lengths)."""
        return sum(rep[name].mean_wait for rep in self.reps) / len(self.reps)

    def wait_error(self, name: str) -> float:
        """Relative error of a contender's pooled mean wait against Erlang C."""
        return self.pooled_wait(name) / self.theory_wait - 1.0


def theory_wait() -> float:
    """Erlang C mean wait of the benchmark's M/M/3 (1.2944 s)."""
    from sim.theory import mmc

    return float(mmc(LAM, 1.0 / MEAN_SERVICE, SERVERS).wq)


def tolerance(messages: int) -> float:
    """Relative tolerance of the Erlang C check for `messages` measured: 4 sd, at least 2 %."""
    return max(0.02, 4.0 * SD_AT_216K * math.sqrt(216_000 / max(messages, 1)))


@dataclass(frozen=True)
class EngineRun:
    """The engine's M/M/3 world, construction to summary; customers are messages delivered."""

    horizon_s: float
    warmup_s: float
    seed: int

    def __call__(self, turn: Turn) -> Contender:
        from sim import load_scenario, run

        sets = [f"horizon={self.horizon_s}s", f"warmup={self.warmup_s}s"]
        scenario = load_scenario(MM3, sets=sets)
        start = time.process_time()
        result = run(scenario, seed=self.seed, replications=1, progress=lambda _i, _t: turn())
        cpu = time.process_time() - start
        summary = result.summary
        wait = summary["queues"][CHANNEL]["wait_s"]["mean"]
        return Contender("engine", int(summary["messages"]["delivered"]), cpu, float(wait))


@dataclass(frozen=True)
class CiwRun:
    """Ciw's M/M/3, network construction to its records; customers are completed services.

    It runs in STEPS slices of `simulate_until_max_time`, which carries on from where the
    previous call stopped (each call also adds to the servers' utilisation figures, which are
    not used here).
    """

    horizon_s: float
    warmup_s: float
    seed: int

    def __call__(self, turn: Turn) -> Contender:
        import ciw

        start = time.process_time()
        ciw.seed(self.seed)
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(LAM)],
            service_distributions=[ciw.dists.Exponential(1.0 / MEAN_SERVICE)],
            number_of_servers=[SERVERS],
        )
        simulation = ciw.Simulation(network)
        for i in range(1, STEPS + 1):
            simulation.simulate_until_max_time(self.horizon_s * i / STEPS)
            turn()
        records = simulation.get_all_records()
        waits = [r.waiting_time for r in records if r.arrival_date >= self.warmup_s]
        wait = sum(waits) / len(waits) if waits else 0.0
        cpu = time.process_time() - start
        return Contender("ciw", len(records), cpu, wait)


@dataclass(frozen=True)
class LoopRun:
    """The bare heapq loop's M/M/3; customers are completed services."""

    horizon_s: float
    warmup_s: float
    seed: int

    def __call__(self, turn: Turn) -> Contender:
        start = time.process_time()
        loop = MmcLoop(LAM, 1.0 / MEAN_SERVICE, SERVERS, self.warmup_s, self.seed)
        for i in range(1, STEPS + 1):
            loop.advance(self.horizon_s * i / STEPS)
            turn()
        result = loop.result()
        cpu = time.process_time() - start
        return Contender("heapq", result.completed, cpu, result.mean_wait)


RUNNERS = {"engine": EngineRun, "ciw": CiwRun, "heapq": LoopRun}


def measure(sizes: Sizes) -> Mm3Result:
    """Run the three in turns for `sizes.repeats` repetitions; check the engine's Erlang C wait.

    Raises:
        AssertionError: When the engine's mean wait is off Erlang C by more than the
            tolerance (4 sd of the pooled estimate).
    """
    horizon, warmup = sizes.mm3_horizon_s, sizes.mm3_warmup_s
    wq = theory_wait()
    measured = int(LAM * (horizon - warmup)) * sizes.repeats
    result = Mm3Result(horizon, warmup, wq, tolerance(measured))
    for i in range(sizes.repeats):
        names = rotated(list(RUNNERS), i)
        runs = run_lockstep([RUNNERS[name](horizon, warmup, i + 1) for name in names])
        result.reps.append({c.name: c for c in runs})
    check_erlang_c(result)
    return result


def check_erlang_c(result: Mm3Result) -> None:
    """Fail when the engine's pooled mean wait is off Erlang C by more than the tolerance.

    Raises:
        AssertionError: Naming both waits and the tolerance.
    """
    error = result.wait_error("engine")
    if not abs(error) <= result.tolerance:  # also fails on NaN
        raise AssertionError(
            f"the engine's M/M/3 mean wait {result.pooled_wait('engine'):.4f} s is "
            f"{error:+.1%} off Erlang C's {result.theory_wait:.4f} s "
            f"(tolerance {result.tolerance:.1%})"
        )
