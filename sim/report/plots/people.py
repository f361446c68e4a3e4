"""people.png and clinical.png of a run: the people's work and the late orders over clock time.

people.png draws the ``people.*`` sample columns: orders on paper held until their interface is
back, the clerks' back-entry and reconciliation queues, the analysts' waiting tasks, and how
many clerks and analysts are at work (against the size of each team). A world without a paper
fallback and without staff has none of these columns; its people.png says so in a sentence
instead of drawing empty axes.

clinical.png draws the ``late.<class>`` columns: orders past their deadline without a result,
accumulating over the run (the last value is summary.json's ``late``). A world whose flows
set no deadline gets a sentence saying so.

Both draw what backlog.png draws: the mean over the replications with the 5th-95th percentile
band, or one chosen replication as it was sampled; faults shaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sim.report.plots.canvas import CLASS_COLOURS, Figure, count_axis, save
from sim.report.plots.clock import clock_axis
from sim.report.plots.draw import draw_series
from sim.report.plots.faults import NAMED_HEADROOM, guard_times, shade_faults, spans_of, stop_lines
from sim.report.plots.run_series import Drawn, drawn
from sim.report.plots.series import columns_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.run import ReplicationResult

__all__ = [
    "NO_DEADLINES",
    "NO_PEOPLE",
    "PANELS",
    "clinical_figure",
    "clinical_png",
    "people_figure",
    "people_png",
]

PANELS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Orders on paper and the clerks' queues",
        "orders or tasks waiting",
        (
            ("people.paper_held", "paper orders held (interface down)", "#7b3294"),
            ("people.back_entry", "back-entry waiting for a clerk", "#0072b2"),
            ("people.reconcile", "duplicates waiting to be reconciled", "#e69f00"),
        ),
    ),
    (
        "Analysts' tasks waiting: poison fixes, channel restarts, reprocessing",
        "tasks waiting",
        (("people.analyst_tasks", "analysts' tasks", "#d55e00"),),
    ),
    (
        "People at work (answering a call-out counts)",
        "people working",
        (
            ("people.clerks_busy", "clerks", "#0072b2"),
            ("people.analysts_busy", "analysts", "#d55e00"),
        ),
    ),
)
"""people.png's panels, top to bottom: (title, y label, (column, legend, colour) per line)."""

NO_PEOPLE = (
    "No people's work to show: this scenario has no paper fallback and no analysts or clerks "
    "(its fallback and staff keys),\nso nobody orders on paper, back-enters, reconciles or "
    "fixes messages by hand."
)
NO_DEADLINES = (
    "No order in this scenario has a deadline (the flows' deadline key), so none can be late."
)

_TEAM_OF = {"people.clerks_busy": "clerks", "people.analysts_busy": "analysts"}


def _frame(ax: Axes, shown: Drawn, start: datetime, horizon: float, *, named: bool) -> None:
    """Faults shaded (named in the top panel), guard stops, grid."""
    shade_faults(ax, spans_of(shown.reps, horizon), start, named=named)
    stop_lines(ax, guard_times(shown.reps), start, named=named)
    ax.grid(True, alpha=0.3)


def _sentence(title: str, text: str) -> Figure:
    fig = Figure(figsize=(11, 2.0), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, wrap=True)
    ax.set_title(title, fontsize=11)
    return fig


