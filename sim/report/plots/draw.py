"""Drawing a :class:`~sim.report.plots.series.Series` on clock time, and line styles that keep
several variants apart.

A series is a step line (a sample holds until the next) with ``gid`` ``line:<key>``, and its
band a step-shaped fill with ``gid`` ``band:<key>``, so tests (and readers of the code) can find
what stands for what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import matplotlib

from sim.report.plots.canvas import clock_times

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.report.plots.series import Series

__all__ = ["LineStyle", "draw_series", "palette", "variant_styles"]

_OKABE_ITO = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000")
"""Colours told apart with any colour vision (Okabe and Ito), the pale yellow left out."""


def palette(count: int) -> list[str]:
    """``count`` distinct colours: Okabe-Ito up to seven, then matplotlib's tab10 or tab20."""
    if count <= len(_OKABE_ITO):
        return list(_OKABE_ITO[:count])
    tab = matplotlib.colormaps["tab10" if count <= 10 else "tab20"]
    return [matplotlib.colors.to_hex(tab(i % tab.N)) for i in range(count)]


@dataclass(frozen=True)
class LineStyle:
    """How one line is drawn: colour, dashes, width, marker, and its place in the stack."""

    colour: str
    dashes: tuple[float, ...]
    """On/off lengths in points; () is a solid line."""
    width: float
    marker: str
    zorder: float


_DASHES: tuple[tuple[float, ...], ...] = (
    (), (6.0, 2.5), (1.5, 1.5), (8.0, 2.0, 1.5, 2.0), (3.0, 3.0), (8.0, 2.0, 1.5, 2.0, 1.5, 2.0),
)  # fmt: skip
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def variant_styles(count: int) -> list[LineStyle]:
    """A style per variant that stays visible where lines coincide.

    The first variant is drawn widest and lowest, each next one narrower, dashed and on top,
    so two identical lines show as a dashed line inside a wider one of another colour; each
    also has its own marker shape, and its own colour.
    """
    colours = palette(count)
    widest, narrowest = 3.4, 1.2
    step = (widest - narrowest) / max(count - 1, 1)
    return [
        LineStyle(
            colour=colours[i],
            dashes=_DASHES[i % len(_DASHES)],
            width=round(widest - step * i, 2) if count > 1 else 2.0,
            marker=_MARKERS[i % len(_MARKERS)],
            zorder=2.0 + i * 0.1,
        )
        for i in range(count)
    ]


def _marks(series: Series, markers: tuple[int, int] | None) -> list[int] | None:
    """Sample indices for markers: every ``every`` from ``first``, where the value is > 0."""
    if markers is None:
        return None
    first, every = markers
    return [i for i in range(first, len(series.value), every) if series.value[i] > 0]


def draw_series(
    ax: Axes,
    series: Series,
    start: datetime,
    *,
    key: str,
    label: str,
    colour: str,
    width: float = 1.6,
    style: LineStyle | None = None,
    markers: tuple[int, int] | None = None,
) -> None:
    """A series as a step line on clock time, and its band (if any) as a light fill.

    Args:
        ax: The axes.
        series: What to draw.
        start: The scenario's start (simulated second t is ``start + t``).
        key: Names the drawn artists (``line:<key>``, ``band:<key>``).
        label: The legend's text.
        colour: The line's and band's colour (a ``style`` has its own).
        width: The line's width (a ``style`` has its own).
        style: A variant's style (dashes, width, marker, stacking order).
        markers: (first, every): where a styled line's markers go, by sample index; only
            where the value is above zero (markers along an empty queue would only crowd).
    """
    times = clock_times(start, series.time_s)
    options: dict[str, Any] = {"color": colour, "linewidth": width}
    if style is not None:
        options = {
            "color": style.colour,
            "linewidth": style.width,
            "zorder": style.zorder,
            "marker": style.marker,
            "markersize": 3.5 + 0.8 * style.width,
            "markevery": _marks(series, markers),
            "markerfacecolor": "white",
            "markeredgewidth": 1.2,
            "solid_capstyle": "butt",
            "dash_capstyle": "butt",
        }
        if style.dashes:
            options["dashes"] = style.dashes
    if series.low is not None and series.high is not None:
        ax.fill_between(
            times,  # type: ignore[arg-type]
            series.low,
            series.high,
            step="post",
            color=options["color"],
            alpha=0.16,
            linewidth=0,
            gid=f"band:{key}",
        )
    ax.plot(
        times,  # type: ignore[arg-type]
        series.value,
        drawstyle="steps-post",
        label=label,
        gid=f"line:{key}",
        **options,
    )
