"""The content of a sweep's report, from its results folder alone.

What was swept (the parameters and their values, the replications, the metrics and what they
measure), the curves or heatmaps of sweep.png, the table of the points (each metric's mean
with its 95 % interval and why a value is missing or partial, all read from sweep.json), the
base scenario in words and the provenance. See :class:`SweepReport`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.metrics.registry import METRICS
from sim.report.compare_text import better, label
from sim.report.comparison import missing_words
from sim.report.content import (
    Table,
    figure_text,
    guard_note,
    interval_text,
    provenance,
    run_id,
)
from sim.report.folder import FigureFile
from sim.report.scenario_words import ScenarioWords, describe
from sim.report.tables import plural

if TYPE_CHECKING:
    from sim.report.folder import ResultsFolder
    from sim.report.gantt import Gantt

__all__ = ["METRICS_PER_TABLE", "PointCell", "PointsTable", "SweepReport", "sweep_report"]

METRICS_PER_TABLE = 4
"""The most metrics side by side in one table of points; more are split evenly into further
tables (5 metrics: 3 and 2)."""

_CAPTIONS = {
    1: "Each metric across the values of {keys}: the mean over the replications at each value "
    "(a line with markers) in its 95 % band. {left}",
    2: "Each metric over the grid: a heatmap of the mean, {keys}; each cell gives its mean "
    "and (up to 5 columns) its 95 % interval. {left}",
}
"""sweep.png's caption by the number of parameters."""


@dataclass(frozen=True)
class PointCell:
    """One metric at one point: the text shown and sweep.json's exact figures.

    Attributes:
        metric: The metric's path.
        point: The point's index in grid order (its place in sweep.json's ``points``).
        text: The mean for people (``2h 41m``, ``12,345``; ``–`` without a value).
        interval: Its 95 % interval for people (``""`` without one).
        note: Why values are missing (``not recovered in 1/2``, ``no fault``; ``""``).
        mean: sweep.json's mean (``None`` where null).
        ci: sweep.json's 95 % interval (``None`` where null).
    """

    metric: str
    point: int
    text: str
    interval: str
    note: str
    mean: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class PointsTable:
    """A table of the points: each parameter's value, then some metrics (mean, interval).

    Attributes:
        keys: The parameters' keys (the first columns).
        metrics: The metrics' paths, a column each.
        labels: The metrics' names for people, in the same order.
        rows: Per point in grid order: its values as typed and its cells.
    """

    keys: tuple[str, ...]
    metrics: tuple[str, ...]
    labels: tuple[str, ...]
    rows: list[tuple[tuple[str, ...], list[PointCell]]]


@dataclass(frozen=True)
class SweepReport:
    """Everything a sweep's report shows, in its order."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    incomplete: str
    question: str
    params: Table
    design: str
    metrics: Table
    figure_heading: str
    figure_note: str
    points: list[PointsTable]
    points_note: str
    scenario: ScenarioWords
    figures: list[FigureFile]
    provenance: list[tuple[str, str]]
    timeline: Gantt | None = None


def _pair(low: Any, high: Any) -> tuple[float, float] | None:
    if isinstance(low, int | float) and isinstance(high, int | float):
        return float(low), float(high)
    return None


def _cell(
    metric: str, index: int, row: Mapping[str, Any], nulls: Mapping[str, Any], n: int
) -> PointCell:
    mean = row.get(metric)
    mean = float(mean) if isinstance(mean, int | float) else None
    ci = _pair(row.get(f"{metric}.ci95_low"), row.get(f"{metric}.ci95_high"))
    counts = nulls.get(metric) or {}
    note = missing_words(metric, int(counts.get("nulls", 0)), int(counts.get("no_fault", 0)), n)
    shown = ci if ci is not None and ci[1] > ci[0] else None
    return PointCell(
        metric, index, figure_text(metric, mean), interval_text(metric, shown), note, mean, ci
    )


def _cells(data: Mapping[str, Any]) -> dict[str, list[PointCell]]:
    """Each metric's cell at every point, in grid order."""
    points = list(data["points"])
    nulls = list(data.get("nulls") or [{}] * len(points))
    counts = [int(row.get("replications") or data["replications"]) for row in points]
    return {
        str(m): [_cell(str(m), k, row, nulls[k] or {}, counts[k]) for k, row in enumerate(points)]
        for m in data["metrics"]
    }


def _left_out(cells: Mapping[str, list[PointCell]]) -> tuple[list[str], list[str]]:
    """The metrics sweep.png leaves out: 0 in every replication of every point (a mean of 0
    with nothing null), and those without a value anywhere and no reason to give."""
    zero = [m for m, row in cells.items() if all(c.mean == 0 and not c.note for c in row)]
    empty = [m for m, row in cells.items() if all(c.mean is None and not c.note for c in row)]
    return zero, empty


