"""The fault timeline of a report: a Gantt strip drawn as inline SVG from events.csv.

Each target (a system, a flow, the engine) is a row; each fault on it a bar on a clock-time
axis, from its ``fault-start`` to its ``fault-end`` event. Faults at fixed clock times start
and end at the same moments in every replication; a poison message ends when it is fixed, which
varies. So a bar is solid where the fault is on in every replication and light where it is on in
some only, and a fault with no end before the horizon runs to the axis's end, dashed.

This module computes the geometry (plain numbers and strings); the template ``faults.svg``
draws it, with autoescaping, so that a fault's name is always text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sim.report.tables import human_seconds

if TYPE_CHECKING:
    from sim.report.folder import Event
    from sim.scenario.schema import Scenario

__all__ = ["Bar", "Gantt", "Lane", "Tick", "gantt", "ticks"]

WIDTH = 960.0
"""The SVG's width in its own units (it scales to the page)."""
_LABELS = 170.0
"""Width of the column of target names on the left."""
_RIGHT = 16.0
_AXIS = 40.0
"""Height of the clock-time axis above the rows."""
_ROW = 28.0
_BAR = 16.0
_CHAR = 6.6
"""Estimated width of a character of the 12-unit font, to place labels."""
_STEPS = (
    300, 600, 900, 1800, 3600, 2 * 3600, 3 * 3600, 4 * 3600, 6 * 3600, 12 * 3600, 86400,
    2 * 86400, 7 * 86400,
)  # fmt: skip
"""Tick steps in seconds, the finest one giving at most :data:`_MAX_TICKS` ticks is used."""
_MAX_TICKS = 12


@dataclass(frozen=True)
class Tick:
    """A tick of the axis: its x, the clock time, and the date when the day changes there."""

    x: float
    time: str
    day: str


@dataclass(frozen=True)
class Bar:
    """A fault on one target: where it is on in every replication, and in any.

    Attributes:
        name: The fault's name.
        x_any, w_any: From its earliest start to its latest end (the light bar).
        x_all, w_all: From its latest start to its earliest end, where it is on in every
            replication (the solid bar; zero wide when no moment is common to all).
        open_ended: Still on at the horizon in some replication.
        label_x, label_anchor, label_light: Where its name goes (inside the bar, after it, or
            before it) and whether it is written in white (on the solid bar).
        title: The tooltip: name, clock times, duration, replications.
    """

    name: str
    x_any: float
    w_any: float
    x_all: float
    w_all: float
    open_ended: bool
    label_x: float
    label_anchor: str
    label_light: bool
    title: str


@dataclass(frozen=True)
class Lane:
    """A row of the strip: a target and its faults."""

    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Gantt:
    """The whole strip, in SVG units."""

    width: float
    height: float
    left: float
    right: float
    axis_y: float
    row: float
    bar: float
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    replications: int
    varies: bool
    """Some fault's start or end differs between replications (the legend explains light)."""
    open_ended: bool
    summary: str
    """The strip in one sentence (the SVG's accessible description)."""


@dataclass(frozen=True)
class _Span:
    replication: int
    start: float
    end: float
    open_ended: bool


def _spans(events: Iterable[Event], horizon: float) -> dict[tuple[str, str], list[_Span]]:
    """Each (target, fault name)'s spans, pairing every start with the next end of the same
    fault in the same replication."""
    started: dict[tuple[int, str, str], list[float]] = {}
    spans: dict[tuple[str, str], list[_Span]] = {}
    for ev in events:
        key = (ev.replication, ev.target, ev.detail)
        if ev.kind == "fault-start":
            started.setdefault(key, []).append(ev.time_s)
            spans.setdefault((ev.target, ev.detail), [])
        elif ev.kind == "fault-end" and started.get(key):
            begin = started[key].pop(0)
            spans[(ev.target, ev.detail)].append(_Span(ev.replication, begin, ev.time_s, False))
    for (rep, target, name), begins in started.items():
        spans[(target, name)] += [_Span(rep, b, horizon, True) for b in begins]
    return spans


