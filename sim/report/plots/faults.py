"""Faults on a time axis: spans paired from the events, shaded and named; guard stops.

A span is drawn as a shaded rectangle (an ``axvspan``, its ``gid`` ``fault:<name>``) and a line
at its start, and named at the top of the axes; labels of faults that start close together
are staggered so they do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sim.report.plots.canvas import FAULT_COLOUR, num

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.run import ReplicationResult

__all__ = [
    "NAMED_HEADROOM",
    "FaultSpan",
    "fault_spans",
    "guard_times",
    "merged_spans",
    "shade_faults",
    "spans_of",
    "stop_lines",
]


NAMED_HEADROOM = 1.25
"""Top of a y axis whose faults are named, as a multiple of its highest value: room for the
staggered names above the data."""


@dataclass(frozen=True)
class FaultSpan:
    """A fault as the plots shade it: simulated seconds and the name a person gave it."""

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
    each of ten flows, or one fault in several replications) are shaded and labelled once,
    without their targets."""
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
                if span.name != cur.name:
                    many = True
                cur = FaultSpan(
                    cur.start, max(cur.end, span.end), cur.name, cur.open_ended or span.open_ended
                )
            else:
                out.append(cur if not many else FaultSpan(cur.start, cur.end, base, cur.open_ended))
                cur, many = span, False
        out.append(cur if not many else FaultSpan(cur.start, cur.end, base, cur.open_ended))
    return sorted(out, key=lambda s: (s.start, s.end))


def _fault_name(target: str, detail: str) -> str:
    name = detail or "fault"
    shown = target and target != "all" and target.lower() not in name.lower()
    return f"{name} ({target})" if shown else name


def guard_times(reps: Iterable[ReplicationResult]) -> list[float]:
    """When replications stopped at a guard (each time once, in order)."""
    return sorted({ev.time_s for rep in reps for ev in rep.events if ev.kind == "guard"})


def spans_of(reps: Iterable[ReplicationResult], horizon: float) -> list[FaultSpan]:
    """The faults of every given replication, merged by name (a fault shaded once)."""
    spans: list[FaultSpan] = []
    for rep in reps:
        stops = [ev.time_s for ev in rep.events if ev.kind == "guard"]
        spans += fault_spans(rep, min(stops, default=horizon))
    return merged_spans(spans)


def shade_faults(ax: Axes, spans: list[FaultSpan], start: datetime, *, named: bool = True) -> None:
    """Shade each span and mark its start; with ``named``, write its name at the top."""
    for i, span in enumerate(spans):
        a = start + timedelta(seconds=span.start)
        b = start + timedelta(seconds=max(span.end, span.start))
        ax.axvspan(a, b, color=FAULT_COLOUR, alpha=0.10, linewidth=0, gid=f"fault:{span.name}")  # type: ignore[arg-type]
        ax.axvline(a, color=FAULT_COLOUR, alpha=0.5, linewidth=0.8)  # type: ignore[arg-type]
        if not named:
            continue
        suffix = " (no end recorded)" if span.open_ended else ""
        ax.annotate(
            span.name + suffix,
            xy=(num(a), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3 - 12 * (i % 3)),  # stagger labels of faults that start close together
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=9,
            color="#8b1a1a",
        )


def stop_lines(ax: Axes, times: list[float], start: datetime, *, named: bool = True) -> None:
    """A dashed line where a replication stopped at a guard."""
    for t in times:
        at = start + timedelta(seconds=t)
        ax.axvline(at, color="black", linestyle="--", linewidth=1.2)  # type: ignore[arg-type]
        if named:
            ax.annotate(
                "run stopped at a guard",
                xy=(num(at), 0.5),
                xycoords=("data", "axes fraction"),
                rotation=90,
                ha="right",
                va="center",
                fontsize=9,
            )
