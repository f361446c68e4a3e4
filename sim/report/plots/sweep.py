"""The plot of a sweep (sweep.png): each metric across the grid.

One parameter: a panel per metric, the mean at each value as a line with markers (``gid``
``line:<metric>``) in its 95 % interval band (``band:<metric>``). Two parameters: a panel per
metric, a heatmap of the mean (``heatmap:<metric>``) with the first parameter down and the
second across, each cell labelled with its value. The values of a parameter are placed by
their size when all are numbers or durations (``1h,3h,6h``), evenly otherwise, and labelled
as typed.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from sim.report.plots.canvas import Figure, thousands
from sim.report.plots.draw import palette
from sim.report.plots.durations import duration_ticks, readable_seconds

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

__all__ = ["MetricGrid", "SweptAxis", "sweep_figure"]

_NOTE_COLOUR = "#8b1a1a"
_SPAN = 0.01
"""The least range of a heatmap's colours, relative to its largest value: cells that differ by
less (a goodput share of 99.99 % beside 100 %) get nearly the same colour, as their labels
read the same."""
_INTERVALS_UP_TO = 5
"""A heatmap's cells show the 95 % interval under the mean when it has this many columns or
fewer (more would crowd them)."""


@dataclass(frozen=True)
class SweptAxis:
    """A swept parameter on a plot: its key, its values as typed and where each goes.

    Attributes:
        key: The key as typed.
        labels: The values as typed.
        positions: Each value's place on the axis (its size, or 0, 1, 2, ...).
    """

    key: str
    labels: tuple[str, ...]
    positions: tuple[float, ...]


@dataclass(frozen=True)
class MetricGrid:
    """One metric over the grid (grid order: the first parameter outermost).

    Attributes:
        metric: The metric's path (names the drawn artists).
        title: The panel's title.
        seconds: Whether the metric is a duration (duration ticks and labels).
        mean, low, high: The mean and its 95 % interval at each point (``None``: no value).
        text: Each point's mean as the heatmap's cells write it (``""``: no value).
        interval: Each point's 95 % interval as text (``""``: none).
        note: Why a point's value is missing or partial (``not recovered in 2/5``; ``""``).
    """

    metric: str
    title: str
    seconds: bool
    mean: tuple[float | None, ...]
    low: tuple[float | None, ...]
    high: tuple[float | None, ...]
    text: tuple[str, ...]
    interval: tuple[str, ...]
    note: tuple[str, ...]


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _value_axis(axis: Axis, seconds: bool, low: float, high: float) -> None:
    if seconds:
        axis.set_major_locator(FixedLocator(duration_ticks(low, high, count=5)))
        axis.set_minor_locator(NullLocator())
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: readable_seconds(v)))
    else:
        axis.set_major_formatter(thousands())


def _line(ax: Axes, x: SweptAxis, panel: MetricGrid, colour: str) -> None:
    mean, low, high = _nan(panel.mean), _nan(panel.low), _nan(panel.high)
    xs = list(x.positions)
    ax.fill_between(xs, low, high, color=colour, alpha=0.2, linewidth=0, gid=f"band:{panel.metric}")
    ax.plot(xs, mean, color=colour, marker="o", linewidth=1.8, gid=f"line:{panel.metric}")
    ax.set_xticks(xs, list(x.labels), fontsize=8)
    ax.set_xlabel(x.key, fontsize=8)
    values = [v for v in (*mean, *low, *high) if not math.isnan(v)]
    top = max(values, default=1.0)
    bottom = min([0.0, *values])
    top = top * 1.1 if top > 0 else 1.0
    ax.set_ylim(bottom, top)
    _value_axis(ax.yaxis, panel.seconds, bottom, top)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, alpha=0.3)
    left, right = min(xs), max(xs)
    for xv, m, note in zip(xs, mean, panel.note, strict=True):
        if not note and not math.isnan(m):
            continue
        if math.isnan(m):  # no value: a cross on the axis, the reason above it
            ax.plot([xv], [0], marker="x", color=_NOTE_COLOUR, clip_on=False,
                    gid=f"missing:{panel.metric}")  # fmt: skip
        align = "left" if xv == left and xv != right else "right" if xv == right else "center"
        ax.annotate(note or "no value", (xv, 0 if math.isnan(m) else m), xytext=(0, 7),
                    textcoords="offset points", ha=align, fontsize=7,
                    color=_NOTE_COLOUR)  # fmt: skip


def _colour_span(values: np.ndarray) -> tuple[float, float]:
    """The values the colour scale runs between: their range, widened around its middle to at
    least :data:`_SPAN` of the largest magnitude (so near-equal cells look equal)."""
    if not values.size:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    least = _SPAN * max(abs(low), abs(high)) or 1.0
    if high - low < least:
        middle = (low + high) / 2
        return middle - least / 2, middle + least / 2
    return low, high


def _heatmap(ax: Axes, fig: Figure, rows: SweptAxis, cols: SweptAxis, panel: MetricGrid) -> None:
    shape = (len(rows.labels), len(cols.labels))
    data = np.array(_nan(panel.mean), dtype=float).reshape(shape)
    masked = np.ma.masked_invalid(data)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#dddddd")
    image = ax.imshow(masked, cmap=cmap, aspect="auto", origin="upper")
    image.set_gid(f"heatmap:{panel.metric}")
    ax.set_xticks(range(shape[1]), list(cols.labels), fontsize=8)
    ax.set_yticks(range(shape[0]), list(rows.labels), fontsize=8)
    ax.set_xlabel(cols.key, fontsize=8)
    ax.set_ylabel(rows.key, fontsize=8)
    finite = data[np.isfinite(data)]
    low, high = _colour_span(finite)
    image.set_clim(low, high)
    middle = (low + high) / 2
    for r in range(shape[0]):
        for c in range(shape[1]):
            value = data[r, c]
            dark = math.isfinite(value) and value < middle
            k = r * shape[1] + c
            lines = [panel.text[k]] if panel.text[k] else []
            if panel.interval[k] and shape[1] <= _INTERVALS_UP_TO:
                lines.append(panel.interval[k])
            if panel.note[k] or not lines:
                lines.append(panel.note[k] or "no value")
            text = "\n".join(lines)
            ax.text(c, r, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
    bar = fig.colorbar(image, ax=ax, shrink=0.85)
    _value_axis(bar.ax.yaxis, panel.seconds, low, high)
    bar.ax.tick_params(labelsize=7)


def sweep_figure(
    axes: Sequence[SweptAxis], panels: Sequence[MetricGrid], *, title: str, note: str = ""
) -> Figure:
    """sweep.png's figure: a line in its band per metric for one parameter, a heatmap for two.

    Args:
        axes: The swept parameters (one: lines; two: heatmaps).
        panels: The metrics to draw, one panel each.
        title: The figure's title (the scenario, the grid).
        note: A line under the figure (e.g. metrics left out).

    Raises:
        ValueError: For more than two parameters (a grid with no plot).
    """
    if len(axes) not in (1, 2):
        raise ValueError(f"a sweep plot has one or two parameters, not {len(axes)}")
    count = max(len(panels), 1)
    ncols = min(3 if len(axes) == 1 else 2, count)
    nrows = math.ceil(count / ncols)
    per = (4.2, 3.0) if len(axes) == 1 else (5.2, 0.9 + 0.32 * len(axes[0].labels) + 1.2)
    fig = Figure(figsize=(per[0] * ncols, 0.8 + per[1] * nrows), layout="constrained")
    colour = palette(1)[0]
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        if len(axes) == 1:
            _line(ax, axes[0], panel, colour)
        else:
            _heatmap(ax, fig, axes[0], axes[1], panel)
        ax.set_title(panel.title, fontsize=10)
    if not panels:
        ax = fig.add_subplot(1, 1, 1)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no metric to draw", ha="center", va="center")
    what = "mean and 95% CI at each value" if len(axes) == 1 else "mean at each point"
    if len(axes) == 2 and len(axes[1].labels) <= _INTERVALS_UP_TO:
        what += ", 95% CI below it"
    width = int(fig.get_figwidth() * 11)
    fig.suptitle(f"{textwrap.fill(title, width)}\n{what}", fontsize=11)
    if note:
        fig.supxlabel(note, fontsize=9, color="#555555")
    return fig
