"""backlog.png of a run: each destination's backlog over clock time, faults shaded and named.

With several replications each line is the mean over them at each sample time, with a band
from the 5th to the 95th percentile across them; one chosen replication (``--plot-replication``)
is drawn as it was sampled, without a band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sim.report.plots.canvas import Figure, count_axis, save
from sim.report.plots.clock import clock_axis
from sim.report.plots.draw import draw_series, palette
from sim.report.plots.faults import NAMED_HEADROOM, guard_times, shade_faults, spans_of, stop_lines
from sim.report.plots.run_series import drawn
from sim.report.plots.series import columns_of

if TYPE_CHECKING:
    from sim.experiments.run import ReplicationResult

__all__ = ["backlog_figure", "backlog_png", "destination_labels"]


def destination_labels(flows: Mapping[str, str]) -> dict[str, str]:
    """Legend text per destination: ``labka ← lab-orders`` or ``ehr ← 12 flows``.

    Args:
        flows: Flow id -> destination system id.
    """
    by_system: dict[str, list[str]] = {}
    for fid, sid in flows.items():
        by_system.setdefault(sid, []).append(fid)
    out = {}
    for sid, fids in by_system.items():
        shown = ", ".join(fids) if len(fids) <= 2 else f"{len(fids)} flows"
        out[sid] = f"{sid} ← {shown}"
    return out


def backlog_figure(
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    labels: Mapping[str, str],
    chosen: int | None = None,
) -> Figure:
    """The figure of backlog.png (one axes), not yet saved.

    Args:
        reps: The run's replications.
        start: The scenario's start: simulated second t is ``start + t``.
        horizon: Simulated seconds of the run (the x axis ends there).
        title: The scenario's title.
        labels: Legend text per destination system id (``queue.<id>`` columns).
        chosen: Draw only this replication (0-based), as sampled; None: the mean and band.
    """
    shown = drawn(reps, chosen)
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.add_subplot()
    queues = columns_of(shown.reps, "queue.")
    colours = palette(len(queues))
    peak = 0.0
    for i, name in enumerate(queues):
        sid = name.removeprefix("queue.")
        series = shown.series(name)
        peak = max(peak, series.peak)
        draw_series(ax, series, start, key=sid, label=labels.get(sid, sid), colour=colours[i])
    stops = guard_times(shown.reps)
    shade_faults(ax, spans_of(shown.reps, horizon), start)
    stop_lines(ax, stops, start)
    clock_axis(ax, start, horizon)
    ax.set_ylim(0, max(5.0, peak * NAMED_HEADROOM))
    ax.set_ylabel("messages waiting (backlog per destination)")
    count_axis(ax.yaxis)
    ax.set_title(f"{title}: backlog per interface\n{shown.what}", fontsize=11)
    ax.grid(True, alpha=0.3)
    if queues:
        ax.legend(title="destination", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return fig


def backlog_png(
    path: Path,
    reps: Sequence[ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
    labels: Mapping[str, str],
    chosen: int | None = None,
) -> None:
    """Write backlog.png: :func:`backlog_figure`, saved."""
    fig = backlog_figure(
        reps, start=start, horizon=horizon, title=title, labels=labels, chosen=chosen
    )
    save(fig, path)
