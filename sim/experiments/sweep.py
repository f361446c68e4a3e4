"""Parameter sweeps: a scenario run at every point of a grid of keys, on common random numbers.

Each point is the scenario with one value per ``--param`` key laid on it, as ``--set`` would lay
it; every point is built and validated before anything runs. Replication i of every point uses
the scenario's ``seed`` and i exactly as ``ehrsim run`` does, so points differ only by their
parameters, and a point's figures equal those of ``ehrsim run FILE --set KEY=V --replications
N``. A task is one (point, replication) and carries the resolved scenario, never a file path.
Finished replications go to a :class:`~sim.experiments.sweep_cache.ReplicationCache` as they
arrive, so a sweep that is stopped and run again reuses them::

    import sim
    result = sim.sweep("theory/stall", ["systems.server.connections=2..4"], replications=3)
    result.rows()[0][:5]   # ['2', 3, 1356.666667, 863.331058, 1850.002275]: 2 connections,
                           # 3 replications, recovery time and its 95 % interval

It prints nothing and writes nothing but the cache: :mod:`sim.report.sweep` writes the folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.compare import DEFAULT_METRICS, check_metrics
from sim.experiments.executors import Executor, LocalExecutor, open_executor
from sim.experiments.figures import Figure, figures_of
from sim.experiments.grid import Param, grid, parse_params
from sim.experiments.run import replicate
from sim.experiments.sweep_cache import ReplicationCache
from sim.metrics.stats import round_tree
from sim.metrics.summary import FORMAT_VERSION

if TYPE_CHECKING:
    from sim.scenario.errors import Problem
    from sim.scenario.load import Document
    from sim.scenario.schema import Scenario

__all__ = [
    "PARAM_OPTION",
    "Outcome",
    "Point",
    "PointResult",
    "PointsError",
    "SweepProgress",
    "SweepResult",
    "Task",
    "fixed_overlays",
    "load_grids",
    "load_points",
    "point_label",
    "run_points",
    "run_task",
    "sweep",
]

PARAM_OPTION = "--param"
"""How errors name a point's value."""

Outcome = dict[str, Any]
"""One replication's result as the cache stores it: ``summary`` (the replication's own
summary), ``complete`` and ``stop_reason``."""

SweepProgress = Callable[[int, int, bool], None]
"""(point index, replication index, reused from the cache) -> None, once per replication."""


class PointsError(ValueError):
    """Points of the grid that cannot run; ``lines`` says which and why (exit 2)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Point:
    """One point of the grid: its values (one per parameter, as typed) and its scenario."""

    index: int
    count: int
    settings: tuple[tuple[str, str], ...]
    """(key, value as typed) per parameter, in the order of the parameters."""
    scenario: Scenario
    variant: str = ""
    """The variant of the scenario the point is on (``""``: the scenario as loaded)."""

    @property
    def assignments(self) -> list[str]:
        """``KEY=VALUE`` per parameter, as ``--set`` takes them."""
        return [f"{key}={value}" for key, value in self.settings]

    @property
    def label(self) -> str:
        """How messages name the point: ``point 2/8 (systems.lab.connections=2)``."""
        return point_label(self.index, self.count, self.settings, self.variant)


def point_label(
    index: int, count: int, settings: Sequence[tuple[str, str]], variant: str = ""
) -> str:
    """``point 2/8 (systems.lab.connections=2)``: the point's place and its values, after
    its variant's name if it has one (``point 9/72 (variant 'drain-8': faults.0.for=1h)``)."""
    values = ", ".join(f"{key}={value}" for key, value in settings)
    if variant:
        values = f"variant {variant!r}: {values}"
    return f"point {index + 1}/{count} ({values})"


@dataclass(frozen=True)
class Task:
    """One replication of one point, to run anywhere (picklable, self-contained)."""

    scenario: Scenario
    index: int


def run_task(task: Task) -> Outcome:
    """Run one replication of a point as ``ehrsim run`` runs replication ``task.index``."""
    scenario = task.scenario
    rep = replicate(scenario, task.index, seed=scenario.seed, horizon=float(scenario.horizon or 0))
    return {"summary": rep.summary, "complete": rep.complete, "stop_reason": rep.stop_reason}


