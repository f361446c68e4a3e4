"""The phase diagram of a metastability map (metastability.png).

One panel per variant: the fault's duration across (its values in order, evenly spaced: the
map's durations are geometric), its magnitude up, each cell coloured by its point's class
(``gid`` ``cells:<variant>``). The **boundary** of the ``stays-degraded`` region, where the
design stops surviving the trigger, is a thick black line along the cell edges that separate
it from the rest (``boundary:<variant>``); the edge of the ``recovers`` region is a dashed
line (``recovery-edge:<variant>``). A cell whose replications disagree says how many of them
have its class (``2/3``). A panel that stays degraded at every point says that its boundary
lies off the map (``gid`` ``off-map:<variant>``): every trigger on it tips the design over.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report.plots.canvas import Figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CLASS_COLOURS",
    "PhasePanel",
    "Segment",
    "boundary_segments",
    "phase_figure",
]

CLASS_COLOURS = {
    "recovers": "#2a9d4b",
    "recovering-at-horizon": "#f2b705",
    "stays-degraded": "#c0392b",
}
"""A colour per class: green, amber, red."""
_NO_CLASS = "#bbbbbb"
"""A point whose every replication stopped at a guard."""
_ORDER = (*CLASS_COLOURS, None)

Segment = tuple[tuple[float, float], tuple[float, float]]
"""A line from (x, y) to (x, y), in cell units (cell (k, j) is centred at (j, k))."""


@dataclass(frozen=True)
class PhasePanel:
    """One variant's map.

    Attributes:
        variant: The variant's name (names the drawn artists).
        title: The panel's title.
        classes: Each point's class, ``classes[k][j]`` at magnitude k and duration j
            (``None``: no class).
        agreement: What each cell says besides its colour (``2/3`` when the replications
            disagree; ``""``).
    """

    variant: str
    title: str
    classes: tuple[tuple[str | None, ...], ...]
    agreement: tuple[tuple[str, ...], ...]


def boundary_segments(
    classes: Sequence[Sequence[str | None]], inside: Collection[str]
) -> list[Segment]:
    """The cell edges between a cell whose class is in ``inside`` and a neighbour whose class
    is not (the map's own edges are not boundaries)."""
    rows = len(classes)
    cols = len(classes[0]) if rows else 0
    out: list[Segment] = []
    for k in range(rows):
        for j in range(cols):
            here = classes[k][j] in inside
            if j + 1 < cols and (classes[k][j + 1] in inside) != here:
                out.append(((j + 0.5, k - 0.5), (j + 0.5, k + 0.5)))
            if k + 1 < rows and (classes[k + 1][j] in inside) != here:
                out.append(((j - 0.5, k + 0.5), (j + 0.5, k + 0.5)))
    return out


def _panel(
    ax: Axes, panel: PhasePanel, durations: Sequence[str], magnitudes: Sequence[str]
) -> None:
    codes = np.array([[_ORDER.index(c) for c in row] for row in panel.classes], dtype=float)
    cmap = ListedColormap([*CLASS_COLOURS.values(), _NO_CLASS])
    image = ax.imshow(
        codes, cmap=cmap, vmin=-0.5, vmax=len(_ORDER) - 0.5, origin="lower", aspect="auto"
    )
    image.set_gid(f"cells:{panel.variant}")
    rows, cols = codes.shape
    for k in range(rows):
        for j in range(cols):
            if panel.agreement[k][j]:
                dark = panel.classes[k][j] == "stays-degraded"
                ax.text(j, k, panel.agreement[k][j], ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")  # fmt: skip
    recovers = boundary_segments(panel.classes, {"recovers"})
    if recovers:
        edge = LineCollection(recovers, colors="#1b1b1b", linewidths=1.2, linestyles=(0, (3, 2)))
        edge.set_gid(f"recovery-edge:{panel.variant}")
        ax.add_collection(edge)
    degraded = boundary_segments(panel.classes, {"stays-degraded"})
    if degraded:
        line = LineCollection(degraded, colors="black", linewidths=3.0, capstyle="projecting")
        line.set_gid(f"boundary:{panel.variant}")
        ax.add_collection(line)
    ax.set_xticks(range(cols), list(durations), fontsize=7)
    ax.set_yticks(range(rows), list(magnitudes), fontsize=7)
    ax.set_xticks([j + 0.5 for j in range(cols - 1)], minor=True)
    ax.set_yticks([k + 0.5 for k in range(rows - 1)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6, alpha=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(-0.5, rows - 0.5)
    ax.set_title(panel.title, fontsize=9)
    if all(c == "stays-degraded" for row in panel.classes for c in row):
        ax.text(
            (cols - 1) / 2, (rows - 1) / 2,
            "every trigger on this map\ntips it over: its boundary\nlies at weaker or shorter ones",
            ha="center", va="center", fontsize=8, color="white", gid=f"off-map:{panel.variant}",
        )  # fmt: skip


def phase_figure(
    panels: Sequence[PhasePanel],
    *,
    durations: Sequence[str],
    magnitudes: Sequence[str],
    x_label: str,
    y_label: str,
    title: str,
    note: str = "",
) -> Figure:
    """metastability.png's figure, not yet saved.

    Args:
        panels: A panel per variant.
        durations: The duration axis's tick labels, shortest first.
        magnitudes: The magnitude axis's tick labels, smallest first.
        x_label: What the durations are.
        y_label: What the magnitudes are.
        title: The figure's title.
        note: A line under the title (how classes are decided).
    """
    count = max(len(panels), 1)
    ncols = min(3, count)
    nrows = math.ceil(count / ncols)
    side = 0.9 + 0.42 * max(len(durations), len(magnitudes))
    width = max(0.6 + (side + 0.6) * ncols, 8.0)
    fig = Figure(figsize=(width, 2.0 + (side + 0.5) * nrows), layout="constrained")
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        _panel(ax, panel, durations, magnitudes)
        if k % ncols == 0:
            ax.set_ylabel(y_label, fontsize=8)
        if k >= len(panels) - ncols:
            ax.set_xlabel(x_label, fontsize=8)
    handles: list[Patch | Line2D] = [
        Patch(facecolor=colour, edgecolor="none", label=name)
        for name, colour in CLASS_COLOURS.items()
    ]
    handles.append(Line2D([], [], color="black", linewidth=3.0, label="metastability boundary"))
    dashed = (0, (3, 2))
    handles.append(
        Line2D([], [], color="#1b1b1b", linewidth=1.2, linestyle=dashed, label="edge of recovery")
    )
    if any(c is None for p in panels for row in p.classes for c in row):
        handles.append(Patch(facecolor=_NO_CLASS, edgecolor="none", label="stopped at a guard"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6),
               fontsize=8, frameon=False)  # fmt: skip
    heading = textwrap.fill(title, int(width * 12))
    if note:
        heading += "\n" + textwrap.fill(note, int(width * 14))
    fig.suptitle(heading, fontsize=10)
    return fig
