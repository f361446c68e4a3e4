"""latency.png of a run: each flow's p95 latency (creation to ACK) per priority class."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from sim.report.plots.canvas import CLASS_COLOURS, Figure, save
from sim.report.plots.durations import duration_ticks, readable_seconds

__all__ = ["latency_figure", "latency_png"]

_LOG_SPAN = 20.0
"""Latencies spanning more than this factor get a log axis."""


def latency_figure(latency: Mapping[str, Mapping[str, Any]], *, title: str) -> Figure:
    """The figure of latency.png (one axes), not yet saved.

    Bars show the p95 and a dot the mean, both from summary.json (the mean over the
    replications), so the plot and the summary agree. Flows without delivered messages are
    left out.

    Args:
        latency: summary.json's ``latency_s``: flow -> class -> figures in seconds.
        title: The scenario's title.
    """
    rows: list[tuple[str, str, float, float | None]] = []
    for flow, classes in latency.items():
        for cls, figures in classes.items():
            p95 = figures.get("p95")
            if isinstance(p95, int | float) and p95 > 0 and figures.get("count"):
                mean = figures.get("mean")
                rows.append((flow, cls, float(p95), float(mean) if mean else None))
    height = max(3.0, 0.9 + 0.28 * len(rows))
    fig = Figure(figsize=(10, height), layout="constrained")
    ax = fig.add_subplot()
    if not rows:
        ax.text(0.5, 0.5, "no message was delivered", ha="center", va="center")
        ax.set_axis_off()
        ax.set_title(f"{title}: latency", fontsize=11)
        return fig
    ys = list(range(len(rows)))[::-1]
    ax.barh(
        ys,
        [r[2] for r in rows],
        color=[CLASS_COLOURS.get(r[1], "#7f7f7f") for r in rows],
        height=0.7,
    )
    means = [(y, r[3]) for y, r in zip(ys, rows, strict=True) if r[3]]
    ax.plot([m for _, m in means], [y for y, _ in means], "k.", markersize=6, label="mean")
    for y, r in zip(ys, rows, strict=True):
        ax.text(r[2], y, f" {readable_seconds(r[2])}", va="center", fontsize=8)
    ax.set_yticks(ys, [f"{r[0]} · {r[1]}" for r in rows], fontsize=8)
    lo = min(min(r[2] for r in rows), min((m for _, m in means), default=math.inf))
    hi = max(r[2] for r in rows)
    log = hi / lo > _LOG_SPAN
    if log:  # seconds and hours side by side (a stall): only a log axis shows both
        ax.set_xscale("log")
        ax.set_xlim(lo / 2, hi * 6)
    else:
        ax.set_xlim(0, hi * 1.25)
    left, right = ax.get_xlim()
    ax.xaxis.set_major_locator(FixedLocator(duration_ticks(left, right, log=log)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: readable_seconds(v)))
    scale = "log scale" if log else "linear scale"
    ax.set_xlabel(f"latency, creation to ACK (bar: p95, dot: mean; {scale})")
    ax.set_title(f"{title}: p95 latency per flow and class", fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)
    handles = [
        Patch(color=colour, label=cls)
        for cls, colour in CLASS_COLOURS.items()
        if any(r[1] == cls for r in rows)
    ]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="lower right", fontsize=8)
    return fig


def latency_png(path: Path, latency: Mapping[str, Mapping[str, Any]], *, title: str) -> None:
    """Write latency.png: :func:`latency_figure`, saved.

    Args:
        path: Where to write the PNG.
        latency: summary.json's ``latency_s``: flow -> class -> figures in seconds.
        title: The scenario's title.
    """
    save(latency_figure(latency, title=title), path)