@dataclass
class PointResult:
    """A point's replications and its figures.

    Attributes:
        point: The point.
        outcomes: Each replication's :data:`Outcome`, in replication order.
        figures: Each metric's figure over the replications, in the order of the metrics.
    """

    point: Point
    outcomes: list[Outcome]
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether every replication reached its horizon (no guard stopped it)."""
        return all(o["complete"] for o in self.outcomes)

    @property
    def stop_reason(self) -> str:
        """Why the first incomplete replication stopped early (``""`` when none did)."""
        for i, outcome in enumerate(self.outcomes):
            if not outcome["complete"]:
                return f"{self.point.label} replication {i}: {outcome['stop_reason']}"
        return ""


@dataclass
class SweepResult:
    """Every point of a sweep, in grid order, with its figures.

    Attributes:
        scenario: The scenario's name.
        seed: The seed every point ran with.
        replications: Replications per point (replication i of every point shares its random
            numbers with replication i of every other).
        params: The swept keys and their values, as given.
        metrics: The metrics of every point.
        points: Each point's result, in grid order (the first parameter outermost).
        reused: Replications taken from the cache (varies between identical sweeps).
        ran: Replications simulated by this sweep (varies likewise).
    """

    scenario: str
    seed: int
    replications: int
    params: tuple[Param, ...]
    metrics: tuple[str, ...]
    points: list[PointResult]
    reused: int = 0
    ran: int = 0

    @property
    def complete(self) -> bool:
        """Whether every replication of every point reached its horizon."""
        return all(p.complete for p in self.points)

    def columns(self) -> list[str]:
        """sweep.csv's header: each key as typed, ``replications``, then per metric ``M``,
        ``M.ci95_low``, ``M.ci95_high``."""
        out = [p.key for p in self.params] + ["replications"]
        for m in self.metrics:
            out += [m, f"{m}.ci95_low", f"{m}.ci95_high"]
        return out

    def rows(self) -> list[list[Any]]:
        """sweep.csv's rows in grid order: each value as typed, the replications, then each
        metric's mean and 95 % interval (``None`` where there is none), to six decimals."""
        out = []
        for result in self.points:
            row: list[Any] = [value for _key, value in result.point.settings]
            row.append(len(result.outcomes))
            for m in self.metrics:
                fig = result.figures[m]
                ci = fig.ci95
                row += [fig.mean, *(ci if ci is not None else (None, None))]
            out.append(round_tree(row))
        return out

    def to_json(self) -> dict[str, Any]:
        """sweep.json: the grid and the rows of sweep.csv, by column name, and per point the
        metrics null in some replication (``nulls``). Nothing that varies between identical
        sweeps (times, executor, cache), so the same sweep gives the same bytes."""
        columns = self.columns()
        return {
            "format_version": FORMAT_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "params": [{"key": p.key, "values": list(p.values)} for p in self.params],
            "metrics": list(self.metrics),
            "complete": self.complete,
            "columns": columns,
            "points": [dict(zip(columns, row, strict=True)) for row in self.rows()],
            "nulls": [self._nulls(result) for result in self.points],
        }

    def _nulls(self, result: PointResult) -> dict[str, dict[str, int]]:
        """A point's metrics that are null in some replication: how many, and how many of
        those had no fault to recover from (what a report needs to say why a mean is over
        fewer replications, or missing)."""
        out = {}
        for m in self.metrics:
            fig = result.figures[m]
            if fig.nulls:
                out[m] = {"nulls": fig.nulls, "no_fault": fig.no_fault}
        return out


def _point_document(document: Document, settings: Sequence[tuple[str, str]]) -> Document:
    for key, value in settings:
        document = document.set(f"{key}={value}", PARAM_OPTION)
    return document


