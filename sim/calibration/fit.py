"""Calibrate: every fit of a log, flow by flow and system by system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sim.calibration.counts import CountFit, fit_counts
from sim.calibration.durations import DurationFit, fit_duration
from sim.calibration.naming import (
    EHR,
    CalibrationError,
    FlowKey,
    Naming,
    flow_keys,
    name_applications,
)
from sim.calibration.replies import ReplyFit, ResultShare, fit_replies
from sim.calibration.resends import first_sends
from sim.calibration.shares import NakShare, PriorityMix, fit_naks, fit_priority
from sim.calibration.topology import Topology, read_topology
from sim.calibration.window import Window
from sim.logs.entry import LogEntry, ReadLog

__all__ = ["Calibration", "FlowFit", "SystemFit", "calibrate"]


@dataclass(frozen=True)
class FlowFit:
    """One flow of the log and its fits."""

    id: str
    key: FlowKey
    source: str
    """The sender's id in the scenario."""
    destination: str
    counts: CountFit
    priority: PriorityMix | None
    reply: ReplyFit | None
    reply_flow: str | None
    """The id of ``reply.results``."""
    replied_by: tuple[str, ...] = ()
    """Order flows whose results travel on this flow: it then has no rate of its own."""


@dataclass(frozen=True)
class SystemFit:
    """One receiving system: its response times and refusals."""

    id: str
    application: str
    messages: int
    """Messages it received (a resent message once)."""
    ack: DurationFit | None
    naks: NakShare | None
    precision_s: float | None
    """The coarsest resolution of its response times (see ``LogEntry.ack_precision_s``)."""
    attempts: int = 0
    """Attempts to deliver them, resends included: what ``ack`` and ``naks`` are fitted from."""


@dataclass(frozen=True)
class Calibration:
    """Everything fitted to a log: what the scenario and calibration.json are written from."""

    window: Window
    start: datetime
    naming: Naming
    flows: dict[str, FlowFit]
    systems: dict[str, SystemFit]
    results: dict[str, ResultShare]
    """Per flow of results, how many of its messages matched no order."""
    messages: int
    """Messages fitted (of the flows kept), each counted once however often it was sent."""
    skipped: dict[FlowKey, int] = field(default_factory=dict)
    """Flows with the EHR at neither end (the format cannot hold them), with their counts."""
    warnings: tuple[str, ...] = ()
    topology: Topology | None = None
    files: tuple[str, ...] = ()
    acks: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    resends: int = 0
    """Attempts that resent a message already sent (same sender, receiver and control id),
    of the flows kept: counted for the systems' responses, not as messages."""

    @property
    def unmatched(self) -> tuple[int, int]:
        """Results that matched no order, of all results (on the flows of results)."""
        return (
            sum(r.unmatched for r in self.results.values()),
            sum(r.results for r in self.results.values()),
        )


def _flow_ids(
    keys: Sequence[FlowKey], naming: Naming, topology: Topology | None
) -> dict[FlowKey, str]:
    ids: dict[FlowKey, str] = {}
    taken: set[str] = set()
    for key in keys:
        ends = (naming.ids[key.source], naming.ids[key.destination], key.message)
        if topology is not None and ends in topology.flows:
            ids[key] = topology.flows[ends]
            taken.add(ids[key])
    for key in keys:
        if key not in ids:
            ids[key] = naming.flow_id(
                key, taken | (set(topology.flows.values()) if topology else set())
            )
            taken.add(ids[key])
    return ids


PARTIAL_DAY = 0.1
"""A log whose first or last day misses more than this share of a day's traffic is warned."""

SHORT_LOG_H = 20.0
"""A log spanning fewer hours than this is warned whatever its hours hold."""


