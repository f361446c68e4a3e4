"""The figure of a calibrated flow: each day's hourly counts against the fitted profile."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report.plots.canvas import Figure, count_axis, save

__all__ = ["flow_profile_figure", "flow_profile_png"]

_DAY = "#7f7f7f"
_WEEKEND = "#6fa8dc"
_FITS = ("#c0392b", "#1f4e79")
"""The fitted lines: the mean day (or Monday to Friday), then the weekend day."""


def flow_profile_figure(
    hourly: Sequence[Sequence[int]],
    weekdays: Sequence[int],
    shares: Sequence[float],
    fits: Mapping[str, float],
    *,
    title: str,
    note: str = "",
    fitted: bool = True,
) -> Figure:
    """Observed messages per hour, one line per day of the log, and the fitted profile.

    Each fitted line is the profile's share of each hour times a day's fitted volume (the mean
    day; with a weekday pattern, the mean Monday-to-Friday and the mean weekend day); its band
    is where 95 % of Poisson hours at that mean fall, so observed days that leave it often show
    traffic more variable than the fitted Poisson process.

    Args:
        hourly: Messages per day (rows) and local hour (24 columns).
        weekdays: Each day's weekday (0 = Monday).
        shares: The fitted profile, each hour's share of the day (summing to 1).
        fits: Label -> fitted daily volume: ``{"mean day": v}``, or ``{"Mon-Fri": v,
            "Sat-Sun": w}``.
        title: What the flow is.
        note: A line under the title (e.g. that the flow is created by replies).
        fitted: False for a flow the scenario creates by replies: its lines are then the
            observed shape, not a fit the scenario uses.
    """
    from scipy import stats

    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    hours = np.arange(24)
    for row, weekday in zip(hourly, weekdays, strict=True):
        colour = _WEEKEND if weekday >= 5 else _DAY
        ax.plot(hours, row, color=colour, alpha=0.35, linewidth=0.8)
    handles: list[Artist] = [Line2D([], [], color=_DAY, alpha=0.6, label="one weekday (observed)")]
    if any(w >= 5 for w in weekdays):
        handles.append(
            Line2D([], [], color=_WEEKEND, alpha=0.8, label="one Saturday or Sunday (observed)")
        )
    kind = "fitted" if fitted else "observed"
    for (label, per_day), colour in zip(fits.items(), _FITS, strict=False):
        expected = np.asarray(shares, dtype=float) * per_day
        low = stats.poisson.ppf(0.025, expected)
        high = stats.poisson.ppf(0.975, expected)
        ax.fill_between(hours, low, high, color=colour, alpha=0.13, linewidth=0)
        ax.plot(hours, expected, color=colour, linewidth=2.2, marker="o", markersize=3.5)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linewidth=2.2,
                marker="o",
                markersize=3.5,
                label=f"{kind}: profile x {label} ({per_day:,.0f} a day)",
            )
        )
    # The band's swatch: the fit's own colour when there is one fit, a neutral grey for two.
    band = _FITS[0] if len(fits) == 1 else "#999999"
    handles.append(
        Patch(
            color=band,
            alpha=0.13 if len(fits) == 1 else 0.25,
            label="95 % of Poisson hours at a fit",
        )
    )
    ax.set_xlim(-0.3, 23.3)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)], fontsize=8)
    ax.set_ylim(bottom=0)
    count_axis(ax.yaxis)
    ax.set_xlabel("hour of the day (MSH-7's own clock)")
    ax.set_ylabel("messages in the hour")
    days = len(hourly)
    heading = f"{title}\n{days} day{'s' if days != 1 else ''} of log"
    if note:
        heading += f"; {note}"
    ax.set_title(heading, fontsize=10, loc="left")
    ax.grid(True, alpha=0.3)
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig


def flow_profile_png(path: Path, *args: object, **kwargs: object) -> None:
    """Write :func:`flow_profile_figure` as a PNG."""
    save(flow_profile_figure(*args, **kwargs), path)  # type: ignore[arg-type]
