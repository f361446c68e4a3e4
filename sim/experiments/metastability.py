"""The metastability map: how big a trigger a design survives.

``find_metastability`` varies one fault of a scenario in strength and length (the axes of
:mod:`sim.experiments.map_axes`) on the baseline and on each ``compare`` variant, and sorts
every point into ``recovers``, ``recovering-at-horizon`` or ``stays-degraded`` from what its
replications did in the last hour of the horizon (:mod:`sim.experiments.recovery_class`).
Where ``stays-degraded`` begins is the design's metastability boundary: past it the trigger
leaves the system overloaded by its own retries, timeouts or backlog, long after it is gone.

Every point is a sweep point (:func:`sim.experiments.sweep.run_points`): the same common
random numbers (replication i of every point and every variant uses the scenario's seed and
i, as ``ehrsim run`` does), the same executors and the same resumable cache, under a kind of
its own (:data:`sim.experiments.last_hour.CACHE_KIND`) since its outcomes carry the last
hour. A point's ``recovery_time_s``, ``recovered_share`` and ``goodput_share`` are those of
``ehrsim run FILE --set faults.N.severity=M --set faults.N.for=D`` on its variant::

    import sim
    found = sim.find_metastability("theory/stall", steps=2, replications=1, horizon="3h")
    found.rows()[0]   # ['baseline', 0.25, 300.0, 'recovers', ...]

It prints nothing and writes nothing but the cache: :mod:`sim.report.metastability` writes
the folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.executors import Executor, open_executor
from sim.experiments.last_hour import CACHE_KIND, last_hour_of, run_last_hour_task
from sim.experiments.map_axes import (
    DEFAULT_STEPS,
    MapAxes,
    MapError,
    choose_fault,
    map_axes,
)
from sim.experiments.recovery_class import CLASSES, RULE, WINDOW_S, classify, point_class
from sim.experiments.sweep import (
    Point,
    PointsError,
    SweepProgress,
    fixed_overlays,
    load_grids,
    run_points,
)
from sim.experiments.sweep_cache import ReplicationCache
from sim.metrics.stats import round_tree
from sim.metrics.summary import FORMAT_VERSION

if TYPE_CHECKING:
    from sim.experiments.figures import Figure
    from sim.experiments.sweep import PointResult
    from sim.scenario.errors import Problem
    from sim.scenario.load import Document

__all__ = [
    "COLUMNS",
    "METRICS",
    "MapError",
    "MapPoint",
    "MetastabilityResult",
    "PointsError",
    "find_metastability",
    "load_map",
    "run_map",
]

COLUMNS = (
    "variant",
    "magnitude",
    "duration_s",
    "class",
    "recovery_time_s",
    "recovered_share",
    "goodput_share",
)
"""metastability.csv's columns."""

METRICS = ("recovery_time_s", "recovered_share", "goodput_share")
"""The figures of each point, as summary.json defines them: the mean recovery time over the
replications that recovered, the share that recovered, and the share of sends that delivered a
message for the first time (over the whole run)."""


@dataclass
class MapPoint:
    """One point of the map: a variant, a magnitude and a duration, and what came of them.

    Attributes:
        variant: The variant (``baseline`` for the scenario itself).
        magnitude: The fault's severity.
        duration_s: The fault's ``for``, in seconds.
        classes: Each replication's class (``None``: it stopped at a guard before its
            horizon), in replication order.
        figures: :data:`METRICS` over the replications.
        stop_reason: Why a replication stopped early (``""``: none did).
    """

    variant: str
    magnitude: float
    duration_s: float
    classes: tuple[str | None, ...]
    figures: dict[str, Figure] = field(default_factory=dict)
    stop_reason: str = ""

    @property
    def cls(self) -> str | None:
        """The point's class: that of most replications, a tie going to the worse
        (``None`` when every replication stopped at a guard)."""
        known = [c for c in self.classes if c is not None]
        return point_class(known) if known else None

    def row(self) -> list[Any]:
        """The point's row of metastability.csv (six decimals; ``None`` for no value)."""
        return list(
            round_tree(
                [
                    self.variant,
                    self.magnitude,
                    self.duration_s,
                    self.cls,
                    *(self.figures[m].mean for m in METRICS),
                ]
            )
        )