def _partial_days(entries: Sequence[LogEntry]) -> list[str]:
    """Warnings for a log that starts or stops in the middle of a day's traffic."""
    hours = [0] * 24
    for entry in entries:
        hours[entry.local.hour] += 1
    first = min(e.local for e in entries)
    last = max(e.local for e in entries)
    total = len(entries)
    span_h = (last - first).total_seconds() / 3600.0
    if span_h < SHORT_LOG_H:
        # its own hours cannot show what it misses: it has no other day to compare with
        return [
            f"the log covers only {span_h:.1f} h ({first.isoformat(sep=' ', timespec='minutes')} "
            f"to {last.isoformat(sep=' ', timespec='minutes')}): rates are counted over whole "
            "days and profiles over the hours it has, so both are wrong for a whole day; give "
            "whole days of log"
        ]
    found = []
    before = sum(hours[: first.hour]) / total
    after = sum(hours[last.hour + 1 :]) / total
    for moment, share, side in ((first, before, "starts"), (last, after, "stops")):
        if share > PARTIAL_DAY:
            found.append(
                f"the log {side} at {moment.isoformat(sep=' ', timespec='minutes')}, and "
                f"{100 * share:.0f} % of a day's messages come at hours it misses that day: "
                "rates are counted over whole days, so they come out low; give whole days of log"
            )
    return found


def _system(
    app: str, sid: str, messages: int, entries: Sequence[LogEntry], warnings: list[str]
) -> SystemFit:
    """A system's fits from every attempt to deliver to it (``entries``) and its message count."""
    answered = [e for e in entries if e.ack_s is not None]
    precision = max(
        (e.precision_s if e.ack_precision_s is None else e.ack_precision_s for e in answered),
        default=None,
    )
    times = [e.ack_s for e in answered if e.ack_s is not None]
    ack = fit_duration(times, precision)
    if ack is not None and precision is not None and precision > ack.median:
        warnings.append(
            f"{sid}: response times are logged to {precision:g} s, coarser than their median "
            f"({ack.median:.3g} s): they are mostly rounding, and its ack fit says more about "
            "the log's precision than about the system"
        )
    if ack is None and answered:
        if any(t == 0 for t in times):
            warnings.append(
                f"{sid}: every response time is 0 at the log's precision ({precision:g} s), "
                "too fine to measure: no ack fitted"
            )
        else:
            warnings.append(f"{sid}: every response time is negative (clock skew?): no ack fitted")
    elif ack is not None and ack.negative:
        warnings.append(
            f"{sid}: {ack.negative} response times are negative (the two ends' clocks differ?)"
            " and were left out"
        )
    return SystemFit(sid, app, messages, ack, fit_naks(entries), precision, len(entries))


