"""The plot of a plan (plan.png): the curve the search saw, with its intervals and the target.

Each evaluated value is a point at its mean with its 95 % interval (``gid`` ``point:<value>``),
coloured by its verdict (met, not met, undecided); a thin line joins them in order of value
(``gid`` ``curve``). The target is a dashed horizontal line (``target``), labelled at the end of
the curve farther from it (``target-label``); the answer is ringed (``answer``). Values the
search skipped are not drawn: it assumed the curve monotone between them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from sim.report.plots.canvas import Figure, thousands
from sim.report.plots.durations import duration_ticks, readable_seconds

__all__ = ["VERDICT_COLOURS", "CurvePoint", "plan_figure"]

VERDICT_COLOURS = {"met": "#2a9d4b", "not met": "#c0392b", "undecided": "#e67e22"}


@dataclass(frozen=True)
class CurvePoint:
    """One evaluated value: where it goes, its label, its mean and 95 % interval, verdict."""

    position: float
    label: str
    mean: float | None
    low: float | None
    high: float | None
    verdict: str
    replications: int


def _label_side(points: Sequence[CurvePoint], threshold: float) -> str:
    """Where the target line's label goes: the end (``left``, ``right``) of the curve that
    lies farther from the line, so the label does not sit on a point (a null counts as 0)."""
    if not points:
        return "left"
    ordered = sorted(points, key=lambda p: p.position)

    def gap(p: CurvePoint) -> float:
        return abs((p.mean if p.mean is not None else 0.0) - threshold)

    return "right" if gap(ordered[-1]) > gap(ordered[0]) else "left"


def plan_figure(
    points: Sequence[CurvePoint],
    *,
    key: str,
    metric_label: str,
    threshold: float,
    target_label: str,
    seconds: bool,
    answer: float | None,
    span: tuple[float, float],
    title: str,
    note: str,
) -> Figure:
    """plan.png's figure, not yet saved; ``span`` is the knob's whole range (LO, HI), so
    the values the search skipped show as gaps."""
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    xs = [p.position for p in points]
    means = [math.nan if p.mean is None else p.mean for p in points]
    ax.plot(xs, means, color="#888888", linewidth=1, zorder=1, gid="curve")
    for p in points:
        colour = VERDICT_COLOURS.get(p.verdict, "#555555")
        if p.mean is None:
            ax.plot(
                [p.position], [0], marker="x", color=colour, clip_on=False, gid=f"point:{p.label}"
            )
            ax.annotate(
                "never recovered",
                (p.position, 0),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=colour,
            )
            continue
        low = p.mean if p.low is None else p.low
        high = p.mean if p.high is None else p.high
        ax.errorbar(
            [p.position],
            [p.mean],
            yerr=[[p.mean - low], [high - p.mean]],
            fmt="o",
            color=colour,
            capsize=4,
            zorder=3,
            gid=f"point:{p.label}",
        )
        ax.annotate(
            f"n={p.replications}",
            (p.position, high),
            xytext=(0, 10 if p.position == answer else 4),  # clear of the answer's ring
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color="#555555",
        )
    ax.axhline(threshold, color="#333333", linestyle="--", linewidth=1.2, gid="target")
    side = _label_side(points, threshold)
    ax.annotate(
        target_label,
        (0.01 if side == "left" else 0.99, threshold),
        xycoords=("axes fraction", "data"),
        xytext=(0, 4),
        textcoords="offset points",
        ha=side,
        fontsize=8,
        color="#333333",
        gid="target-label",
    )
    if answer is not None:
        hit = next(p for p in points if p.position == answer)
        ax.plot(
            [answer],
            [hit.mean if hit.mean is not None else 0],
            marker="o",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor="#2a9d4b",
            markeredgewidth=2,
            zorder=4,
            gid="answer",
        )
    ax.set_xticks(xs, [p.label for p in points], fontsize=8)
    pad = 0.04 * (span[1] - span[0]) or 0.5
    ax.set_xlim(span[0] - pad, span[1] + pad)
    ax.set_xlabel(key, fontsize=9)
    values = [v for p in points for v in (p.mean, p.low, p.high) if v is not None]
    top = max([*values, threshold], default=1.0)
    top = top * 1.15 if top > 0 else 1.0
    bottom = min([0.0, *values, threshold])
    ax.set_ylim(bottom, top)
    if seconds:
        ax.yaxis.set_major_locator(FixedLocator(duration_ticks(bottom, top, count=6)))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: readable_seconds(v)))
    else:
        ax.yaxis.set_major_formatter(thousands())
    ax.set_ylabel(f"{metric_label} (mean, 95% CI)", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, alpha=0.3)
    handles = [
        ax.plot([], [], "o", color=colour, label=verdict)[0]
        for verdict, colour in VERDICT_COLOURS.items()
        if any(p.verdict == verdict for p in points)
    ]
    ax.legend(handles=handles, fontsize=8, loc="best")  # clear of the points and labels
    fig.suptitle("\n".join(textwrap.fill(line, 90) for line in title.splitlines()), fontsize=10)
    fig.supxlabel(textwrap.fill(note, 110), fontsize=8, color="#555555")
    return fig