@dataclass
class MetastabilityResult:
    """A map: every point of every variant, in order (variant, then magnitude, then
    duration).

    Attributes:
        scenario: The scenario's name.
        seed: The seed of every point.
        replications: Replications per point.
        axes: The fault and the two axes.
        variants: The variants, baseline first.
        points: Every point.
        reused: Replications taken from the cache (varies between identical maps).
        ran: Replications simulated (varies likewise).
    """

    scenario: str
    seed: int
    replications: int
    axes: MapAxes
    variants: tuple[str, ...]
    points: list[MapPoint]
    reused: int = 0
    ran: int = 0

    @property
    def complete(self) -> bool:
        """Whether every replication of every point reached its horizon."""
        return not any(p.stop_reason for p in self.points)

    def of(self, variant: str) -> list[MapPoint]:
        """The points of one variant (magnitude outermost, then duration)."""
        return [p for p in self.points if p.variant == variant]

    def counts(self, variant: str) -> dict[str, int]:
        """How many of the variant's points fall in each class, best first."""
        found = Counter(p.cls for p in self.of(variant))
        return {c: found[c] for c in CLASSES}

    def columns(self) -> list[str]:
        """metastability.csv's header."""
        return list(COLUMNS)

    def rows(self) -> list[list[Any]]:
        """metastability.csv's rows, in the points' order."""
        return [p.row() for p in self.points]

    def to_json(self) -> dict[str, Any]:
        """metastability.json: the question, the rule, and the rows of metastability.csv by
        column name, each with its replications' classes. Nothing that varies between
        identical maps (times, executor, cache)."""
        axes = self.axes
        columns = self.columns()
        points = []
        for point, row in zip(self.points, self.rows(), strict=True):
            entry = dict(zip(columns, row, strict=True))
            entry["replication_classes"] = list(point.classes)
            points.append(entry)
        return {
            "format_version": FORMAT_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "fault": {"index": axes.index, "kind": axes.kind, "name": axes.label},
            "magnitude": {
                "key": axes.magnitude.key,
                "range": axes.magnitude.text,
                "values": list(axes.magnitude.sizes),
            },
            "duration": {
                "key": axes.duration.key,
                "range": axes.duration.text,
                "values_s": round_tree(list(axes.duration.sizes)),
            },
            "variants": list(self.variants),
            "classes": list(CLASSES),
            "window_s": WINDOW_S,
            "rule": RULE,
            "complete": self.complete,
            "columns": columns,
            "points": points,
        }


def _check_variants(documents: Mapping[str, Document], axes: MapAxes, flags: Sequence[str]) -> None:
    """Every variant has the mapped fault, of the same kind (a variant may rewrite faults)."""
    from sim.scenario.build import build

    for name, document in documents.items():
        for assignment in flags:
            document = document.set(assignment)
        faults = build(document).faults
        if axes.index >= len(faults):
            raise MapError(
                f"variant {name!r} has {len(faults)} fault(s), so no faults.{axes.index} to map"
            )
        if faults[axes.index].kind != axes.kind:
            raise MapError(
                f"variant {name!r}: faults.{axes.index} is a {faults[axes.index].kind}, not the "
                f"{axes.kind} the map varies"
            )


def _check_window(points: Sequence[Point], axes: MapAxes) -> None:
    """The trigger must end before the last hour, which the classes read."""
    from sim.scenario.units import format_duration, format_offset

    worst: tuple[float, Point] | None = None
    for point in points:
        fault = point.scenario.faults[axes.index]
        horizon = float(point.scenario.horizon or 0.0)
        late = fault.at + float(fault.duration or 0.0) - (horizon - WINDOW_S)
        if late > 0 and (worst is None or late > worst[0]):
            worst = (late, point)
    if worst is None:
        return
    point = worst[1]
    fault = point.scenario.faults[axes.index]
    horizon = float(point.scenario.horizon or 0.0)
    end = fault.at + float(fault.duration or 0.0)
    raise MapError(
        f"{point.label}: the {axes.kind} ends at {format_offset(end)}, after the last hour of "
        f"the horizon began ({format_offset(max(horizon - WINDOW_S, 0.0))}, horizon "
        f"{format_duration(horizon)}); the classes read that hour with the trigger gone: "
        f"lengthen the horizon to at least {format_duration(end + WINDOW_S)} (--horizon) or "
        "shorten --duration"
    )