def _tables(
    data: Mapping[str, Any], cells: Mapping[str, list[PointCell]], metrics: Sequence[str]
) -> list[PointsTable]:
    """The tables of the points, the metrics split evenly, at most
    :data:`METRICS_PER_TABLE` to a table."""
    keys = tuple(str(p["key"]) for p in data["params"])
    values = [tuple(str(row[key]) for key in keys) for row in data["points"]]
    count = -(-len(metrics) // METRICS_PER_TABLE) or 1
    per = -(-len(metrics) // count) or 1
    tables = []
    for start in range(0, max(len(metrics), 1), per):
        chosen = tuple(metrics[start : start + per])
        rows = [(v, [cells[m][k] for m in chosen]) for k, v in enumerate(values)]
        tables.append(PointsTable(keys, chosen, tuple(label(m) for m in chosen), rows))
    return tables


def _params_table(params: Sequence[Mapping[str, Any]]) -> Table:
    rows = [
        (str(p["key"]), ", ".join(map(str, p["values"])), f"{len(p['values']):,}") for p in params
    ]
    return Table(("parameter", "values (as typed)", "count"), rows, frozenset({0, 1}))


def _metrics_table(metrics: Sequence[str]) -> Table:
    rows = []
    for m in metrics:
        known = METRICS.get(m)
        rows.append((label(m), m, known.description if known else "", better(m)))
    return Table(
        ("metric", "path in summary.json", "what it measures", "better"),
        rows,
        frozenset({0, 1, 2, 3}),
    )


def sweep_report(folder: ResultsFolder) -> SweepReport:
    """A sweep's report content (see :class:`SweepReport`)."""
    data = folder.summary
    scenario = folder.scenario
    params = list(data["params"])
    metrics = [str(m) for m in data["metrics"]]
    points = list(data["points"])
    n = int(data["replications"])
    seed = data.get("seed", scenario.seed)
    cells = _cells(data)
    zero, empty = _left_out(cells)
    shown = [m for m in metrics if m not in zero and m not in empty]
    keys = " and ".join(str(p["key"]) for p in params)
    what = f"{label(metrics[0])} changes" if len(metrics) == 1 else f"{len(metrics)} metrics change"
    question = (
        f"How {what} with {keys}: {plural(len(points), 'point')}, {plural(n, 'replication')} each."
    )
    design = (
        "Each point is the scenario with these keys set, as 'ehrsim run --set KEY=VALUE' sets "
        f"them. Replication i of every point draws the random numbers of seed {seed} and i "
        "(common random numbers), so the points differ by their values, not by chance draws; "
        "a point's figures are those 'ehrsim run' gives it."
    )
    figures = list(folder.figures)
    heading, figure_note = "Figures", ""
    if len(params) in _CAPTIONS:
        heading = "The curves" if len(params) == 1 else "The heatmaps"
        where = str(params[0]["key"])
        if len(params) == 2:
            where += f" down, {params[1]['key']} across"
        caption = _CAPTIONS[len(params)].format(
            keys=where,
            left="Metrics that are 0 at every point, or have no value anywhere, are left out "
            "and named under the panels.",
        )
        figures = [FigureFile(f.name, caption) for f in figures]
    else:
        figure_note = f"No plot: a grid of {len(params)} parameters has none (one or two)."
    points_note = (
        "Each metric's mean over the replications with its 95 % interval below it. A recovery "
        "time is the mean over the replications that recovered; how many did not is said "
        "under it."
    )
    if zero:
        points_note += f" Left out, 0 at every point: {', '.join(label(m) for m in zero)}."
    if empty:
        points_note += f" Left out, no value at any point: {', '.join(map(label, empty))}."
    return SweepReport(
        kind="sweep",
        run_id=run_id(folder),
        title=scenario.title,
        subtitle=(
            f"ehrsim sweep of scenario {scenario.name}: {plural(len(params), 'parameter')}, "
            f"{plural(len(points), 'point')}, {plural(n, 'replication')} each from seed {seed}, "
            "on common random numbers."
        ),
        incomplete=guard_note(folder),
        question=question,
        params=_params_table(params),
        design=design,
        metrics=_metrics_table(metrics),
        figure_heading=heading,
        figure_note=figure_note,
        points=_tables(data, cells, shown),
        points_note=points_note,
        scenario=describe(scenario),
        figures=figures,
        provenance=provenance(folder),
    )
