"""The diagram of a scenario's world: senders, the integration engine, destination channels.

Senders are boxes on the left, the engine a box in the middle, each destination channel a box
on the right; an arrow joins each sender to the engine and the engine to each channel, its
width growing with the messages a day it carries. The faults are written under the engine in
the fault colour. Every box has a ``gid`` (``sender:<id>``, ``channel:<id>``, ``engine``) and
every arrow one (``in:<id>``, ``out:<id>``), so tests can find what stands for what. The data
comes from :func:`sim.teaching.world.world_diagram`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from sim.report.plots.canvas import FAULT_COLOUR, Figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Box", "WorldDiagram", "diagram_figure"]


@dataclass(frozen=True)
class Box:
    """One side of the engine: a sender or a destination channel.

    Attributes:
        system: The system's id.
        flows: The flows it sends (a sender) or receives (a channel), in the file's order.
        per_day: Mean messages a day over the horizon, all those flows together.
        detail: A further line: a channel's connections, order and load; empty for a sender.
    """

    system: str
    flows: tuple[str, ...]
    per_day: float
    detail: str = ""


@dataclass(frozen=True)
class WorldDiagram:
    """What the world diagram shows.

    Attributes:
        title: The scenario's title.
        senders: Systems that send, in the order their first flow appears.
        channels: Destination channels, likewise.
        engine: The engine's line: nodes, cores, queue design.
        faults: A sentence per fault (clock times, what it does).
    """

    title: str
    senders: tuple[Box, ...]
    channels: tuple[Box, ...]
    engine: str
    faults: tuple[str, ...]


_SENDER = "#e8f1fa"
_CHANNEL = "#eaf5ea"
_ENGINE = "#fdf2e3"
_EDGE = "#555555"
_ROW = 0.78
"""Inches per box row."""
_LEFT, _RIGHT = (0.01, 0.30), (0.66, 0.99)
_ENGINE_X = (0.40, 0.56)
_NAMES_FIT = 34
"""Characters of flow names that fit on a box's line beside the daily volume."""


def _flows(flows: Sequence[str]) -> str:
    """The flows by name when they fit a box's line, else their count."""
    names = ", ".join(flows)
    return names if len(names) <= _NAMES_FIT else f"{len(flows)} flows"


def _rows(count: int) -> list[float]:
    """The vertical centres of ``count`` boxes, top to bottom, in axes fraction."""
    return [1.0 - (i + 0.5) / count for i in range(count)]


def _box(ax: Axes, x: tuple[float, float], y: float, h: float, colour: str, gid: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x[0], y - h / 2),
            x[1] - x[0],
            h,
            boxstyle="round,pad=0.004,rounding_size=0.01",
            facecolor=colour,
            edgecolor=_EDGE,
            linewidth=1.0,
            gid=gid,
        )
    )


def _width(per_day: float, top: float) -> float:
    """An arrow's line width: 0.8 to 5 points, by the square root of its share of the most."""
    return 0.8 + 4.2 * math.sqrt(per_day / top) if top > 0 else 1.0


def _arrow(ax: Axes, a: tuple[float, float], b: tuple[float, float], lw: float, gid: str) -> None:
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=10 + 2 * lw,
            linewidth=lw,
            color="#4a6f94",
            alpha=0.8,
            shrinkA=0,
            shrinkB=0,
            gid=gid,
        )
    )


def diagram_figure(diagram: WorldDiagram) -> Figure:
    """The world diagram, not yet saved (see the module's docstring)."""
    rows = max(len(diagram.senders), len(diagram.channels), 3)
    notes = [
        line
        for sentence in diagram.faults
        for line in textwrap.wrap(sentence, 135, subsequent_indent="    ")
    ]
    body = rows * _ROW + 0.8
    foot = 0.17 * len(notes) + 0.1 if notes else 0.0
    fig = Figure(figsize=(11, body + foot), layout="constrained")
    if notes:
        ax, below = fig.subplots(2, 1, height_ratios=[body, foot])
        below.set_axis_off()
        below.text(0.0, 1.0, "\n".join(notes), color=FAULT_COLOUR, fontsize=8.5, va="top",
                   transform=below.transAxes)  # fmt: skip
    else:
        ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    top = max([b.per_day for b in (*diagram.senders, *diagram.channels)] or [0.0])
    box_h = min(0.8 / rows, 0.2)
    engine_h = 0.9
    for box, y in zip(diagram.senders, _rows(len(diagram.senders)), strict=True):
        _box(ax, _LEFT, y, box_h, _SENDER, f"sender:{box.system}")
        ax.text(_LEFT[0] + 0.01, y + box_h * 0.18, box.system, fontsize=10, weight="bold",
                va="center")  # fmt: skip
        ax.text(_LEFT[0] + 0.01, y - box_h * 0.22, f"{_flows(box.flows)}: {box.per_day:,.0f}/day",
                fontsize=8, va="center")  # fmt: skip
        _arrow(ax, (_LEFT[1], y), (_ENGINE_X[0], 0.5 + (y - 0.5) * engine_h),
               _width(box.per_day, top), f"in:{box.system}")  # fmt: skip
    for box, y in zip(diagram.channels, _rows(len(diagram.channels)), strict=True):
        _box(ax, _RIGHT, y, box_h, _CHANNEL, f"channel:{box.system}")
        ax.text(_RIGHT[0] + 0.01, y + box_h * 0.22, f"{box.system}  ← {_flows(box.flows)}",
                fontsize=10, weight="bold", va="center")  # fmt: skip
        ax.text(_RIGHT[0] + 0.01, y - box_h * 0.2, f"{box.per_day:,.0f}/day; {box.detail}",
                fontsize=8, va="center")  # fmt: skip
        _arrow(ax, (_ENGINE_X[1], 0.5 + (y - 0.5) * engine_h), (_RIGHT[0], y),
               _width(box.per_day, top), f"out:{box.system}")  # fmt: skip
    faulted = bool(diagram.faults)
    _box(ax, _ENGINE_X, 0.5, engine_h, _ENGINE, "engine")
    if faulted:
        ax.patches[-1].set_edgecolor(FAULT_COLOUR)
        ax.patches[-1].set_linewidth(2.0)
    engine_text = "\n".join(textwrap.wrap(diagram.engine, 22))
    ax.text(sum(_ENGINE_X) / 2, 0.5, f"integration\nengine\n\n{engine_text}", ha="center",
            va="center", fontsize=9)  # fmt: skip
    ax.set_title(
        f"{diagram.title}\nwho sends what through the engine to whom "
        "(arrows: mean messages a day over the run; ρ: a channel's mean load)",
        fontsize=11,
    )
    return fig
