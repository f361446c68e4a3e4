"""Clock time on an x axis: ``HH:MM`` on every tick, the date once per day.

A run of a day gets ``HH:MM`` ticks and its date in the axis label. A run over several days
names the date under the first tick of each day only (``00:00`` / ``Thu 07 Dec``), not under
every tick, so the labels do not crowd or repeat; when every tick is a midnight (a run of a
week or more) the ticks are the dates alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
from matplotlib.ticker import Formatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DayLabels", "clock_axis", "clock_label"]

_DATE = "%a %d %b"


def _moment(value: float) -> datetime:
    """A date number as the naive clock time it stands for (matplotlib reads naive as UTC)."""
    return mdates.num2date(value).replace(tzinfo=None)  # type: ignore[no-untyped-call,no-any-return]


class DayLabels(Formatter):
    """Tick labels ``HH:MM``, with the date below the first tick of each day."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{_moment(x):%H:%M}"

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        moments = [_moment(v) for v in values]
        if moments and all(m.hour == 0 and m.minute == 0 for m in moments):
            return [f"{m:{_DATE}}" for m in moments]
        low = -float("inf")
        if self.axis is not None:  # a tick left of the view must not take its day's label
            low = min(self.axis.get_view_interval())
        labels, seen = [], set()
        for value, moment in zip(values, moments, strict=True):
            text = f"{moment:%H:%M}"
            if value >= low and moment.date() not in seen:
                seen.add(moment.date())
                text += f"\n{moment:{_DATE}}"
            labels.append(text)
        return labels


def clock_label(start: datetime, horizon: float) -> str:
    """The clock axis's label: ``clock time, Wed 06 Dec 2017`` (or from one date to another)."""
    end = start + timedelta(seconds=horizon)
    if (end - timedelta(microseconds=1)).date() == start.date():
        return f"clock time, {start:%a %d %b %Y}"
    return f"clock time, {start:%a %d %b %Y} to {end:%a %d %b %Y}"


def clock_axis(
    ax: Axes, start: datetime, horizon: float, *, label: bool = True, max_ticks: int = 10
) -> None:
    """Clock time from ``start`` to ``start + horizon`` on the x axis.

    Args:
        ax: The axes.
        start: The scenario's start.
        horizon: Simulated seconds shown.
        label: Whether to write the axis label (the bottom panel of a stack only).
        max_ticks: At most this many ticks (fewer for a narrow panel).
    """
    end = start + timedelta(seconds=horizon)
    one_day = (end - timedelta(microseconds=1)).date() == start.date()
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=max_ticks))  # type: ignore[no-untyped-call]
    if one_day:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))  # type: ignore[no-untyped-call]
    else:
        ax.xaxis.set_major_formatter(DayLabels())
    if label:
        ax.set_xlabel(clock_label(start, horizon))
    ax.set_xlim(start, end)  # type: ignore[arg-type]
