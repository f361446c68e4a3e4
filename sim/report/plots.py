"""The PNG plots of a results folder: backlog per interface over clock time, and latency; for
a comparison, the total backlog per variant and each compared metric per variant.

Only this module imports matplotlib, and only :mod:`sim.report.results` and
:mod:`sim.report.comparison` import this module, inside the functions that write a results
folder, so ``ehrsim validate`` and the other quick commands never pay matplotlib's import
time. Figures are drawn on the Agg canvas directly (no ``pyplot``): no global figure state, no
GUI backend, safe in any process.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.run import ReplicationResult

__all__ = [
    "FaultSpan",
    "Interval",
    "Panel",
    "backlog_png",
    "comparison_backlog_png",
    "comparison_metrics_figure",
    "comparison_metrics_png",
    "destination_labels",
    "duration_ticks",
    "fault_spans",
    "latency_png",
    "readable_seconds",
]

_DPI = 120
_LOG_SPAN = 20.0
"""Latencies spanning more than this factor get a log axis."""
_CLASS_COLOURS = {"stat": "#c0392b", "urgent": "#e67e22", "routine": "#2e6da4"}


@dataclass(frozen=True)
class FaultSpan:
    """A fault as the backlog plot shades it: simulated seconds and the name a person gave it."""

    start: float
    end: float
    name: str
    open_ended: bool
    """True when no end was recorded (e.g. a poison message not yet fixed at the horizon)."""


def fault_spans(rep: ReplicationResult, end: float) -> list[FaultSpan]:
    """Pair each ``fault-start`` event with its ``fault-end`` (same target and name)."""
    open_: dict[tuple[str, str], list[float]] = {}
    spans: list[FaultSpan] = []
    for ev in rep.events:
        key = (ev.target, ev.detail)
        if ev.kind == "fault-start":
            open_.setdefault(key, []).append(ev.time_s)
        elif ev.kind == "fault-end" and open_.get(key):
            spans.append(FaultSpan(open_[key].pop(0), ev.time_s, _fault_name(*key), False))
    for key, starts in open_.items():
        spans += [FaultSpan(s, end, _fault_name(*key), True) for s in starts]
    return sorted(spans, key=lambda s: (s.start, s.end))


def merged_spans(spans: list[FaultSpan]) -> list[FaultSpan]:
    """One span per named fault window: faults with the same name that overlap (a surge on
    each of ten flows) are shaded and labelled once, without their targets."""
    by_name: dict[str, list[FaultSpan]] = {}
    for span in spans:
        base = span.name.split(" (", 1)[0]
        by_name.setdefault(base, []).append(span)
    out: list[FaultSpan] = []
    for base, group in by_name.items():
        group.sort(key=lambda s: (s.start, s.end))
        cur = group[0]
        many = False
        for span in group[1:]:
            if span.start <= cur.end:
                many = True
                cur = FaultSpan(
                    cur.start, max(cur.end, span.end), base, cur.open_ended or span.open_ended
                )
            else:
                out.append(cur)
                cur, many = span, False
        out.append(cur if not many else FaultSpan(cur.start, cur.end, base, cur.open_ended))
    return sorted(out, key=lambda s: (s.start, s.end))


def _fault_name(target: str, detail: str) -> str:
    name = detail or "fault"
    return f"{name} ({target})" if target and target != "all" and target not in name else name


def readable_seconds(seconds: float) -> str:
    """A duration for axis labels: ``150ms``, ``12s``, ``4.5min``, ``3h``, ``2d``."""
    if seconds <= 0:
        return "0"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds * 1000:.3g}ms"


_STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0,
    60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0,
    86400.0, 172800.0, 604800.0,
)  # fmt: skip
"""Tick steps that read as round durations (1 ms … 1 week)."""
_DECADES = (0.001, 0.01, 0.1, 1.0, 10.0, 60.0, 600.0, 3600.0, 36000.0, 86400.0, 864000.0)
"""Log-axis ticks: powers of ten of seconds, then minutes, hours and days."""


def duration_ticks(low: float, high: float, *, log: bool = False, count: int = 6) -> list[float]:
    """Tick positions (seconds) at round durations between ``low`` and ``high``.

    A linear axis gets about ``count`` ticks at a multiple of a round step (``5min``, not
    ``250s``); a log axis gets the round decades of time (1 s, 10 s, 1 min, 10 min, 1 h, …).
    """
    if log:
        return [t for t in _DECADES if low <= t <= high]
    span = max(high - low, 1e-9)
    step = next((s for s in _STEPS if span / s <= count), _STEPS[-1])
    first = math.ceil(low / step)
    return [k * step for k in range(first, int(high // step) + 1)]


def _clock_axis(ax: Axes, start: datetime, horizon: float) -> None:
    """Clock time on the x axis: ``HH:MM``, with the date on the ticks when the run spans days."""
    end = start + timedelta(seconds=horizon)
    one_day = (end - timedelta(microseconds=1)).date() == start.date()
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    if one_day:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))  # type: ignore[no-untyped-call]
        ax.set_xlabel(f"clock time, {start:%a %d %b %Y}")
    else:
        fmt = mdates.DateFormatter("%a %d %b\n%H:%M")  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(fmt)
        ax.set_xlabel(f"clock time, {start:%a %d %b %Y} to {end:%a %d %b %Y}")
    ax.set_xlim(start, end)  # type: ignore[arg-type]


def _num(moment: datetime) -> float:
    """A datetime as matplotlib's date number (for annotations placed in data coordinates)."""
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})


