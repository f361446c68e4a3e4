"""The plots of a comparison: backlog.png (total backlog per variant), destinations.png (the
backlog of each destination, a panel each, every variant in each) and metrics.png (each
compared metric per variant).

Variants keep one colour, dash pattern, width and marker in every plot of a comparison
(:func:`~sim.report.plots.draw.variant_styles`): lines that coincide (variants that change
nothing before the faults, on common random numbers) stay visible one inside the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from sim.report.plots.canvas import Figure, count_axis, save, thousands
from sim.report.plots.clock import clock_axis, clock_label
from sim.report.plots.draw import draw_series, palette, variant_styles
from sim.report.plots.durations import duration_ticks, readable_seconds
from sim.report.plots.faults import (
    NAMED_HEADROOM,
    FaultSpan,
    guard_times,
    shade_faults,
    spans_of,
    stop_lines,
)
from sim.report.plots.series import across, columns_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.run import ReplicationResult

__all__ = [
    "Interval",
    "Panel",
    "comparison_backlog_figure",
    "comparison_backlog_png",
    "comparison_metrics_figure",
    "comparison_metrics_png",
    "destinations_figure",
    "destinations_png",
]

Variants = Mapping[str, Sequence["ReplicationResult"]]
"""Variant name -> its replications (the same count in each, on common random numbers)."""
_MARKS = 10
"""Markers per line (placed apart from one variant to the next)."""


def _what(variants: Variants) -> str:
    n = max((len(reps) for reps in variants.values()), default=1)
    lines = "one replication" if n == 1 else f"mean of {n} replications"
    return f"{lines} per variant, the same random numbers in every variant"


def _all_reps(variants: Variants) -> list[ReplicationResult]:
    return [rep for reps in variants.values() for rep in reps]


def _draw_variants(
    ax: Axes, variants: Variants, column: str, start: datetime, *, key: str = ""
) -> float:
    """Each variant's mean of ``column`` in its style; returns the highest value drawn."""
    styles = variant_styles(len(variants))
    peak = 0.0
    for i, (name, reps) in enumerate(variants.items()):
        if not any(column in rep.samples.columns for rep in reps):
            continue
        series = across(reps, column, band=False)
        peak = max(peak, series.peak)
        every = max(1, len(series.time_s) // _MARKS)
        draw_series(
            ax,
            series,
            start,
            key=f"{key or column}:{name}",
            label=name,
            colour=styles[i].colour,
            style=styles[i],
            markers=((i * every) // max(len(variants), 1), every),
        )
    return peak


def _fault_note(spans: list[FaultSpan], start: datetime) -> str:
    """``shaded: integration servers stall 09:00-16:00; …`` (with dates over several days)."""
    if not spans:
        return ""

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    days = {at(s.start).date() for s in spans} | {at(s.end).date() for s in spans}
    fmt = "%H:%M" if len(days) == 1 else "%a %H:%M"
    parts = [
        f"{s.name} {at(s.start):{fmt}}–" + ("end" if s.open_ended else f"{at(s.end):{fmt}}")
        for s in spans
    ]
    return "shaded: " + "; ".join(parts)


def comparison_backlog_figure(
    variants: Variants, *, start: datetime, horizon: float, title: str
) -> Figure:
    """The figure of a comparison's backlog.png (one axes), not yet saved.

    Args:
        variants: Variant name -> its replications.
        start: The scenario's start: simulated second t is ``start + t``.
        horizon: Simulated seconds (the longest of the variants').
        title: The scenario's title.
    """
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.add_subplot()
    peak = _draw_variants(ax, variants, "total", start)
    reps = _all_reps(variants)
    shade_faults(ax, spans_of(reps, horizon), start)
    stop_lines(ax, guard_times(reps), start)
    clock_axis(ax, start, horizon)
    ax.set_ylim(0, max(5.0, peak * NAMED_HEADROOM))
    ax.set_ylabel("messages under way (total backlog)")
    count_axis(ax.yaxis)
    ax.set_title(
        f"{title}: total backlog per variant\n{_what(variants)}; the faults of any variant shaded",
        fontsize=11,
    )
    ax.grid(True, alpha=0.3)
    if variants:
        ax.legend(
            title="variant",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=9,
            handlelength=4.0,
        )
    return fig


def destinations_figure(
    variants: Variants,
    *,
    start: datetime,
    horizon: float,
    title: str,
    labels: Mapping[str, str],
) -> Figure:
    """The figure of destinations.png: a panel per destination, every variant in each.

    Each panel has its own backlog scale (a quiet interface is not flattened by a busy one)
    and the same clock axis; the legend is drawn once, above the panels.

    Args:
        variants: Variant name -> its replications.
        start: The scenario's start.
        horizon: Simulated seconds (the longest of the variants').
        title: The scenario's title.
        labels: Panel title per destination system id (``queue.<id>`` columns).
    """
    reps = _all_reps(variants)
    queues = columns_of(reps, "queue.")
    count = max(len(queues), 1)
    ncols = 1 if count == 1 else 2 if count <= 4 else 3
    nrows = math.ceil(count / ncols)
    fig = Figure(figsize=(5.0 * ncols + 1.0, 1.8 + 2.6 * nrows), layout="constrained")
    grid = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
    spans = spans_of(reps, horizon)
    stops = guard_times(reps)
    for k, ax in enumerate(grid.flat):
        if k >= len(queues):
            ax.remove()
            above = grid.flat[k - ncols]
            above.xaxis.set_tick_params(labelbottom=True)
            continue
        name = queues[k]
        sid = name.removeprefix("queue.")
        peak = _draw_variants(ax, variants, name, start, key=sid)
        shade_faults(ax, spans, start, named=False)
        stop_lines(ax, stops, start, named=False)
        clock_axis(ax, start, horizon, label=False, max_ticks=6)
        ax.set_ylim(0, max(5.0, peak * 1.12))
        count_axis(ax.yaxis)
        ax.set_title(labels.get(sid, sid), fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
        if k % ncols == 0:
            ax.set_ylabel("messages waiting", fontsize=9)
    handles, names = grid.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            names,
            title="variant",
            # centred beside the panels: at the top it would run into a long suptitle
            loc="outside right center",
            fontsize=9,
            handlelength=4.0,
        )
    note = _fault_note(spans, start)
    fig.supxlabel(clock_label(start, horizon) + (f"\n{note}" if note else ""), fontsize=9)
    fig.suptitle(f"{title}: backlog per destination and variant\n{_what(variants)}", fontsize=11)
    return fig


def comparison_backlog_png(
    path: Path, variants: Variants, *, start: datetime, horizon: float, title: str
) -> None:
    """Write a comparison's backlog.png: :func:`comparison_backlog_figure`, saved."""
    save(comparison_backlog_figure(variants, start=start, horizon=horizon, title=title), path)


def destinations_png(
    path: Path,
    variants: Variants,
    *,
    start: datetime,
    horizon: float,
    title: str,
    labels: Mapping[str, str],
) -> None:
    """Write destinations.png: :func:`destinations_figure`, saved."""
    fig = destinations_figure(variants, start=start, horizon=horizon, title=title, labels=labels)
    save(fig, path)


# -- metrics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """One variant's figure in a metrics panel: the mean and its 95 % interval."""

    variant: str
    colour: int
    """Index of the variant's colour (the same in every plot of a comparison)."""
    mean: float | None
    ci95: tuple[float, float] | None
    note: str = ""
    """Shown beside the point (e.g. ``not recovered in 2/5``) or instead of it."""


@dataclass(frozen=True)
class Panel:
    """One metric of a comparison: a title, whether it is in seconds, a point per variant."""

    title: str
    seconds: bool
    points: tuple[Interval, ...]


def comparison_metrics_png(path: Path, panels: list[Panel], *, title: str, note: str = "") -> None:
    """metrics.png of a comparison: a small panel per metric, the mean and 95 % CI per variant.

    Variants are listed best first (top); a variant without a value (e.g. never recovered)
    shows its note instead of a point.

    Args:
        path: Where to write the PNG.
        panels: One per metric, in the order compared.
        title: The figure's title.
        note: A line below the panels (e.g. which metrics were left out and why).
    """
    save(comparison_metrics_figure(panels, title=title, note=note), path)


def comparison_metrics_figure(panels: list[Panel], *, title: str, note: str = "") -> Figure:
    """The figure of :func:`comparison_metrics_png` (an axes per panel), not yet saved."""
    count = max(len(panels), 1)
    rows_per = max((len(p.points) for p in panels), default=1)
    ncols = min(3, count)
    nrows = math.ceil(count / ncols)
    height = 0.6 + nrows * (0.9 + 0.3 * rows_per)
    fig = Figure(figsize=(4.6 * ncols, height), layout="constrained")
    colours = palette(1 + max((q.colour for p in panels for q in p.points), default=0))
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        ys = list(range(len(panel.points)))[::-1]
        highs = [0.0]
        for y, point in zip(ys, panel.points, strict=True):
            if point.mean is None:
                continue
            lo, hi = point.ci95 if point.ci95 is not None else (point.mean, point.mean)
            highs.append(max(hi, point.mean))
            ax.errorbar(
                [point.mean],
                [y],
                xerr=[[point.mean - lo], [hi - point.mean]],
                fmt="o",
                color=colours[point.colour],
                capsize=3,
                markersize=5,
            )
        right = max(highs) * 1.15 or 1.0
        left = min([0.0, *(q.ci95[0] for q in panel.points if q.ci95 is not None)])
        ax.set_xlim(left, right)
        for y, point in zip(ys, panel.points, strict=True):
            if point.note:
                x = point.mean if point.mean is not None else left
                ax.annotate(
                    point.note,
                    xy=(x, y),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=7,
                    color="#8b1a1a",
                )
        ax.set_yticks(ys, [q.variant for q in panel.points], fontsize=8)
        ax.set_ylim(-0.7, len(panel.points) - 0.3)
        if panel.seconds:
            ax.xaxis.set_major_locator(FixedLocator(duration_ticks(left, right, count=4)))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: readable_seconds(v)))
        else:
            ax.xaxis.set_major_formatter(thousands())
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(panel.title, fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"{title}\nmean and 95% CI per variant, best first", fontsize=11)
    if note:
        fig.supxlabel(note, fontsize=9, color="#555555")
    return fig
