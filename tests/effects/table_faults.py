"""Effect rows: the fault catalogue, each kind with each key it takes.

Most rows lay one fault on the `calm` world (1 message a second to a lab answering in 200 ms,
one connection, 5 s timeout): a fault that stops the lab's messages for T seconds queues about
T of them (5 Poisson sigmas either side).
"""

from __future__ import annotations

from tests.effects.engine import Delta, Down, Flagged, Is, Rejects, Row, Same, Up, Within, row


def _band(mean: float, slack: float = 0.0) -> tuple[float, float]:
    """A Poisson count's 5-sigma band around its mean, widened by `slack` either side."""
    return mean - 5 * mean**0.5 - slack, mean + 5 * mean**0.5 + slack


def _fault(kind: str, extra: str = "", at: str = "+10min", span: str = "20min") -> str:
    """An assignment of one fault, `faults=[{...}]`."""
    lasting = f", for: {span}" if span else ""
    more = f", {extra}" if extra else ""
    return f"faults=[{{kind: {kind}, at: {at}{lasting}{more}}}]"


ACK_LOSS = ("systems.lab.connections=8", "systems.lab.timeout=1s", "strategy.retry.first=1s")
"""A lost ACK holds a connection for the timeout and the backoff (2 s here): with 8 connections
the lab keeps up, so the 1200 messages of the fault are sent during it, and a resend's ACK may
be lost again: 1200 x s / (1 - s) duplicates at share s."""

SLOW_ENGINE = ("engine.cores=1", "engine.transform=constant(100ms)")
"""One transform core at 100 ms: a slowdown by s makes it a queue at utilisation s/10."""

