"""The figure of a calibrated flow: each day's hourly counts against the fitted profile."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from sim.report.plots.canvas import Figure, count_axis, save

__all__ = ["flow_profile_figure", "flow_profile_png"]

_DAY = "#7f7f7f"
_WEEKEND = "#6fa8dc"
_FIT = "#c0392b"


def flow_profile_figure(
    hourly: Sequence[Sequence[int]],
    weekdays: Sequence[int],
    shares: Sequence[float],
    per_day: float,
    *,
    title: str,
    note: str = "",
) -> Figure:
    """Observed messages per hour, one line per day of the log, and the fitted profile.

    The fitted line is the profile's share of each hour times the mean daily volume; its band
    is where 95 % of a Poisson hour at that mean falls, so days that leave it often show a
    traffic more variable than the fitted Poisson process.

    Args:
        hourly: Messages per day (rows) and local hour (24 columns).
        weekdays: Each day's weekday (0 = Monday).
        shares: The fitted profile, each hour's share of the day (summing to 1).
        per_day: The mean daily volume over the log.
        title: What the flow is.
        note: A line under the title (e.g. that the flow is created by replies).
    """
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.add_subplot()
    hours = np.arange(24)
    for row, weekday in zip(hourly, weekdays, strict=True):
        colour = _WEEKEND if weekday >= 5 else _DAY
        ax.plot(hours, row, color=colour, alpha=0.35, linewidth=0.8)
    expected = np.asarray(shares, dtype=float) * per_day
    low = stats.poisson.ppf(0.025, expected)
    high = stats.poisson.ppf(0.975, expected)
    ax.fill_between(hours, low, high, color=_FIT, alpha=0.15, linewidth=0, step=None)
    ax.plot(hours, expected, color=_FIT, linewidth=2.2, marker="o", markersize=3.5)
    ax.set_xlim(-0.3, 23.3)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], fontsize=8)
    ax.set_ylim(bottom=0)
    count_axis(ax.yaxis)
    ax.set_xlabel("hour of the day (MSH-7's own clock)")
    ax.set_ylabel("messages in the hour")
    days = len(hourly)
    heading = f"{title}\n{days} day{'s' if days != 1 else ''} of log, {per_day:,.0f} messages a day"
    if note:
        heading += f"; {note}"
    ax.set_title(heading, fontsize=10, loc="left")
    ax.grid(True, alpha=0.3)
    handles = [
        Line2D([], [], color=_DAY, alpha=0.6, label="one weekday (observed)"),
        Line2D([], [], color=_WEEKEND, alpha=0.8, label="one Saturday or Sunday (observed)"),
        Line2D(
            [],
            [],
            color=_FIT,
            linewidth=2.2,
            marker="o",
            markersize=3.5,
            label="fitted profile x mean day",
        ),
        Patch(color=_FIT, alpha=0.15, label="95 % of Poisson hours at the fit"),
    ]
    if not any(w >= 5 for w in weekdays):
        handles.pop(1)
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    return fig


def flow_profile_png(path: Path, *args: object, **kwargs: object) -> None:
    """Write :func:`flow_profile_figure` as a PNG."""
    save(flow_profile_figure(*args, **kwargs), path)  # type: ignore[arg-type]
