"""The results folder of ``ehrsim sweep``.

A sweep writes ``results/<name>/sweep-<run-id>/`` (or exactly ``--out DIR``) with the same
atomic staging as a run (:mod:`sim.report.results`):

- ``scenario.yaml``: the scenario every point starts from (``--set``, ``--seed``,
  ``--replications``, ``--horizon`` applied; the points' values are in ``sweep.csv``);
- ``sweep.csv``: one row per point in grid order (:meth:`SweepResult.columns`);
- ``sweep.json``: the grid and the same rows (:meth:`SweepResult.to_json`);
- ``sweep.png``: each metric across the grid (one or two parameters);
- ``run.json``: what varies between identical sweeps (command, times, executor, cache).

``sweep.csv`` and ``sweep.json`` depend only on the scenario, the grid, the seed and the
replications: the same sweep gives the same bytes, whatever ran it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.verdicts import zero_metrics
from sim.report.compare_text import better, label, unit, value_text
from sim.report.comparison import missing_text
from sim.report.csvs import write_table
from sim.report.results import dump_json, grid_run_json

if TYPE_CHECKING:
    from sim.experiments.grid import Param
    from sim.experiments.sweep import SweepResult
    from sim.report.plots.canvas import Figure
    from sim.report.plots.sweep import MetricGrid, SweptAxis

__all__ = [
    "SWEEP_FILES",
    "plot_axes",
    "plot_panels",
    "sweep_figure_of",
    "sweep_record",
    "write_sweep",
    "write_sweep_csv",
]

SWEEP_FILES = ("scenario.yaml", "sweep.csv", "sweep.json", "run.json", "sweep.png")
"""The files of a sweep's results folder (``sweep.png`` with one or two parameters)."""


def write_sweep_csv(path: Path, result: SweepResult) -> None:
    """sweep.csv: the header of :meth:`SweepResult.columns`, a row per point in grid order;
    a null is an empty cell, numbers to six decimals."""
    write_table(path, result.columns(), result.rows())


def _position(value: str) -> float | None:
    """A value's size for placing it on an axis: a number, or a duration in seconds."""
    from sim.scenario.units import UnitError, parse_duration

    try:
        number = float(value)
    except ValueError:
        try:
            return parse_duration(value)
        except UnitError:
            return None
    return number


def plot_axes(params: Sequence[Param]) -> list[SweptAxis]:
    """Each parameter as a plot axis: placed by size when every value is a number or every
    value a duration, evenly (in the order given) otherwise."""
    from sim.report.plots.sweep import SweptAxis

    out = []
    for param in params:
        sizes = [_position(v) for v in param.values]
        numbers = [s for s in sizes if s is not None]
        ordered = len(numbers) == len(sizes) and len(set(numbers)) == len(numbers)
        positions = tuple(numbers) if ordered else tuple(float(i) for i in range(len(sizes)))
        out.append(SweptAxis(param.key, param.values, positions))
    return out


def _interval(metric: str, low: float | None, high: float | None) -> str:
    if low is None or high is None or high <= low:
        return ""
    return f"[{value_text(metric, low)}, {value_text(metric, high)}]"


def plot_panels(result: SweepResult) -> tuple[list[MetricGrid], str]:
    """sweep.png's panels, a metric each, and a note naming the metrics left out (0 in every
    replication of every point, or without a value at any point and no reason to show).

    Each point carries the note of a comparison's figure: ``not recovered in k/N`` when a
    recovery time is missing in some replications (its mean is over the others), ``no
    fault``, ``null in k/N``."""
    from sim.report.plots.sweep import MetricGrid

    rows = result.rows()
    first = len(result.params) + 1
    zero = zero_metrics(result.metrics, [p.figures for p in result.points])
    panels, empty = [], []
    for k, m in enumerate(result.metrics):
        if m in zero:
            continue
        column = first + 3 * k
        mean = tuple(row[column] for row in rows)
        missing = tuple(missing_text(p.figures[m], len(p.outcomes)) for p in result.points)
        low = tuple(row[column + 1] for row in rows)
        high = tuple(row[column + 2] for row in rows)
        if all(v is None for v in mean) and not any(missing):
            empty.append(label(m))
            continue
        title = label(m) + (" (higher is better)" if better(m) == "higher" else "")
        panels.append(
            MetricGrid(
                metric=m,
                title=title,
                seconds=unit(m) == "s",
                mean=mean,
                low=low,
                high=high,
                text=tuple("" if v is None else value_text(m, v) for v in mean),
                interval=tuple(_interval(m, lo, hi) for lo, hi in zip(low, high, strict=True)),
                note=missing,
            )
        )
    notes = []
    if zero:
        notes.append(f"0 at every point: {', '.join(map(label, zero))}")
    if empty:
        notes.append(f"no value at any point: {', '.join(empty)}")
    return panels, "not drawn: " + "; ".join(notes) if notes else ""


def sweep_figure_of(result: SweepResult, *, title: str) -> Figure:
    """sweep.png's figure, not yet saved (one or two parameters): each metric across the grid.

    Raises:
        ValueError: The sweep has more than two parameters (no plot shows them).
    """
    from sim.report.plots.sweep import sweep_figure

    if len(result.params) not in (1, 2):
        raise ValueError(f"a sweep plot shows one or two parameters, not {len(result.params)}")
    panels, note = plot_panels(result)
    n = result.replications
    grid = " × ".join(f"{p.key} ({len(p.values)})" for p in result.params)
    what = f"{title}: {grid}, {n} replication{'s' if n > 1 else ''} per point"
    return sweep_figure(plot_axes(result.params), panels, title=what, note=note)


def write_sweep(folder: Path, result: SweepResult, *, title: str) -> list[str]:
    """Write sweep.csv, sweep.json and (one or two parameters) sweep.png into ``folder``.

    Returns:
        The names of the files written.
    """
    write_sweep_csv(folder / "sweep.csv", result)
    (folder / "sweep.json").write_text(dump_json(result.to_json()), encoding="utf-8")
    written = ["sweep.csv", "sweep.json"]
    if len(result.params) in (1, 2):
        from sim.report.plots.canvas import save

        save(sweep_figure_of(result, title=title), folder / "sweep.png")
        written.append("sweep.png")
    return written


def sweep_record(
    result: SweepResult,
    *,
    run_id: str,
    command: Sequence[str],
    scenario_sha256: str,
    started: datetime,
    wall_s: float,
    executor: dict[str, Any],
    cache: str | None,
) -> dict[str, Any]:
    """run.json of a sweep: what varies between identical sweeps, and the versions.

    Args:
        result: The finished sweep.
        run_id: The results folder's name.
        command: The command as the user would retype it (``["ehrsim", "sweep", ...]``).
        scenario_sha256: The hash of scenario.yaml's bytes.
        started: The local time the sweep started.
        wall_s: Seconds from the start to the end of writing the results.
        executor: What ran the replications (kind, workers).
        cache: The cache folder (``None`` with ``--no-cache``).
    """
    return grid_run_json(
        "sweep",
        result,
        {"replications": result.replications, "params": [p.key for p in result.params]},
        points=len(result.points),
        stopped=[p.stop_reason for p in result.points if not p.complete],
        run_id=run_id,
        command=command,
        scenario_sha256=scenario_sha256,
        started=started,
        wall_s=wall_s,
        executor=executor,
        cache=cache,
    )