def ticks(start: datetime, horizon: float, left: float, right: float) -> list[Tick]:
    """The axis's ticks on whole clock times (every 5 min to every week, at most 12), with
    the date under the first tick and under each one where a new day begins."""
    step = next((s for s in _STEPS if horizon / s <= _MAX_TICKS), _STEPS[-1])
    midnight = datetime(start.year, start.month, start.day, tzinfo=start.tzinfo)
    offset = (start - midnight).total_seconds()
    first = -(-offset // step) * step - offset  # the first whole multiple at or after start
    out: list[Tick] = []
    last_day = None
    t = first
    while t <= horizon + 1e-9:
        moment = start + timedelta(seconds=t)
        day = moment.date()
        out.append(
            Tick(
                round(left + (right - left) * t / horizon, 1) if horizon > 0 else left,
                f"{moment:%H:%M}",
                f"{moment:%a} {moment.day} {moment:%b}" if day != last_day else "",
            )
        )
        last_day = day
        t += step
    return out


def _clock(start: datetime, seconds: float, days: bool) -> str:
    moment = start + timedelta(seconds=seconds)
    return f"{moment:%a %H:%M}" if days else f"{moment:%H:%M}"


def _bar(
    name: str,
    spans: Sequence[_Span],
    x: Callable[[float], float],
    start: datetime,
    days: bool,
    n: int,
) -> Bar:
    first_start = min(s.start for s in spans)
    last_end = max(s.end for s in spans)
    late_start = max(s.start for s in spans)
    early_end = min(s.end for s in spans)
    open_ended = any(s.open_ended for s in spans)
    x0, x1 = x(first_start), x(last_end)
    a0, a1 = x(late_start), x(early_end)
    solid = len(spans) == n and a1 > a0
    ends = "still on at the end of the run" if open_ended else ""
    if first_start == late_start and last_end == early_end:
        when = f"{_clock(start, first_start, days)} to {_clock(start, last_end, days)}"
        when += f" ({human_seconds(last_end - first_start)})"
    else:
        when = (
            f"starts {_clock(start, first_start, days)}–{_clock(start, late_start, days)}, "
            f"ends {_clock(start, early_end, days)}–{_clock(start, last_end, days)}"
        )
    in_reps = f"in {len({s.replication for s in spans})} of {n} replication(s)"
    title = "; ".join(p for p in (f"{name}: {when}", ends, in_reps) if p)
    width = len(name) * _CHAR
    if solid and width + 8 <= a1 - a0:
        label_x, anchor, light = a0 + 4, "start", True
    elif width + 8 <= x1 - x0:
        label_x, anchor, light = x0 + 4, "start", False
    elif x1 + 4 + width <= WIDTH - 2:
        label_x, anchor, light = x1 + 4, "start", False
    else:
        label_x, anchor, light = x0 - 4, "end", False
    return Bar(
        name,
        round(x0, 1),
        round(max(x1 - x0, 1.5), 1),
        round(a0, 1),
        round(a1 - a0, 1) if solid else 0.0,
        open_ended,
        round(label_x, 1),
        anchor,
        light,
        title,
    )


def _target_label(target: str, name: str, kinds: dict[str, str]) -> str:
    if not target:
        return "engine"
    if kinds.get(name) == "node-crash":
        return f"engine node {target}"
    return target.replace(";", ", ")


def gantt(
    events: Iterable[Event], scenario: Scenario, horizon: float, replications: int
) -> Gantt | None:
    """The fault timeline of a run's events, or ``None`` when no fault started.

    Args:
        events: events.csv's rows (every replication).
        scenario: The scenario (its start, and each fault's kind by its name).
        horizon: Simulated seconds the run lasted.
        replications: How many replications the events come from.
    """
    spans = _spans(events, horizon)
    if not spans or horizon <= 0:
        return None
    start = scenario.start
    days = (start + timedelta(seconds=horizon - 1e-6)).date() != start.date()
    kinds = {(f.name or f.kind): f.kind for f in scenario.faults}
    left, right = _LABELS, WIDTH - _RIGHT

    def x(t: float) -> float:
        return left + (right - left) * min(max(t, 0.0), horizon) / horizon

    lanes: dict[str, list[Bar]] = {}
    varies = open_ended = False
    for (target, name), found in sorted(spans.items(), key=lambda kv: min(s.start for s in kv[1])):
        if not found:
            continue
        bar = _bar(name, found, x, start, days, replications)
        lanes.setdefault(_target_label(target, name, kinds), []).append(bar)
        varies = varies or bar.w_all < bar.w_any - 0.05
        open_ended = open_ended or bar.open_ended
    rows = tuple(
        Lane(label, _AXIS + k * _ROW, tuple(bars)) for k, (label, bars) in enumerate(lanes.items())
    )
    count = sum(len(lane.bars) for lane in rows)
    summary = (
        f"{count} fault(s) on {len(rows)} target(s) between {_clock(start, 0.0, days)} and "
        f"{_clock(start, horizon, days)}"
    )
    return Gantt(
        WIDTH,
        _AXIS + len(rows) * _ROW + 8,
        left,
        right,
        _AXIS - 6,
        _ROW,
        _BAR,
        tuple(ticks(start, horizon, left, right)),
        rows,
        replications,
        varies,
        open_ended,
        summary,
    )