ROWS: list[Row] = [
    # -- each kind, on a calm world ------------------------------------------------------------
    row(
        "faults[].kind",
        "calm",
        _fault("engine-stall"),
        Within("queues.lab.peak_backlog", *_band(1200, 5)),
        Is("queues.lab.peak_backlog", 5, tol=4, of="base"),
        option="engine-stall",
        fault="engine-stall",
        why="The engine stops sending for 20 minutes: the lab's backlog grows by the 1200 "
        "messages that arrive meanwhile.",
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("node-crash"),
        Within("queues.lab.peak_backlog", *_band(1200, 5)),
        Is("events:node-crash", 1),
        option="node-crash",
        fault="node-crash",
        why="The only node dies for 20 minutes: nothing moves until it is repaired.",
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("engine-slowdown", "severity: 5"),
        Up("latency_s.orders.routine.mean", by=0.1),
        base=SLOW_ENGINE,
        option="engine-slowdown",
        fault="engine-slowdown",
        why="""
        Transforms take 5 x as long for a third of the hour: 500 ms on the one core, a queue
        at 0.5, so those messages take 0.4 s more plus their wait.
        """,
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("system-outage", "target: lab"),
        Within("queues.lab.peak_backlog", *_band(1200, 5)),
        Up("resends", by=50),
        option="system-outage",
        fault="system-outage",
        why="Sends to the dead lab time out and are retried: 20 minutes of messages queue.",
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("system-slowdown", "target: lab, severity: 4"),
        Up("latency_s.orders.routine.mean", by=0.2),
        option="system-slowdown",
        fault="system-slowdown",
        why="ACKs take 4 x as long for a third of the hour (800 ms, a queue at 0.8).",
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("partition", "target: lab"),
        Within("queues.lab.peak_backlog", *_band(1200, 5)),
        option="partition",
        fault="partition",
        why="The engine cannot reach the lab: sends time out for 20 minutes.",
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("ack-loss", "target: lab, severity: 0.3"),
        Within("messages.duplicates", *_band(1200 * 0.3 / 0.7, 15)),
        Is("messages.lost", 0),
        Is("messages.duplicates", 0, of="base"),
        base=ACK_LOSS,
        option="ack-loss",
        fault="ack-loss",
        why="""
        30 % of the ACKs of 20 minutes are lost: the lab filed those messages, the engine times
        out and resends, the lab files them again (and a resend's ACK may be lost too): 1200 x
        0.3 / 0.7 duplicates, nothing lost.
        """,
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("poison-message", "target: lab", span=""),
        Is("events:poison-nak", 1),
        Up("queues.lab.peak_backlog", by=2000),
        option="poison-message",
        fault="poison-message",
        why="""
        The next message sent to the lab is refused (AE) until fixed or given up: retried
        forever (the default on_reply), it holds the lab's one connection, and the lab plugs.
        """,
    ),
    row(
        "faults[].kind",
        "calm",
        _fault("surge", "severity: 2"),
        Delta("messages.created", 1200, tol=5 * 1200**0.5),
        option="surge",
        fault="surge",
        why="Twice the arrival rate for 20 minutes: 1200 more messages.",
    ),
    # -- keys every fault has ------------------------------------------------------------------
    row(
        "faults[].name",
        "calm",
        _fault("engine-stall", "name: integration servers stall"),
        Is("detail:fault-start", "integration servers stall"),
        Same("queues.lab.peak_backlog"),
        base=_fault("engine-stall"),
        why="The name a person gave the fault labels its events; no figure moves.",
    ),
    row(
        "faults[].at",
        "calm",
        "faults.0.at=+30min",
        Delta("queues.lab.peak_at_s", 1200, tol=30),
        base=_fault("engine-stall"),
        why="""
        When the fault starts: a stall at 30 instead of 10 minutes peaks 20 minutes later (its
        last arrival before the end of the stall).
        """,
    ),
    row(
        "faults[].at",
        "calm",
        "faults.0.at=+1h",
        Flagged("faults.0"),
        Within("queues.lab.peak_backlog", 0, 8),
        Is("recovery_time_s", None),
        base=_fault("engine-stall"),
        why="""
        A fault that starts at or after the horizon is accepted and has no effect, with a
        warning that names it: no backlog, and no recovery to measure (null without faults).
        """,
    ),
    row(
        "faults[].at",
        "cleanup",
        "faults.1.at=+70min",
        Same("first:reprocessed"),
        Within("first:reprocessed", 1800, 2500),
        why="""
        Dead-letter reprocessing waits only for the faults that act on its channel: moving an
        outage of radiology later must not move the lab's reprocessing (the lab's own outage
        ends at 30 minutes; the analyst reprocesses 10 minutes later).
        """,
    ),
    # -- for, per kind -------------------------------------------------------------------------
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.6),
        base=_fault("engine-stall", span="10min"),
        fault="engine-stall",
        why="A stall twice as long queues twice the messages.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.6),
        base=_fault("node-crash", span="10min"),
        fault="node-crash",
        why="The node is repaired after `for`: twice as long down, twice the backlog.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.5),
        base=(*SLOW_ENGINE, _fault("engine-slowdown", "severity: 15", span="10min")),
        fault="engine-slowdown",
        why="""
        Transforms at 1.5 s for 1 arrival a second: the engine's queue grows by a third of a
        message a second for as long as the slowdown lasts.
        """,
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.6),
        base=_fault("system-outage", "target: lab", span="10min"),
        fault="system-outage",
        why="The lab is down twice as long: twice the backlog.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.5),
        base=_fault("system-slowdown", "target: lab, severity: 10", span="10min"),
        fault="system-slowdown",
        why="ACKs of 2 s for 1 arrival a second: the backlog grows by half a message a second "
        "for as long as it lasts.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("queues.lab.peak_backlog", ratio=1.6),
        base=_fault("partition", "target: lab", span="10min"),
        fault="partition",
        why="Unreachable twice as long: twice the backlog.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Up("messages.duplicates", ratio=1.6),
        base=(*ACK_LOSS, _fault("ack-loss", "target: lab, severity: 0.3", span="10min")),
        fault="ack-loss",
        why="ACKs lost for twice as long: twice the duplicates.",
    ),
    row(
        "faults[].for",
        "calm",
        "faults.0.for=20min",
        Delta("messages.created", 600, tol=5 * 600**0.5),
        base=_fault("surge", "severity: 2", span="10min"),
        fault="surge",
        why="Ten more minutes at twice the rate: 600 more messages.",
    ),
    # -- target, per kind ----------------------------------------------------------------------
    row(
        "faults[].target",
        "crash",
        "faults.1.target=1",
        Is("ts:outbound.ehr", 0),
        Is("events:failover", 0),
        fault="node-crash",
        why="""
        The node index: node 0 is the active node (its crash stops the engine until the
        failover); node 1 is the standby, whose crash stops nothing.
        """,
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=rad",
        Down("queues.lab.peak_backlog", by=1000),
        Up("queues.rad.peak_backlog", by=1000),
        base=_fault("system-outage", "target: lab"),
        fault="system-outage",
        why="The system that is down: radiology's queue grows instead of the lab's.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=all",
        Up("queues.rad.peak_backlog", by=1000),
        Same("queues.lab.peak_backlog"),
        base=_fault("system-outage", "target: lab"),
        fault="system-outage",
        why="Every system fault but poison-message takes a system, a list or `all` (every "
        "system but the EHR): both the lab and radiology are down.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=[lab, rad]",
        Up("queues.rad.peak_backlog", by=1000),
        Same("queues.lab.peak_backlog"),
        base=_fault("system-outage", "target: lab"),
        fault="system-outage",
        why="A list of systems: both are down.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=[lab, rad]",
        Up("queues.rad.peak_backlog", by=1000),
        Same("queues.lab.peak_backlog"),
        base=_fault("partition", "target: lab"),
        fault="partition",
        why="The engine cannot reach the listed systems: radiology too.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=[lab, rad]",
        Is("target:fault-start", "lab;rad"),
        base=_fault("partition", "target: lab"),
        fault="partition",
        why="events.csv's target lists the systems hit, separated by ';'.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=all",
        Up("queues.rad.peak_backlog", by=1000),
        base=_fault("partition", "target: lab"),
        fault="partition",
        why="`all`: every system but the EHR.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=all",
        Up("latency_s.rad-orders.routine.mean", by=0.2),
        Same("latency_s.lab-orders.routine.mean"),
        base=_fault("system-slowdown", "target: lab, severity: 4"),
        fault="system-slowdown",
        why="`all` slows every system: radiology as well as the lab.",
    ),
    row(
        "faults[].target",
        "orders",
        "faults.0.target=all",
        Same("latency_s.orders.routine.mean"),
        Same("latency_s.results.routine.mean"),
        base=_fault("system-slowdown", "target: lab, severity: 4", at="+1h"),
        fault="system-slowdown",
        why="""
        `all` means every system under `systems` except `ehr`, which must be named: here the
        same as naming the lab, so neither the lab's orders nor the EHR's results move.
        """,
    ),
    row(
        "faults[].target",
        "orders",
        "faults.0.target=ehr",
        Up("latency_s.results.routine.mean", by=0.05),
        base=_fault("system-slowdown", "target: lab, severity: 4", at="+1h"),
        fault="system-slowdown",
        why="To hit the EHR's inbound channel, name `ehr`: the results slow down.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=rad",
        Up("latency_s.rad-orders.routine.max", by=4),
        Down("latency_s.lab-orders.routine.max", by=4),
        base=_fault("ack-loss", "target: lab, severity: 0.3"),
        fault="ack-loss",
        why="Lost ACKs make their messages wait out the 5 s timeout: radiology's, not the lab's.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=rad",
        Is("events:poison-nak@rad", 1),
        Is("events:poison-nak@lab", 0),
        base=_fault("poison-message", "target: lab", span=""),
        fault="poison-message",
        why="The channel whose next message is poisoned.",
    ),
    row(
        "faults[].target",
        "two",
        "faults.0.target=rad-orders",
        Up("latency_s.rad-orders.routine.count", by=800),
        Down("latency_s.lab-orders.routine.count", by=800),
        base=_fault("surge", "target: lab-orders, severity: 2"),
        fault="surge",
        why="The flow whose arrivals surge.",
    ),
    row(
        "faults[].target",
        "orders",
        _fault("surge", "target: results, severity: 3"),
        Flagged("faults.0"),
        fault="surge",
        why="""
        A surge is a factor on a flow's arrival rate: the results flow has none (its messages
        are made by replies), so the surge changes nothing (10688 messages either way); it
        must be refused or warned about, never pass silently.
        """,
    ),
    row(
        "faults[].target",
        "burst",
        _fault("surge", "target: orders, severity: 3", at="+0s", span="5min"),
        Flagged("faults.0"),
        fault="surge",
        why="""
        A replayed flow has no rate to multiply: the trace's 4 messages are all there is, with
        or without the surge; it must be refused or warned about, never pass silently.
        """,
    ),
    # -- severity, per kind --------------------------------------------------------------------
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=0.5",
        Within("queues.lab.peak_backlog", 15, 80),
        base=_fault("engine-stall"),
        fault="engine-stall",
        why="""
        The share of channel capacity lost: at 0.5 the channel moves half of every minute, so
        the backlog builds to about 30 messages (half a minute of arrivals) and drains, instead
        of the 1200 of a full stall.
        """,
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=0.01",
        Within("queues.lab.peak_backlog", 0, 10),
        base=_fault("engine-stall"),
        fault="engine-stall",
        why="At 0.01 the channel stops 0.6 s a minute: hardly a queue.",
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=0.5",
        Rejects("severity"),
        base=_fault("engine-stall", "mode: refuse"),
        fault="engine-stall",
        why="A key a fault's mode does not use is an error, never ignored: `refuse` takes no "
        "severity below 1.",
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=8",
        Up("latency_s.orders.routine.mean", by=0.3),
        base=(*SLOW_ENGINE, _fault("engine-slowdown", "severity: 2")),
        fault="engine-slowdown",
        why="The factor on transform time: 800 ms instead of 200 ms on the one core.",
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=4",
        Up("latency_s.orders.routine.mean", by=0.1),
        base=_fault("system-slowdown", "target: lab, severity: 2"),
        fault="system-slowdown",
        why="The factor on ACK and filing time: 800 ms instead of 400 ms.",
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=0.5",
        Within("messages.duplicates", *_band(1200 * 0.5 / 0.5, 15)),
        Within("messages.duplicates", *_band(1200 * 0.1 / 0.9, 15), of="base"),
        base=(*ACK_LOSS, _fault("ack-loss", "target: lab, severity: 0.1")),
        fault="ack-loss",
        why="The share of ACKs lost: 1200 x s / (1 - s) duplicates, 133 at 0.1 and 1200 at 0.5.",
    ),
    row(
        "faults[].severity",
        "calm",
        "faults.0.severity=4",
        Delta("messages.created", 2400, tol=5 * 2400**0.5),
        base=_fault("surge", "severity: 2"),
        fault="surge",
        why="The factor on the arrival rate: 4 x instead of 2 x for 20 minutes is 2400 more.",
    ),
    # -- options -------------------------------------------------------------------------------
    row(
        "faults[].mode",
        "calm",
        "faults.0.mode=refuse",
        Within("ts:outbound.ehr", *_band(1200, 60)),
        Is("ts:outbound.ehr", 0, of="base"),
        base=_fault("engine-stall"),
        option="refuse",
        fault="engine-stall",
        why="""
        `refuse`: the engine stops accepting, so the backlog grows in the sender's outbound
        queue (the EHR's), where `hold` leaves none (it moves to the channel queue only when
        the engine accepts again).
        """,
    ),
    row(
        "faults[].mode",
        "calm",
        "faults.0.mode=hold",
        Within("ts:lane.lab", *_band(1200, 60)),
        Is("ts:outbound.ehr", 0),
        base=_fault("engine-stall", "mode: refuse"),
        option="hold",
        fault="engine-stall",
        why="`hold`: the engine keeps accepting and persisting, sends stop, so the backlog "
        "grows in its channel queue.",
    ),
    row(
        "faults[].poison_share",
        "calm",
        "faults.0.poison_share=0.02",
        Within("messages.dead_lettered", *_band(24)),
        Is("messages.dead_lettered", 0, of="base"),
        base=(_fault("engine-stall"), "strategy.retry.attempts=3"),
        fault="engine-stall",
        why="""
        The share of held messages that come back poisoned: 2 % of the 1200 held are refused
        on every send and, after 3 attempts, dead-lettered (about 24).
        """,
    ),
    row(
        "faults[].code",
        "nak",
        "faults.0.code=AR",
        Is("messages.dead_lettered", 1),
        Is("messages.dead_lettered", 0, of="base"),
        option="AR",
        fault="poison-message",
        why="The poisoned message is answered AR, which the default on_reply dead-letters "
        "(AE is retried).",
    ),
    row(
        "faults[].code",
        "nak",
        "faults.0.code=AE",
        Is("messages.dead_lettered", 0),
        Up("queues.lab.peak_backlog", by=2000),
        base="faults.0.code=AR",
        option="AE",
        fault="poison-message",
        why="Answered AE (the default), the message is retried (default on_reply) and plugs "
        "the lab.",
    ),
]
