"""Messages per CPU-second on the shipped scenarios: the capital-region baseline and the
December 2017 replay, each run with enough replications to reach a million messages, and on the
benchmark's M/M/3 channel alone (one replication of a million messages).

The time runs from the first world's construction to the finished (aggregated) summary, on one
process (`sim.run(..., jobs=1)`); the scenario's loading is timed apart.  Messages are those
created (orders, results and receipts), summed over the replications.
"""

from __future__ import annotations

import dataclasses
import gc
import math
from dataclasses import dataclass, field

from benchmarks.common import BASELINE, MM3, Sizes, cpu_time, december_source, median, relative


@dataclass(frozen=True)
class ThroughputRun:
    """One timed run: its messages, CPU seconds and replications."""

    messages: int
    cpu_s: float
    replications: int

    @property
    def rate(self) -> float:
        """Messages per CPU-second."""
        return self.messages / self.cpu_s if self.cpu_s > 0 else float("inf")


@dataclass
class ThroughputResult:
    """Repetitions of one scenario's million-message run."""

    label: str
    scenario: str
    sets: tuple[str, ...]
    note: str
    load_cpu_s: float
    replications: int
    runs: list[ThroughputRun] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Median messages per CPU-second."""
        return median([r.rate for r in self.runs])

    @property
    def messages(self) -> int:
        """Messages of one run (the same in every repetition: same seed)."""
        return self.runs[0].messages

    @property
    def cpu_s(self) -> float:
        """Median CPU seconds of a run."""
        return median([r.cpu_s for r in self.runs])


def replications_for(
    scenario_path: str, sets: tuple[str, ...], messages: int, share: float = 0.9
) -> int:
    """Replications expected to reach `messages`, from the scenario's planned load.

    The plan counts the steady state; a run of the shipped scenarios starts empty (the baseline
    creates ~93 % of its planned messages in a day), so by default the estimate is taken as
    90 % of it (`share`); a flat Poisson flow gets what is planned (`share=1`).
    """
    from sim import load_scenario, plan

    expected = plan(load_scenario(scenario_path, sets=list(sets))).messages
    return max(1, math.ceil(messages / (share * expected)))


def measure_one(
    label: str,
    scenario_path: str,
    sets: tuple[str, ...],
    note: str,
    sizes: Sizes,
    share: float = 0.9,
) -> ThroughputResult:
    """Time `sizes.repeats` runs of a scenario with enough replications for the messages."""
    from sim import load_scenario, run

    sets = (*sets, *sizes.throughput_sets)
    scenario, load_cpu = cpu_time(lambda: load_scenario(scenario_path, sets=list(sets)))
    n = replications_for(scenario_path, sets, sizes.min_messages, share)
    result = ThroughputResult(label, relative(scenario_path), sets, note, load_cpu, n)

    def timed(replications: int) -> tuple[int, float]:
        gc.collect()
        out, cpu = cpu_time(lambda: run(scenario, replications=replications))
        return sum(int(r.summary["messages"]["created"]) for r in out.replications), cpu

    for _ in range(sizes.repeats):
        messages, cpu = timed(n)
        while messages < sizes.min_messages:  # the plan overestimated: one more replication
            n += 1
            result.replications = n
            messages, cpu = timed(n)
        result.runs.append(ThroughputRun(messages, cpu, n))
    return result


def measure(sizes: Sizes) -> tuple[ThroughputResult, ThroughputResult, ThroughputResult]:
    """The baseline, the December replay (or its stand-in) and the M/M/3 channel alone."""
    baseline = measure_one(
        "capital-region baseline", str(BASELINE), (), "`scenarios/baseline-weekday.yaml`", sizes
    )
    path, sets, note = december_source()
    december = measure_one("December 2017 replay", path, sets, note, sizes)
    mm3_sets = (f"horizon={sizes.mm3_horizon_s}s", f"warmup={sizes.mm3_warmup_s}s")
    channel = measure_one(
        "M/M/3 channel",
        str(MM3),
        mm3_sets,
        "`benchmarks/scenarios/mm3.yaml`",
        dataclasses.replace(sizes, throughput_sets=()),
        share=1.0,
    )
    return baseline, december, channel
