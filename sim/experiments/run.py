"""Running a scenario: replications, the aggregated summary, hypotheses.

This is the API behind `ehrsim run` and the notebooks.  It returns plain data; writing the
results folder is the report layer's job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.experiments.executors import Executor, LocalExecutor, runs_here
from sim.metrics.registry import lookup
from sim.metrics.stats import ci_tree, mean_tree, round_tree
from sim.metrics.summary import (
    FORMAT_VERSION,
    people_recovery,
    recoveries,
    replication_summary,
)
from sim.model.message import CLASSES
from sim.model.records import Event, Samples, TraceRow
from sim.model.world import World

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

Progress = Callable[[int, float], None]
"""(replication index, simulated seconds reached) -> None."""


@dataclass
class ReplicationResult:
    """What one replication leaves behind: its figures, backlog samples and events."""

    index: int
    summary: dict[str, Any]
    samples: Samples
    events: list[Event]
    latency_rows: list[dict[str, Any]]
    complete: bool
    stop_reason: str
    trace: list[TraceRow] | None = None


@dataclass
class RunResult:
    """A scenario's run: every replication and the aggregated summary."""

    scenario: Scenario
    seed: int
    horizon: float
    replications: list[ReplicationResult]
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every replication reached its horizon."""
        return all(r.complete for r in self.replications)

    @property
    def stop_reason(self) -> str:
        """Why the first incomplete replication stopped early ('' when all completed)."""
        return next((r.stop_reason for r in self.replications if not r.complete), "")

    @property
    def failed_hypotheses(self) -> list[dict[str, Any]]:
        """The hypotheses that did not hold."""
        return [h for h in self.summary.get("hypotheses", []) if not h["passed"]]


def replicate(
    scenario: Scenario,
    index: int,
    *,
    seed: int | None = None,
    horizon: float | None = None,
    trace: bool = False,
    progress: Progress | None = None,
    prepare: Callable[[World], None] | None = None,
) -> ReplicationResult:
    """Run one replication and keep what the results need (the World itself is dropped).

    ``prepare(world)``, when given, is called on the built world before it runs: an observer
    may schedule a callback on its clock there (see :mod:`sim.experiments.last_hour`). It must
    not change the world's state, so that the figures stay those of ``ehrsim run``.
    """
    world = World(scenario, index, seed=seed, horizon=horizon, trace=trace)
    if prepare is not None:
        prepare(world)
    world.run(progress=(lambda t: progress(index, t)) if progress else None)
    summary = replication_summary(world)
    events = list(world.events)
    for sid, rec in recoveries(world).items():
        for t, phase in rec.phases[1:]:
            events.append(Event(t, "phase", sid, phase))
        if rec.time_s is None:
            events.append(Event(world.end, "not-recovered", sid, rec.reason))
    people = people_recovery(world) if summary["people_recovery_time_s"] is None else None
    if people is not None:
        events.append(Event(world.end, "not-recovered", "people", people[1]))
    events.sort(key=lambda e: e.time_s)
    rows = []
    for fid, flow in world.flows.items():
        for k in sorted(flow.classes):
            h = flow.latency[k]
            rows.append(
                {
                    "replication": index,
                    "flow": fid,
                    "priority": CLASSES[k],
                    "count": h.count,
                    "mean_s": h.mean,
                    "p50_s": h.quantile(0.5),
                    "p95_s": h.quantile(0.95),
                    "p99_s": h.quantile(0.99),
                    "max_s": h.max if h.count else None,
                }
            )
    return ReplicationResult(
        index,
        summary,
        world.samples,
        events,
        rows,
        world.complete,
        world.stop_reason,
        world.trace,
    )


def evaluate_hypotheses(scenario: Scenario, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Judge each hypothesis on the (mean) figures; a missing or null figure fails."""
    out = []
    for hyp in scenario.hypotheses:
        try:
            value = lookup(summary, hyp.metric)
        except KeyError:
            value = None
        entry: dict[str, Any] = {"metric": hyp.metric}
        if hyp.below is not None:
            entry["below"] = hyp.below
            passed = value is not None and value < hyp.below
        elif hyp.above is not None:
            entry["above"] = hyp.above
            passed = value is not None and value > hyp.above
        else:
            entry["equals"] = hyp.equals
            passed = value is not None and math.isclose(value, hyp.equals or 0.0, abs_tol=1e-9)
        entry["value"] = value if isinstance(value, int | float) else None
        entry["passed"] = bool(passed)
        out.append(entry)
    return out


def aggregate(scenario: Scenario, seed: int, reps: list[ReplicationResult]) -> dict[str, Any]:
    """summary.json: the mean of every figure over the replications, hypotheses and CI95."""
    trees = [r.summary for r in reps]
    summary: dict[str, Any] = mean_tree(trees) if len(trees) > 1 else dict(trees[0])
    summary["format_version"] = FORMAT_VERSION
    summary["scenario"] = scenario.name
    summary["seed"] = seed
    summary["replications"] = len(reps)
    summary["complete"] = all(r.complete for r in reps)
    shares = [t["recovered_share"] for t in trees if t["recovered_share"] is not None]
    summary["recovered_share"] = sum(shares) / len(shares) if shares else None
    summary = round_tree(summary)
    summary["hypotheses"] = evaluate_hypotheses(scenario, summary)
    figures = {k: v for k, v in (trees[0] if len(trees) == 1 else summary).items()}
    for key in ("format_version", "scenario", "seed", "replications", "complete", "hypotheses"):
        figures.pop(key, None)
    summary["ci95"] = round_tree(ci_tree([{k: t[k] for k in figures} for t in trees]))
    return summary


@dataclass(frozen=True)
class _Job:
    """One replication to run in a worker (picklable)."""

    scenario: Scenario
    seed: int
    horizon: float
    trace: bool

    def __call__(self, index: int) -> ReplicationResult:
        return replicate(self.scenario, index, seed=self.seed, horizon=self.horizon,
                         trace=self.trace)  # fmt: skip


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    replications: int | None = None,
    horizon: float | None = None,
    trace: bool = False,
    progress: Progress | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
) -> RunResult:
    """Run a scenario's replications (on `jobs` worker processes, or `executor`) and aggregate
    them.

    Replication i uses the streams derived from (seed, i), so replication 0 of a run with 20
    replications is the same as a run with one, and the result does not depend on `jobs` or on
    the executor (see :func:`sim.experiments.executors.open_executor`; it replaces `jobs`).
    With workers, `progress` hears of each replication once, when it is done.
    """
    seed = scenario.seed if seed is None else seed
    n = scenario.replications if replications is None else replications
    if n < 1:
        raise ValueError("replications must be at least 1")
    end = float(horizon if horizon is not None else scenario.horizon)  # type: ignore[arg-type]
    executor = LocalExecutor(max(1, jobs)) if executor is None else executor
    if runs_here(executor, n):
        reps = [
            replicate(scenario, i, seed=seed, horizon=end, trace=trace, progress=progress)
            for i in range(n)
        ]
    else:
        done = (lambda i, _r: progress(i, end)) if progress is not None else None
        reps = executor.map(_Job(scenario, seed, end, trace), range(n), done)
    result = RunResult(scenario, seed, end, reps)
    result.summary = aggregate(scenario, seed, reps)
    return result