def load_points(
    ref: str | Path,
    params: Sequence[Param],
    sets: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> tuple[list[Point], list[Problem]]:
    """Every point of the grid, built and validated, and the warnings of the scenarios.

    Args:
        ref: A scenario file or the name of a shipped scenario.
        params: The swept keys (see :func:`sim.experiments.grid.parse_params`).
        sets: ``--set`` assignments, applied before the parameters.
        flags: The overlays of ``--seed``, ``--replications`` and ``--horizon``, applied
            after the parameters, as ``ehrsim run`` applies them after ``--set``.

    Returns:
        The points in grid order, and the warnings: the base scenario's, then each new one a
        point brings, naming the point.

    Raises:
        ScenarioError: The scenario itself (with ``sets`` and ``flags``) is invalid.
        PointsError: Points that are invalid: each problem once, with the first point it
            concerns and how many more share it.
    """
    from sim.scenario.api import load_base

    return load_grids({"": load_base(ref, sets)}, params, flags)


def load_grids(
    documents: Mapping[str, Document],
    params: Sequence[Param],
    flags: Sequence[str] = (),
) -> tuple[list[Point], list[Problem]]:
    """The grid laid on each of several documents (a scenario's variants), in turn.

    Args:
        documents: Variant name -> its document (``--set`` applied), in order; the name
            (``""`` for none) labels the variant's points and warnings.
        params: The swept keys.
        flags: Overlays applied after the parameters (see :func:`load_points`).

    Returns:
        Every variant's points (numbered across all of them), and the warnings: each
        variant's own, then each new one a point brings, naming the point.

    Raises:
        ScenarioError: A variant itself (with ``flags``) is invalid.
        PointsError: Points that are invalid (see :func:`load_points`).
    """
    from sim.scenario.api import located_warnings
    from sim.scenario.build import build
    from sim.scenario.errors import Problem, ScenarioError

    values = grid(params)
    count = len(values) * len(documents)
    warnings: list[Problem] = []
    seen: set[tuple[object, ...]] = set()
    points: list[Point] = []
    failures: dict[str, list[str]] = {}

    def note(found: Sequence[Problem], suffix: str = "") -> None:
        for w in found:
            key = (w.file, w.line, w.path, w.message)
            if key not in seen:
                seen.add(key)
                warnings.append(Problem(w.file, w.line, w.path, w.message + suffix))

    for k, (variant, document) in enumerate(documents.items()):
        base = document
        for assignment in flags:
            base = base.set(assignment)
        note(located_warnings(base, build(base)), f" (variant {variant!r})" if variant else "")
        for j, combination in enumerate(values):
            i = k * len(values) + j
            settings = tuple((p.key, v) for p, v in zip(params, combination, strict=True))
            label = point_label(i, count, settings, variant)
            try:
                point_doc = _point_document(document, settings)
                for assignment in flags:
                    point_doc = point_doc.set(assignment)
                scenario = build(point_doc)
            except ScenarioError as exc:
                for problem in exc.problems:
                    failures.setdefault(str(problem), []).append(label)
                continue
            points.append(Point(i, count, settings, scenario, variant))
            note(located_warnings(point_doc, scenario), f" ({label})")
    if failures:
        lines = []
        for message, labels in failures.items():
            more = len(labels) - 1
            also = f" (and {more} more point{'s' if more > 1 else ''})" if more else ""
            lines.append(f"{labels[0]}{also}: {message}")
        raise PointsError(lines)
    return points, warnings


def run_points(
    points: Sequence[Point],
    params: Sequence[Param],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    replications: int | None = None,
    executor: Executor | None = None,
    cache: ReplicationCache | None = None,
    progress: SweepProgress | None = None,
    runner: Callable[[Task], Outcome] = run_task,
) -> SweepResult:
    """Run every replication of every point (those in the cache are reused) and gather them.

    Args:
        points: The points, in grid order (from :func:`load_points`).
        params: The swept keys (for the result's columns).
        metrics: Paths in summary.json (see :func:`sim.experiments.compare.check_metrics`).
        replications: Replications per point (default: the first point's ``replications``).
        executor: Where the replications run (see
            :func:`sim.experiments.executors.open_executor`; default: this process). Results
            are gathered by task, so the rows are the same whatever runs them.
        cache: Where finished replications are looked up and stored (``None``: no cache);
            one that a guard stopped is not stored (``limits.wall`` depends on the machine).
        progress: Called once per replication: first for each one reused, then as each
            finishes.
        runner: What runs one task (a module-level function, so that any executor can
            ship it): :func:`run_task`, or one whose outcome carries more (its cache then
            needs a ``kind`` of its own).

    Raises:
        ValueError: No points, fewer than one replication, or a metric the points' scenarios
            do not have.
    """
    if not points:
        raise ValueError("nothing to sweep: no points")
    first = points[0].scenario
    n = first.replications if replications is None else replications
    if n < 1:
        raise ValueError("replications must be at least 1")
    problems = check_metrics(metrics, [p.scenario for p in points])
    if problems:
        raise ValueError("; ".join(problems))
    executing = executor if executor is not None else LocalExecutor(1)
    outcomes: list[list[Outcome | None]] = [[None] * n for _ in points]
    keys: dict[tuple[int, int], str] = {}
    todo: list[tuple[int, int]] = []
    reused = 0
    for k, point in enumerate(points):
        for i in range(n):
            if cache is None:
                todo.append((k, i))
                continue
            key = keys[(k, i)] = cache.key(point.scenario, i)
            found = cache.get(key)
            if found is None:
                todo.append((k, i))
                continue
            outcomes[k][i] = found
            reused += 1
            if progress is not None:
                progress(k, i, True)

    def done(j: int, outcome: Outcome) -> None:
        k, i = todo[j]
        plain = json.loads(json.dumps(outcome, allow_nan=False))
        if cache is not None and plain["complete"]:
            # a guard may stop a replication by wall-clock time: only a whole one is kept
            cache.put(keys[(k, i)], plain)
        outcomes[k][i] = plain
        if progress is not None:
            progress(k, i, False)

    tasks = [Task(points[k].scenario, i) for k, i in todo]
    if tasks:
        executing.map(runner, tasks, done)
    results = []
    for point, mine in zip(points, outcomes, strict=True):
        gathered = [o for o in mine if o is not None]
        summaries = [o["summary"] for o in gathered]
        results.append(PointResult(point, gathered, figures_of(metrics, summaries)))
    return SweepResult(
        first.name,
        first.seed,
        n,
        tuple(params),
        tuple(metrics),
        results,
        reused=reused,
        ran=len(tasks),
    )


def fixed_overlays(
    seed: int | None, replications: int | None, horizon: str | None = None
) -> list[str]:
    """The assignments that ``seed``, ``replications`` and ``horizon`` given to the API make
    (each left out when ``None``), laid on every point after its values."""
    given = (("seed", seed), ("replications", replications), ("horizon", horizon))
    return [f"{key}={value}" for key, value in given if value is not None]


def sweep(
    scenario: str | Path,
    params: Sequence[str | Param],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    sets: Sequence[str] = (),
    seed: int | None = None,
    replications: int | None = None,
    jobs: int = 1,
    dask: str | None = None,
    cache: str | Path | None = None,
    progress: SweepProgress | None = None,
) -> SweepResult:
    """Run a scenario at every point of the grid of ``params`` and gather each point's figures.

    Args:
        scenario: A scenario file or the name of a shipped scenario.
        params: ``KEY=VALUES`` per swept key (``"systems.lab.connections=1..4"``,
            ``"faults.0.for=1h,3h,6h"``), the first outermost in the grid.
        metrics: The figures of each point (default: those ``compare`` uses).
        sets: ``--set`` assignments applied before the parameters.
        seed: The seed of every point (default: the scenario's).
        replications: Replications per point (default: the scenario's).
        jobs: Worker processes (1 runs everything in this process); with ``dask="local"``
            the workers of the local Dask cluster.
        dask: ``"local"`` for a Dask ``LocalCluster``, or a scheduler's address
            (``tcp://HOST:8786``, ``tls://...``) to run on (see
            :func:`sim.experiments.executors.open_executor`).
        cache: A folder of finished replications to reuse and add to (``None``: none).
        progress: Called once per replication, reused or run.

    Raises:
        GridError: A parameter that cannot be read (see :mod:`sim.experiments.grid`).
        ScenarioError: The scenario is invalid.
        PointsError: Points that are invalid.
        ValueError: A metric the scenarios do not have, or no horizon.
        ExecutorError: The Dask cluster cannot be reached or runs another ehrsim.
    """
    import sim

    flags = fixed_overlays(seed, replications)
    parsed = parse_params(params, [*sets, *flags])
    points, _warnings = load_points(scenario, parsed, sets, flags)
    for point in points:
        if point.scenario.horizon is None:
            raise ValueError(f"{point.label} has no horizon")
    store = ReplicationCache(Path(cache), sim.__version__) if cache is not None else None
    with open_executor(jobs, dask) as executor:
        return run_points(
            points, parsed, metrics, executor=executor, cache=store, progress=progress
        )
