"""The M/M/3 channel three ways, side by side: the engine, Ciw, and a bare heapq loop.

Each repetition runs the three on the same queue (lambda = 2/s, exponential service of mean
1.2 s, 3 servers, rho = 0.8) for the same simulated time, one after the other in an order that
rotates between repetitions, and takes the ratios of their customers per CPU-second within the
repetition.  The engine crosses two stations (a 1 ms transform on 100 cores, then the channel)
and keeps every metric of a scenario run; Ciw and the loop cross one.  The engine's time runs
from the world's construction to the finished summary; Ciw's from the network's construction
to its records; the loop's is the whole function.

The engine's answer is checked against Erlang C (:func:`sim.theory.mmc`), so a faster engine
that simulates the wrong queue fails the benchmark instead of winning it.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field

from benchmarks.common import MM3, Sizes, cpu_time, median, rotated
from benchmarks.heapq_mm3 import simulate_mmc

LAM = 2.0
MEAN_SERVICE = 1.2
SERVERS = 3
CHANNEL = "lab"
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


def run_engine(horizon_s: float, warmup_s: float, seed: int) -> Contender:
    """The engine's M/M/3 world, construction to summary; customers are messages delivered."""
    from sim import load_scenario, run

    scenario = load_scenario(MM3, sets=[f"horizon={horizon_s}s", f"warmup={warmup_s}s"])
    result, cpu = cpu_time(lambda: run(scenario, seed=seed, replications=1))
    summary = result.summary
    wait = summary["queues"][CHANNEL]["wait_s"]["mean"]
    return Contender("engine", int(summary["messages"]["delivered"]), cpu, float(wait))


def run_ciw(horizon_s: float, warmup_s: float, seed: int) -> Contender:
    """Ciw's M/M/3, network construction to its records; customers are completed services."""
    import ciw

    def go() -> tuple[int, float]:
        ciw.seed(seed)
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(LAM)],
            service_distributions=[ciw.dists.Exponential(1.0 / MEAN_SERVICE)],
            number_of_servers=[SERVERS],
        )
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(horizon_s)
        records = simulation.get_all_records()
        waits = [r.waiting_time for r in records if r.arrival_date >= warmup_s]
        return len(records), sum(waits) / len(waits) if waits else 0.0

    (count, wait), cpu = cpu_time(go)
    return Contender("ciw", count, cpu, wait)


def run_loop(horizon_s: float, warmup_s: float, seed: int) -> Contender:
    """The bare heapq loop's M/M/3; customers are completed services."""
    result, cpu = cpu_time(
        lambda: simulate_mmc(LAM, 1.0 / MEAN_SERVICE, SERVERS, horizon_s, warmup_s, seed)
    )
    return Contender("heapq", result.completed, cpu, result.mean_wait)


RUNNERS = {"engine": run_engine, "ciw": run_ciw, "heapq": run_loop}


def measure(sizes: Sizes) -> Mm3Result:
    """Run the three for `sizes.repeats` repetitions and check the engine against Erlang C.

    Raises:
        AssertionError: When the engine's mean wait is off Erlang C by more than the
            tolerance (4 sd of the pooled estimate).
    """
    horizon, warmup = sizes.mm3_horizon_s, sizes.mm3_warmup_s
    wq = theory_wait()
    measured = int(LAM * (horizon - warmup)) * sizes.repeats
    result = Mm3Result(horizon, warmup, wq, tolerance(measured))
    names = list(RUNNERS)
    for i in range(sizes.repeats):
        rep: dict[str, Contender] = {}
        for name in rotated(names, i):
            gc.collect()  # nobody pays for the previous contender's garbage
            rep[name] = RUNNERS[name](horizon, warmup, i + 1)
        result.reps.append(rep)
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
