"""Matplotlib on the Agg canvas, and saving a figure as a results folder's PNG.

Figures are drawn on the Agg canvas directly (no ``pyplot``): no global figure state, no GUI
backend, safe in any process. Every figure-building function of this package returns its
:class:`~matplotlib.figure.Figure` unsaved (the tests inspect what it shows); :func:`save`
writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

if TYPE_CHECKING:
    from matplotlib.axis import Axis

__all__ = [
    "CLASS_COLOURS",
    "DPI",
    "FAULT_COLOUR",
    "Figure",
    "clock_times",
    "count_axis",
    "num",
    "save",
    "thousands",
]

DPI = 120
CLASS_COLOURS = {"stat": "#c0392b", "urgent": "#e67e22", "routine": "#2e6da4"}
"""One colour per priority class, in every plot."""
FAULT_COLOUR = "#d62728"


def save(fig: Figure, path: Path) -> None:
    """Write the figure as a PNG (no timestamp in its metadata: same figure, same bytes)."""
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=DPI, metadata={"Software": None})


def num(moment: datetime) -> float:
    """A datetime as matplotlib's date number (for annotations placed in data coordinates)."""
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def clock_times(start: datetime, seconds: Iterable[float]) -> list[datetime]:
    """Simulated seconds as the clock times they stand for (``start + t``)."""
    return [start + timedelta(seconds=float(t)) for t in seconds]


def thousands() -> FuncFormatter:
    """Tick labels for counts, with thousands separators: ``12,500``, ``0.5``."""
    return FuncFormatter(lambda value, _pos: f"{value:,g}")


def count_axis(axis: Axis) -> None:
    """An axis of counts (messages, orders, people): whole-number ticks, thousands separated."""
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))
    axis.set_major_formatter(thousands())