def load_map(
    ref: str | Path,
    *,
    fault: int | None = None,
    magnitude: str | None = None,
    duration: str | None = None,
    steps: int = DEFAULT_STEPS,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    sets: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> tuple[MapAxes, list[Point], list[Problem]]:
    """The map's axes and every point of it, built and validated, and the warnings.

    Args:
        ref: A scenario file or the name of a shipped scenario.
        fault: The fault to map (its index in ``faults``; default: the only one).
        magnitude: ``LO..HI`` of its severity (default: see :mod:`sim.experiments.map_axes`).
        duration: ``LO..HI`` of its ``for``, with units.
        steps: Values per axis.
        variants: More variants (name -> overlay), after the scenario's ``compare`` ones.
        sets: ``--set`` assignments, applied first.
        flags: The overlays of ``--seed``, ``--replications`` and ``--horizon``, applied
            after the axes' values.

    Raises:
        ScenarioError: The scenario or a variant is invalid.
        MapError: The fault or the axes cannot make a map, a variant lacks the fault, or the
            trigger does not end before the last hour of the horizon.
        PointsError: Points that are invalid (a magnitude the fault kind refuses).
    """
    from sim.scenario.api import BASELINE, load_base, variant_documents
    from sim.scenario.build import build

    document = load_base(ref, sets)
    base = document
    for assignment in flags:
        base = base.set(assignment)
    scenario = build(base)
    documents = {BASELINE: document, **variant_documents(document, variants or {})}
    index = choose_fault(scenario, fault)
    axes = map_axes(
        scenario,
        index,
        magnitude=magnitude,
        duration=duration,
        steps=steps,
        variants=len(documents),
    )
    _check_variants(documents, axes, flags)
    try:
        points, warnings = load_grids(documents, axes.params, flags)
    except PointsError as exc:
        lines = [
            line.replace(f"--param {axes.magnitude.key}", "--magnitude").replace(
                f"--param {axes.duration.key}", "--duration"
            )
            for line in exc.lines
        ]
        raise PointsError(lines) from None
    _check_window(points, axes)
    return axes, points, warnings


def _map_point(axes: MapAxes, result: PointResult) -> MapPoint:
    point = result.point
    settings = dict(point.settings)
    classes: list[str | None] = []
    for outcome in result.outcomes:
        last = last_hour_of(outcome) if outcome["complete"] else None
        if last is None:
            classes.append(None)
            continue
        recovered = outcome["summary"]["recovery_time_s"] is not None
        classes.append(classify(recovered, last))
    k = axes.magnitude.values.index(settings[axes.magnitude.key])
    j = axes.duration.values.index(settings[axes.duration.key])
    return MapPoint(
        point.variant,
        axes.magnitude.sizes[k],
        axes.duration.sizes[j],
        tuple(classes),
        dict(result.figures),
        result.stop_reason,
    )


def run_map(
    axes: MapAxes,
    points: Sequence[Point],
    *,
    replications: int | None = None,
    executor: Executor | None = None,
    cache: ReplicationCache | None = None,
    progress: SweepProgress | None = None,
) -> MetastabilityResult:
    """Run every replication of every point of the map and classify them.

    Args:
        axes: The fault and axes (from :func:`load_map`).
        points: The points (from :func:`load_map`).
        replications: Replications per point (default: the scenario's).
        executor: Where replications run (default: this process).
        cache: The sweep cache to reuse and add to; its entries for maps are kept under
            their own kind, whatever kind ``cache`` was opened with (``None``: no cache).
        progress: Called once per replication, reused or run.
    """
    store = None
    if cache is not None:
        store = ReplicationCache(cache.folder, cache.version, CACHE_KIND)
    result = run_points(
        points,
        axes.params,
        METRICS,
        replications=replications,
        executor=executor,
        cache=store,
        progress=progress,
        runner=run_last_hour_task,
    )
    variants = tuple(dict.fromkeys(p.point.variant for p in result.points))
    return MetastabilityResult(
        result.scenario,
        result.seed,
        result.replications,
        axes,
        variants,
        [_map_point(axes, p) for p in result.points],
        reused=result.reused,
        ran=result.ran,
    )


def find_metastability(
    scenario: str | Path,
    *,
    fault: int | None = None,
    magnitude: str | None = None,
    duration: str | None = None,
    steps: int = DEFAULT_STEPS,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    sets: Sequence[str] = (),
    seed: int | None = None,
    replications: int | None = None,
    horizon: str | None = None,
    jobs: int = 1,
    dask: str | None = None,
    cache: str | Path | None = None,
    progress: SweepProgress | None = None,
) -> MetastabilityResult:
    """Map how one fault's strength and length decide whether each variant recovers.

    Args:
        scenario: A scenario file or the name of a shipped scenario.
        fault: The fault to vary (its index in ``faults``; default: the only one).
        magnitude: ``LO..HI`` of its severity, plain numbers (default: a quarter of it to all
            of it; for a factor, of its excess over 1).
        duration: ``LO..HI`` of its ``for``, with units (default: a quarter to four times).
        steps: Values per axis (at least 2).
        variants: More variants (name -> overlay, as a ``compare`` entry), after the
            scenario's own.
        sets: ``--set`` assignments applied first.
        seed: The seed of every point (default: the scenario's).
        replications: Replications per point (default: the scenario's).
        horizon: A duration replacing the scenario's horizon (``"10h"``).
        jobs: Worker processes (or local Dask workers).
        dask: ``"local"`` or a scheduler's address.
        cache: A folder of finished replications to reuse and add to (``None``: none).
        progress: Called once per replication, reused or run.

    Raises:
        MapError: A fault, range or step count that cannot make a map.
        ScenarioError: The scenario or a variant is invalid.
        PointsError: Points that are invalid.
        ExecutorError: The Dask cluster cannot be reached or runs another ehrsim.
    """
    import sim

    flags = fixed_overlays(seed, replications, horizon)
    axes, points, _warnings = load_map(
        scenario,
        fault=fault,
        magnitude=magnitude,
        duration=duration,
        steps=steps,
        variants=variants,
        sets=sets,
        flags=flags,
    )
    store = ReplicationCache(Path(cache), sim.__version__) if cache is not None else None
    with open_executor(jobs, dask) as executor:
        return run_map(axes, points, executor=executor, cache=store, progress=progress)
