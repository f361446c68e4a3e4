"""Synthetic logs drawn from known parameters (seeded numpy), as entries or as HL7 and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from sim.logs.entry import LogEntry

MONDAY = datetime(2026, 1, 5)
LAB = np.array([1.5, 1.2, 1.0, 1.0, 1.2, 2.0, 5.0, 12, 12, 9.0, 6.5, 5.5, 5.0, 5.0, 4.8, 4.5,
                4.0, 3.5, 3.2, 3.0, 2.8, 2.5, 2.0, 1.8]) / 100  # fmt: skip
FLAT = np.full(24, 1 / 24)
WEEKEND = (1, 1, 1, 1, 1, 0.6, 0.6)


@dataclass
class Flow:
    """A flow to draw: its ends, rate a day, profile, week, priority mix, and ACK times."""

    source: str
    destination: str
    message: str
    per_day: float
    profile: np.ndarray = field(default_factory=lambda: FLAT)
    week: Sequence[float] = (1, 1, 1, 1, 1, 1, 1)
    priority: dict[str, float] | None = None
    ack: str = "lognormal"  # or "exponential" or "none"
    ack_mean: float = 0.08
    nak: float = 0.0
    results: Flow | None = None
    """With results: each order gets 1 + Poisson(count - 1) of them on this flow."""
    count: float = 1.0
    after_mean: float = 2700.0
    precision: float = 0.001


def _ack(rng: np.random.Generator, flow: Flow) -> float | None:
    if flow.ack == "none":
        return None
    if flow.ack == "exponential":
        return float(rng.exponential(flow.ack_mean))
    sigma = 0.9
    return float(rng.lognormal(np.log(flow.ack_mean) - sigma**2 / 2, sigma))


def draw(
    flows: Sequence[Flow], days: int, seed: int = 1, start: datetime = MONDAY
) -> list[LogEntry]:
    """Entries of ``days`` days of the flows, in time order, from a seeded generator.

    Results due after the last day are cut off, as in a log exported for those days."""
    rng = np.random.default_rng(seed)
    entries: list[LogEntry] = []
    number = 0

    def add(flow: Flow, when: datetime, **extra: object) -> LogEntry:
        nonlocal number
        number += 1
        ack = _ack(rng, flow)
        code = None if ack is None else ("AE" if rng.random() < flow.nak else "AA")
        when = when.replace(microsecond=(when.microsecond // 1000) * 1000)
        entry = LogEntry("synthetic.log", number, flow.source, flow.destination, flow.message,
                         when, when.replace(tzinfo=UTC).timestamp(), flow.precision,
                         control_id=f"C{number}",
                         ack_code=code, ack_s=None if ack is None else round(ack, 3),
                         **extra)  # type: ignore[arg-type]  # fmt: skip
        entries.append(entry)
        return entry

    for day in range(days):
        date = start + timedelta(days=day)
        for flow in flows:
            if flow.per_day == 0:
                continue
            n = rng.poisson(flow.per_day * flow.week[date.weekday()])
            hours = rng.choice(24, n, p=flow.profile / flow.profile.sum())
            for hour, second in zip(hours, rng.uniform(0, 3600, n), strict=True):
                when = date + timedelta(hours=int(hour), seconds=float(second))
                priority = None
                if flow.priority:
                    classes = list(flow.priority)
                    priority = classes[rng.choice(len(classes), p=list(flow.priority.values()))]
                placer = f"P{number + 1}" if flow.results else None
                order = add(
                    flow, when, priority=priority, placer=placer, patient=f"PAT{number % 50}"
                )
                if flow.results is not None:
                    gap = float(rng.exponential(flow.after_mean))
                    for k in range(1 + int(rng.poisson(flow.count - 1))):
                        delivered = when + timedelta(seconds=order.ack_s or 0.0)
                        add(flow.results, delivered + timedelta(seconds=gap * (k + 1)),
                            placer=placer, patient=order.patient)  # fmt: skip
    end = start + timedelta(days=days)  # a log ends with its last day, as an export does
    return sorted((e for e in entries if e.local < end), key=lambda e: e.time_s)


def _hl7_time(entry_time: datetime) -> str:
    return entry_time.strftime("%Y%m%d%H%M%S.") + f"{entry_time.microsecond // 1000:03d}"


def write_hl7(path: Path, entries: Sequence[LogEntry], ends: str = "\r") -> None:
    """The entries as an HL7 v2 log, one segment a line, each original followed by its ACK."""
    out: list[str] = []
    for e in entries:
        priority = {"stat": "S", "urgent": "A", "routine": "R"}.get(e.priority or "", "")
        segments = [
            f"MSH|^~\\&|{e.source}|H|{e.destination}|H|{_hl7_time(e.local)}||{e.message}|"
            f"{e.control_id}|P|2.5",
            f"PID|||{e.patient or ''}",
        ]
        if e.placer:
            segments.append(f"ORC|NW|{e.placer}|||||^^^^^{priority}")
        out.append(ends.join(segments) + ends)
        if e.ack_s is not None:
            acked = e.local + timedelta(seconds=e.ack_s)
            out.append(
                f"MSH|^~\\&|{e.destination}|H|{e.source}|H|{_hl7_time(acked)}||ACK|A{e.control_id}"
                f"|P|2.5{ends}MSA|{e.ack_code}|{e.control_id}{ends}"
            )
    path.write_text("".join(out), encoding="utf-8", newline="")


def write_csv(path: Path, entries: Sequence[LogEntry]) -> None:
    """The entries as a CSV log."""
    rows = ["time,source,destination,message,status,ack_ms,patient,priority,placer"]
    for e in entries:
        ack_ms = "" if e.ack_s is None else f"{e.ack_s * 1000:.0f}"
        rows.append(
            f"{e.local.isoformat(timespec='milliseconds')},{e.source},{e.destination},{e.message},"
            f"{e.ack_code or ''},{ack_ms},{e.patient or ''},{e.priority or ''},{e.placer or ''}"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