def people_figure(
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    staff: Mapping[str, int],
    chosen: int | None = None,
) -> Figure:
    """The figure of people.png (an axes per panel that has columns), not yet saved.

    Args:
        reps: The run's replications.
        start: The scenario's start.
        horizon: Simulated seconds of the run.
        title: The scenario's title.
        staff: Team name (``clerks``, ``analysts``) -> its size, drawn as a dashed limit.
        chosen: Draw only this replication (0-based); None: the mean and band.
    """
    shown = drawn(reps, chosen)
    present = set(columns_of(shown.reps, "people."))
    panels = [
        (name, ylabel, [line for line in lines if line[0] in present])
        for name, ylabel, lines in PANELS
    ]
    panels = [p for p in panels if p[2]]
    heading = f"{title}: the people's work"
    if not panels:
        return _sentence(heading, NO_PEOPLE)
    fig = Figure(figsize=(11, 1.4 + 2.5 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    idle = True
    for k, (ax, (name, ylabel, lines)) in enumerate(zip(axes, panels, strict=True)):
        peak = 0.0
        for column, label, colour in lines:
            series = shown.series(column)
            peak = max(peak, series.peak)
            idle = idle and series.peak == 0.0
            team = _TEAM_OF.get(column)
            if team is not None and team in staff:
                label = f"{label} (of {staff[team]})"
                peak = max(peak, float(staff[team]))
                ax.axhline(staff[team], color=colour, linestyle=":", linewidth=1.0, alpha=0.8)
            draw_series(ax, series, start, key=column, label=label, colour=colour)
        _frame(ax, shown, start, horizon, named=k == 0)
        ax.set_ylim(0, max(2.0, peak * (NAMED_HEADROOM if k == 0 else 1.15)))
        ax.set_ylabel(ylabel)
        count_axis(ax.yaxis)
        ax.set_title(name, fontsize=10, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
        clock_axis(ax, start, horizon, label=k == len(panels) - 1)
    if idle:
        axes[0].text(
            0.5, 0.5, "nobody had work in this run", transform=axes[0].transAxes,
            ha="center", va="center", fontsize=11, color="#555555",
        )  # fmt: skip
    fig.suptitle(f"{heading}\n{shown.what}", fontsize=11)
    return fig


def clinical_figure(
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    chosen: int | None = None,
) -> Figure:
    """The figure of clinical.png (one axes), not yet saved.

    Args:
        reps: The run's replications.
        start: The scenario's start.
        horizon: Simulated seconds of the run.
        title: The scenario's title.
        chosen: Draw only this replication (0-based); None: the mean and band.
    """
    shown = drawn(reps, chosen)
    columns = columns_of(shown.reps, "late.")
    heading = f"{title}: orders late over time"
    if not columns:
        return _sentence(heading, NO_DEADLINES)
    fig = Figure(figsize=(11, 5.0), layout="constrained")
    ax = fig.add_subplot()
    peak = 0.0
    for column in columns:
        cls = column.removeprefix("late.")
        series = shown.series(column)
        peak = max(peak, series.peak)
        end = float(series.value[-1]) if series.value.size else 0.0
        count = f"{end:,.0f}" if end == round(end) else f"{end:,.1f}"
        label = f"{cls.upper() if cls == 'stat' else cls}: {count} by the end"
        draw_series(
            ax,
            series,
            start,
            key=column,
            label=label,
            colour=CLASS_COLOURS.get(cls, "#7f7f7f"),
            width=2.2 if cls == "stat" else 1.6,
        )
    _frame(ax, shown, start, horizon, named=True)
    clock_axis(ax, start, horizon)
    ax.set_ylim(0, max(5.0, peak * NAMED_HEADROOM))
    ax.set_ylabel("orders past their deadline without a result\n(cumulative)")
    count_axis(ax.yaxis)
    ax.set_title(f"{heading}\n{shown.what}", fontsize=11)
    ax.legend(title="priority", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return fig


def people_png(
    path: Path,
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    staff: Mapping[str, int],
    chosen: int | None = None,
) -> None:
    """Write people.png: :func:`people_figure`, saved."""
    fig = people_figure(reps, start=start, horizon=horizon, title=title, staff=staff, chosen=chosen)
    save(fig, path)


def clinical_png(
    path: Path,
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    chosen: int | None = None,
) -> None:
    """Write clinical.png: :func:`clinical_figure`, saved."""
    save(clinical_figure(reps, start=start, horizon=horizon, title=title, chosen=chosen), path)
