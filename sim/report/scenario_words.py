"""A resolved scenario in words, for a report: the world, its flows, its channels, its faults.

Generated from the :class:`~sim.scenario.schema.Scenario` that a results folder's
scenario.yaml loads to, never typed by hand, so the report says what actually ran: each
channel's *effective* strategy (the top-level one with the system's own keys over it), every
fault with its clock time, the paper fallback and the staff. Plain text and rows; the templates
lay them out (and escape them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from sim.report.tables import human_seconds, plural, strategy_text
from sim.scenario.faultkinds import FAULT_KINDS
from sim.scenario.profiles import profile_name
from sim.scenario.units import format_duration, format_rate

if TYPE_CHECKING:
    from sim.distributions import Distribution
    from sim.scenario.csvdata import PriorityClass
    from sim.scenario.schema import Fault, Flow, Scenario

__all__ = [
    "CHANNEL_HEADER",
    "FLOW_HEADER",
    "ScenarioWords",
    "channel_rows",
    "describe",
    "duration_text",
    "fault_sentences",
    "fault_text",
    "rate_text",
]

FLOW_HEADER = ("flow", "from → to", "message", "volume", "priorities", "deadline", "replies")
CHANNEL_HEADER = ("destination", "connections", "ACK time", "timeout", "load ρ (peak)", "strategy")

_QUEUES = {
    "shared": "one queue and one pool of workers for every destination",
    "per-destination": "a queue and its own connections per destination system",
    "per-flow": "a queue per message flow",
}
_PER = {"s": "a second", "min": "a minute", "h": "an hour", "d": "a day"}
_CLASS = {"stat": "STAT", "urgent": "urgent", "routine": "routine"}


@dataclass(frozen=True)
class ScenarioWords:
    """The scenario for people: sentences and two tables.

    Attributes:
        overview: Sentences on the run, the world and the engine.
        flows: One row per flow (see :data:`FLOW_HEADER`).
        channels: One row per destination channel (see :data:`CHANNEL_HEADER`).
        faults: A sentence per fault, in the order of the file.
        people: Sentences on the paper fallback, the staff and the alerts.
    """

    overview: list[str]
    flows: list[tuple[str, ...]]
    flow_header: ClassVar[tuple[str, ...]] = FLOW_HEADER
    channel_header: ClassVar[tuple[str, ...]] = CHANNEL_HEADER
    channels: list[tuple[str, ...]]
    faults: list[str]
    people: list[str]


def _when(start: datetime, seconds: float) -> str:
    moment = start + timedelta(seconds=seconds)
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


def _clock(start: datetime, seconds: float) -> str:
    moment = start + timedelta(seconds=seconds)
    return f"{moment:%a %H:%M}"


def rate_text(per_second: float) -> str:
    """A rate in the unit people would say it: ``7,000 a day``, ``600 an hour``."""
    text = format_rate(per_second)
    match = re.fullmatch(r"(\d+)/(\w+)", text)
    if match is None:
        return f"{per_second * 3600:,.4g} an hour"
    return f"{int(match[1]):,} {_PER[match[2]]}"


def _share(value: float) -> str:
    return f"{value * 100:.3g} %"


def _classes(values: Mapping[PriorityClass, float], show: Callable[[float], str]) -> str:
    return ", ".join(f"{_CLASS.get(c, c)} {show(v)}" for c, v in values.items())


def _mean(dist: Distribution) -> str:
    """A distribution by its mean and family: ``100 ms (exponential)``."""
    return f"{human_seconds(dist.mean)} ({dist.name})"


def _volume(fid: str, flow: Flow, scenario: Scenario) -> str:
    if flow.rate is not None:
        text = rate_text(flow.rate)
        shape = profile_name(flow.profile or scenario.profile)
        if shape is not None and shape != "flat":
            text += f" ({shape} profile)"
        elif shape is None:
            text += " (own daily profile)"
        return text
    if flow.trace is not None:
        return f"a trace of {len(flow.trace):,} orders"
    feeding = [f for f, spec in scenario.flows.items() if spec.reply and spec.reply.flow == fid]
    if len(feeding) > 2:
        return f"replies to {len(feeding)} flows"
    return f"replies to {' and '.join(feeding)}" if feeding else "none"


def _about(seconds: float) -> str:
    """A mean duration, roughly: ``~46 min``, ``~3h 35m``."""
    if seconds < 3600:
        return f"~{max(round(seconds / 60), 1)} min" if seconds >= 60 else f"~{seconds:.0f} s"
    return "~" + human_seconds(seconds)


def _replies(flow: Flow) -> str:
    reply = flow.reply
    if reply is None:
        return ""
    count = f"{reply.count:g} result{'' if reply.count == 1 else 's'} on {reply.flow}"
    after = reply.after
    if isinstance(after, Mapping):
        means = sorted(d.mean for d in after.values())
        if means[0] == means[-1]:
            return f"{count}, after {_about(means[0])}"
        return f"{count}, after {_about(means[0])} to {_about(means[-1])} by class"
    return f"{count}, after {_about(after.mean)}"


def _flow_rows(scenario: Scenario) -> list[tuple[str, ...]]:
    return [
        (
            fid,
            f"{flow.source} → {flow.to}",
            flow.message,
            _volume(fid, flow, scenario),
            _classes(flow.priority, _share),
            _classes(flow.deadline, duration_text) if flow.deadline else "",
            _replies(flow),
        )
        for fid, flow in scenario.flows.items()
    ]


def channel_rows(scenario: Scenario) -> list[tuple[str, ...]]:
    """One row per destination channel: connections, ACK, timeout, load and its strategy."""
    from sim.experiments.plan import plan

    loads = {c.system: c for c in plan(scenario).channels}
    rows: list[tuple[str, ...]] = []
    for sid in dict.fromkeys(flow.to for flow in scenario.flows.values()):
        system = scenario.systems[sid]
        load = loads.get(sid)
        rho = "" if load is None else f"{load.rho:.2f} ({load.peak_rho:.2f})"
        rows.append(
            (
                sid,
                f"{system.connections:,}",
                _mean(system.ack),
                duration_text(system.timeout),
                rho,
                strategy_text(scenario.channel_strategy(sid)),
            )
        )
    return rows


def duration_text(seconds: float) -> str:
    """A duration as people write it: ``7h``, ``30min``, ``1h 30m``, ``2d``."""
    if seconds >= 3600 and seconds % 3600:
        return human_seconds(seconds)
    return format_duration(seconds)


def _severity(fault: Fault) -> str:
    kind = FAULT_KINDS[fault.kind]
    if fault.severity is None or kind.severity == "none":
        return ""
    meaning = re.sub(r"\s*\([^)]*\)$", "", kind.severity_meaning)
    value = _share(fault.severity) if kind.severity_is_share else f"{fault.severity:g}"
    return f"{meaning}: {value}"


def _what(fault: Fault) -> str:
    if fault.kind == "engine-stall":
        return "the engine stops " + ("sending" if fault.mode == "hold" else "accepting")
    if fault.kind == "poison-message":
        return "the next message sent there is refused"
    if fault.kind == "node-crash":
        return "the node dies and is repaired at the end"
    return FAULT_KINDS[fault.kind].summary


def _target(fault: Fault) -> str:
    target = fault.target
    if target is None:
        return "the engine" if FAULT_KINDS[fault.kind].target == "none" else ""
    if isinstance(target, tuple):
        return ", ".join(target)
    if fault.kind == "node-crash":
        return f"engine node {target}"
    return str(target)


def fault_text(faults: Sequence[Fault], start: datetime) -> str:
    """Faults that differ only in their name and target (the same kind, times and severity),
    in one sentence: names, kind, targets, clock times, and what they do."""
    fault = faults[0]
    names = "; ".join(f.name or f.kind for f in faults)
    targets = ", ".join(t for t in (_target(f) for f in faults) if t)
    head = f"{names}: {fault.kind}"
    if targets:
        head += f" on {targets}"
    if fault.duration is not None:
        end = fault.at + fault.duration
        head += (
            f", {_clock(start, fault.at)} to {_clock(start, end)} ({duration_text(fault.duration)})"
        )
    else:
        head += f", from {_clock(start, fault.at)} until it is fixed or given up"
    details = [_what(fault), _severity(fault)]
    if fault.kind == "engine-stall" and fault.poison_share:
        details.append(f"{_share(fault.poison_share)} of the messages held are poisoned")
    if fault.kind == "poison-message":
        details.append(f"refused with {fault.code}")
    return f"{head}: {'; '.join(d for d in details if d)}."


def fault_sentences(faults: Sequence[Fault], start: datetime) -> list[str]:
    """A sentence per group of faults alike but for their name and target, in the order of
    the file (six surges of 1.4 from 16:00 to 17:30 on six flows are one sentence)."""
    groups: dict[tuple[object, ...], list[Fault]] = {}
    for f in faults:
        key = (f.kind, f.at, f.duration, f.severity, f.mode, f.poison_share, f.code)
        groups.setdefault(key, []).append(f)
    return [fault_text(group, start) for group in groups.values()]


def _people(scenario: Scenario) -> list[str]:
    out = []
    fallback = scenario.fallback
    if fallback is None:
        out.append("No paper fallback: every order waits for its interface.")
    else:
        trigger = f"after {duration_text(fallback.trigger_after)} without a reply"
        if fallback.start_on_alert:
            trigger = "on the first alert on its queue"
        out.append(
            f"Paper fallback, per interface: {trigger} while orders wait, new orders go on "
            f"paper ({_classes(fallback.share, _share)}); their results are phoned "
            f"{duration_text(fallback.phone_delay)} after the lab has them, and "
            f"{_share(fallback.duplicate_risk)} of paper orders were also sent electronically "
            "and need reconciling."
        )
    staff = scenario.staff
    analysts = staff.analysts if staff is not None else None
    clerks = staff.clerks if staff is not None else None
    if analysts is not None:
        called = (
            "called by the first alert" if analysts.start_on_alert else "on call from the start"
        )
        out.append(
            f"Analysts: {analysts.count:,}, {called}, responding in "
            f"{duration_text(analysts.respond)}, {_mean(analysts.fix)} per fix, restart or "
            "reprocessing."
        )
    else:
        out.append("No analysts: poison messages and parked messages wait for the retry policy.")
    if clerks is not None:
        out.append(
            f"Clerks: {clerks.count:,}, back-entering each paper order in "
            f"{_mean(clerks.back_entry)} and reconciling each duplicate in "
            f"{_mean(clerks.reconcile)}."
        )
    else:
        out.append("No clerks: paper orders are not back-entered.")
    for alert in scenario.alerts:
        queue = "any queue" if alert.queue == "any" else f"the queue to {alert.queue}"
        if alert.depth_above is not None:
            condition = f"holds more than {alert.depth_above:,} messages"
        else:
            condition = f"has a message older than {duration_text(alert.oldest_older_than or 0)}"
        out.append(f"Alert when {queue} {condition}.")
    return out


def describe(scenario: Scenario) -> ScenarioWords:
    """The scenario in words (see :class:`ScenarioWords`)."""
    start = scenario.start
    horizon = float(scenario.horizon or 0.0)
    systems = list(scenario.systems)
    engine = scenario.engine
    overview = [
        f"{_when(start, 0.0)} to {_when(start, horizon)} ({duration_text(horizon)})"
        + (
            f", the first {duration_text(scenario.warmup)} a warm-up left out of the latency "
            "and wait figures"
            if scenario.warmup
            else ""
        )
        + f"; {plural(scenario.replications, 'replication')} from seed {scenario.seed}.",
        f"{plural(len(scenario.flows), 'flow')} between {plural(len(systems), 'system')} "
        f"({', '.join(systems)}).",
        f"The integration engine: {engine.nodes:,} node(s) ({engine.failover.mode} failover), "
        f"a {engine.store} message store, {engine.cores:,} cores transforming each message in "
        f"{_mean(engine.transform)}; queues: {_QUEUES.get(scenario.strategy.queues, '')} "
        f"({scenario.strategy.queues}).",
    ]
    faults = fault_sentences(scenario.faults, start) or ["No faults."]
    return ScenarioWords(
        overview, _flow_rows(scenario), channel_rows(scenario), faults, _people(scenario)
    )