def calibrate(
    log: ReadLog | Sequence[LogEntry],
    *,
    ehr: str | None = None,
    ids: Mapping[str, str] | None = None,
    start: datetime | None = None,
    extends: str | Topology | None = None,
) -> Calibration:
    """Fit a scenario to a log's entries.

    Args:
        log: What a reader returned (:func:`sim.logs.read.read_logs`), or its entries.
        ehr: The EHR application, as written in the log; by default the one application
            that takes part in every flow.
        ids: Application -> id renames (``--map``).
        start: The scenario's ``start``; by default local midnight of the log's first day.
        extends: The file the scenario will extend (``--extends``: a path or a shipped
            scenario's name, or it read by :func:`~sim.calibration.topology.read_topology`):
            its flow ids are reused for the same (from, to, message), and only what the log
            measured is written over it.

    Raises:
        CalibrationError: An empty log, no EHR or several, a bad rename, or a file to extend
            that cannot be loaded.
    """
    topology = read_topology(extends) if isinstance(extends, str) else extends
    entries = log.entries if isinstance(log, ReadLog) else list(log)
    if not entries:
        raise CalibrationError("the log holds no messages to calibrate from")
    # Traffic is fitted from messages, responses from every attempt (see sim.calibration.resends).
    messages = first_sends(entries)
    keys = flow_keys(messages)
    naming = name_applications(keys, ehr, ids)
    warnings: list[str] = []
    by_key: dict[FlowKey, list[LogEntry]] = {}
    for entry in messages:
        by_key.setdefault(FlowKey(entry.source, entry.destination, entry.message), []).append(entry)
    attempts: dict[FlowKey, list[LogEntry]] = {}
    for entry in entries:
        key = FlowKey(entry.source, entry.destination, entry.message)
        attempts.setdefault(key, []).append(entry)
    skipped = {
        k: len(by_key[k]) for k in keys if (k.source == naming.ehr) == (k.destination == naming.ehr)
    }
    for key, count in skipped.items():
        warnings.append(
            f"flow {key.source} -> {key.destination} {key.message} ({count} messages) left out: "
            "a scenario's flows have the EHR at exactly one end"
        )
    kept = [k for k in keys if k not in skipped]
    if not kept:
        raise CalibrationError(
            f"no flow has the EHR ({naming.ehr}) at exactly one end; name the EHR with --ehr APP"
        )
    flows_in = {k: by_key[k] for k in kept}
    window = Window.of([e for k in kept for e in by_key[k]])
    warnings.extend(_partial_days([e for k in kept for e in by_key[k]]))
    fids = _flow_ids(kept, naming, topology)
    end_s = max(e.time_s for k in kept for e in by_key[k])
    replies, shares = fit_replies(flows_in, naming.ehr, end_s)
    for key, reply in list(replies.items()):
        if not reply.after:
            warnings.append(
                f"flow {fids[key]}: every result came before its order was delivered (clock "
                "skew?): no reply fitted"
            )
            del replies[key]
    replied_by: dict[FlowKey, list[str]] = {}
    for key, reply in replies.items():
        replied_by.setdefault(reply.results, []).append(fids[key])
    flows: dict[str, FlowFit] = {}
    for key in kept:
        own = replies.get(key)
        flows[fids[key]] = FlowFit(
            fids[key],
            key,
            naming.ids[key.source],
            naming.ids[key.destination],
            fit_counts(flows_in[key], window),
            fit_priority(flows_in[key]),
            own,
            fids[own.results] if own else None,
            tuple(replied_by.get(key, ())),
        )
    systems: dict[str, SystemFit] = {}
    receivers = sorted({k.destination for k in kept}, key=lambda app: naming.ids[app])
    for app in receivers:
        sid = naming.ids[app]
        received = [e for k in kept if k.destination == app for e in attempts[k]]
        sent = sum(len(by_key[k]) for k in kept if k.destination == app)
        systems[sid] = _system(app, sid, sent, received, warnings)
    results = {fids[k]: share for k, share in shares.items()}
    if topology is not None:
        for key in kept:
            ends = (naming.ids[key.source], naming.ids[key.destination])
            if (*ends, key.message) in topology.flows:
                continue
            same = [fid for (a, b, _), fid in topology.flows.items() if (a, b) == ends]
            if same:
                warnings.append(
                    f"flow {fids[key]} ({key.message}) is added beside {topology.ref}'s "
                    f"{', '.join(sorted(same))} from {ends[0]} to {ends[1]} (another message "
                    "type): both carry traffic in the scenario"
                )
        for sid in sorted(set(naming.ids.values()) - topology.systems - {EHR}):
            warnings.append(
                f"system {sid} is not in {topology.ref} (its systems: "
                f"{', '.join(sorted(topology.systems)) or 'none'}); join it to one with "
                "--map APP=ID, or it is added as a new system"
            )
    read = log if isinstance(log, ReadLog) else None
    return Calibration(
        window,
        start or window.start,
        naming,
        flows,
        systems,
        results,
        sum(len(v) for v in flows_in.values()),
        skipped,
        tuple(warnings),
        topology,
        tuple(read.files) if read else (),
        read.acks if read else 0,
        read.problem_counts() if read else {},
        sum(len(attempts[k]) - len(by_key[k]) for k in kept),
    )