def backlog_png(
    path: Path,
    rep: ReplicationResult,
    *,
    start: datetime,
    horizon: float,
    title: str,
    labels: Mapping[str, str],
) -> None:
    """backlog.png: the backlog of each destination over clock time, faults shaded and named.

    Args:
        path: Where to write the PNG.
        rep: The replication to draw (the CLI draws replication 0).
        start: The scenario's start: simulated second t is ``start + t``.
        horizon: Simulated seconds of the run (the x axis ends there).
        title: The scenario's title.
        labels: Legend text per destination system id (``queue.<id>`` columns).
    """
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.add_subplot()
    times = [start + timedelta(seconds=t) for t in rep.samples.time_s]
    queues = [name for name in rep.samples.columns if name.startswith("queue.")]
    colours = matplotlib.colormaps["tab10" if len(queues) <= 10 else "tab20"]
    peak = 0.0
    for i, name in enumerate(queues):
        sid = name.removeprefix("queue.")
        values = rep.samples.columns[name]
        peak = max(peak, max(values, default=0.0))
        ax.plot(
            times,  # type: ignore[arg-type]
            values,
            drawstyle="steps-post",
            linewidth=1.6,
            color=colours(i % colours.N),
            label=labels.get(sid, sid),
        )
    stops = [ev.time_s for ev in rep.events if ev.kind == "guard"]
    end = min(stops, default=horizon)
    for i, span in enumerate(merged_spans(fault_spans(rep, end))):
        a = start + timedelta(seconds=span.start)
        b = start + timedelta(seconds=max(span.end, span.start))
        ax.axvspan(a, b, color="#d62728", alpha=0.12, linewidth=0)  # type: ignore[arg-type]
        ax.axvline(a, color="#d62728", alpha=0.5, linewidth=0.8)  # type: ignore[arg-type]
        suffix = " (no end recorded)" if span.open_ended else ""
        ax.annotate(
            span.name + suffix,
            xy=(_num(a), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3 - 12 * (i % 3)),  # stagger labels of faults that start close together
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=9,
            color="#8b1a1a",
            rotation=0,
        )
    for ev in rep.events:
        if ev.kind == "guard":
            at = start + timedelta(seconds=ev.time_s)
            ax.axvline(at, color="black", linestyle="--", linewidth=1.2)  # type: ignore[arg-type]
            ax.annotate(
                "run stopped at a guard",
                xy=(_num(at), 0.5),
                xycoords=("data", "axes fraction"),
                rotation=90,
                ha="right",
                va="center",
                fontsize=9,
            )
    _clock_axis(ax, start, horizon)
    ax.set_ylim(0, max(5.0, peak * 1.12))
    ax.set_ylabel("messages waiting (backlog per destination)")
    ax.set_title(f"{title}: backlog per interface (replication {rep.index + 1})", fontsize=11)
    ax.grid(True, alpha=0.3)
    if queues:
        ax.legend(title="destination", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    _save(fig, path)


def latency_png(path: Path, latency: Mapping[str, Mapping[str, Any]], *, title: str) -> None:
    """latency.png: each flow's p95 latency (creation to ACK) per priority class, log scale.

    Bars show the p95 and a dot the mean, both from summary.json (the mean over the
    replications), so the plot and the summary agree. Flows without delivered messages are
    left out.

    Args:
        path: Where to write the PNG.
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
        _save(fig, path)
        return
    ys = list(range(len(rows)))[::-1]
    ax.barh(
        ys,
        [r[2] for r in rows],
        color=[_CLASS_COLOURS.get(r[1], "#7f7f7f") for r in rows],
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
        for cls, colour in _CLASS_COLOURS.items()
        if any(r[1] == cls for r in rows)
    ]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="lower right", fontsize=8)
    _save(fig, path)


def destination_labels(flows: Mapping[str, str]) -> dict[str, str]:
    """Legend text per destination: ``labka ← lab-orders`` or ``ehr ← 12 flows``.

    Args:
        flows: Flow id -> destination system id.
    """
    by_system: dict[str, list[str]] = {}
    for fid, sid in flows.items():
        by_system.setdefault(sid, []).append(fid)
    out = {}
    for sid, fids in by_system.items():
        shown = ", ".join(fids) if len(fids) <= 2 else f"{len(fids)} flows"
        out[sid] = f"{sid} ← {shown}"
    return out


# -- compare -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """One variant's figure in a metrics panel: the mean and its 95 % interval."""

    variant: str
    colour: int
    """Index of the variant's colour (the same in every plot of a comparison)."""
    mean: float | None
    ci95: tuple[float, float] | None
    note: str = ""
    """Shown beside the point (e.g. ``not recovered in 2/5``) or instead of it."""


@dataclass(frozen=True)
class Panel:
    """One metric of a comparison: a title, whether it is in seconds, a point per variant."""

    title: str
    seconds: bool
    points: tuple[Interval, ...]


def _variant_colours(count: int) -> Any:
    return matplotlib.colormaps["tab10" if count <= 10 else "tab20"]


def comparison_backlog_png(
    path: Path,
    reps: Mapping[str, ReplicationResult],
    *,
    start: datetime,
    horizon: float,
    title: str,
) -> None:
    """backlog.png of a comparison: each variant's total backlog over clock time, faults shaded.

    Args:
        path: Where to write the PNG.
        reps: Variant name -> the replication to draw (the CLI draws replication 0, which every
            variant runs on the same random numbers).
        start: The scenario's start: simulated second t is ``start + t``.
        horizon: Simulated seconds (the longest of the variants').
        title: The scenario's title.
    """
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax = fig.add_subplot()
    colours = _variant_colours(len(reps))
    peak = 0.0
    spans: list[FaultSpan] = []
    for i, (name, rep) in enumerate(reps.items()):
        values: Sequence[float] = rep.samples.columns.get("total", ())
        peak = max(peak, max(values, default=0.0))
        times = [start + timedelta(seconds=t) for t in rep.samples.time_s[: len(values)]]
        ax.plot(
            times,  # type: ignore[arg-type]
            values,
            drawstyle="steps-post",
            linewidth=max(1.0, 2.6 - 0.4 * i),  # identical lines (common numbers) stay visible
            color=colours(i % colours.N),
            label=name,
        )
        stops = [ev.time_s for ev in rep.events if ev.kind == "guard"]
        spans += fault_spans(rep, min(stops, default=horizon))
    for i, span in enumerate(merged_spans(spans)):
        a = start + timedelta(seconds=span.start)
        b = start + timedelta(seconds=max(span.end, span.start))
        ax.axvspan(a, b, color="#d62728", alpha=0.10, linewidth=0)  # type: ignore[arg-type]
        ax.axvline(a, color="#d62728", alpha=0.5, linewidth=0.8)  # type: ignore[arg-type]
        ax.annotate(
            span.name,
            xy=(_num(a), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3 - 12 * (i % 3)),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=9,
            color="#8b1a1a",
        )
    _clock_axis(ax, start, horizon)
    ax.set_ylim(0, max(5.0, peak * 1.12))
    ax.set_ylabel("messages under way (total backlog)")
    ax.set_title(
        f"{title}: total backlog per variant\nreplication 1, the same random numbers in every "
        "variant; the faults of any variant shaded",
        fontsize=11,
    )
    ax.grid(True, alpha=0.3)
    if reps:
        ax.legend(title="variant", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    _save(fig, path)


def comparison_metrics_png(path: Path, panels: list[Panel], *, title: str, note: str = "") -> None:
    """metrics.png of a comparison: a small panel per metric, the mean and 95 % CI per variant.

    Variants are listed best first (top); a variant without a value (e.g. never recovered)
    shows its note instead of a point.

    Args:
        path: Where to write the PNG.
        panels: One per metric, in the order compared.
        title: The figure's title.
        note: A line below the panels (e.g. which metrics were left out and why).
    """
    _save(comparison_metrics_figure(panels, title=title, note=note), path)


def comparison_metrics_figure(panels: list[Panel], *, title: str, note: str = "") -> Figure:
    """The figure of :func:`comparison_metrics_png` (an axes per panel), not yet saved."""
    count = max(len(panels), 1)
    rows_per = max((len(p.points) for p in panels), default=1)
    ncols = min(3, count)
    nrows = math.ceil(count / ncols)
    height = 0.6 + nrows * (0.9 + 0.3 * rows_per)
    fig = Figure(figsize=(4.6 * ncols, height), layout="constrained")
    colours = _variant_colours(1 + max((q.colour for p in panels for q in p.points), default=0))
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        ys = list(range(len(panel.points)))[::-1]
        highs = [0.0]
        for y, point in zip(ys, panel.points, strict=True):
            colour = colours(point.colour % colours.N)
            if point.mean is None:
                continue
            lo, hi = point.ci95 if point.ci95 is not None else (point.mean, point.mean)
            highs.append(max(hi, point.mean))
            ax.errorbar(
                [point.mean],
                [y],
                xerr=[[point.mean - lo], [hi - point.mean]],
                fmt="o",
                color=colour,
                capsize=3,
                markersize=5,
            )
        right = max(highs) * 1.15 or 1.0
        left = min([0.0, *(q.ci95[0] for q in panel.points if q.ci95 is not None)])
        ax.set_xlim(left, right)
        for y, point in zip(ys, panel.points, strict=True):
            if point.note:
                x = point.mean if point.mean is not None else left
                ax.annotate(
                    point.note,
                    xy=(x, y),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=7,
                    color="#8b1a1a",
                )
        ax.set_yticks(ys, [q.variant for q in panel.points], fontsize=8)
        ax.set_ylim(-0.7, len(panel.points) - 0.3)
        if panel.seconds:
            ax.xaxis.set_major_locator(FixedLocator(duration_ticks(left, right, count=4)))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: readable_seconds(v)))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(panel.title, fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"{title}\nmean and 95% CI per variant, best first", fontsize=11)
    if note:
        fig.supxlabel(note, fontsize=9, color="#555555")
    return fig
