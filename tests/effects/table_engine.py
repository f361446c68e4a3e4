"""Effect rows: the integration engine (nodes, failover, store, transform) and the systems.

The `crash` world: two nodes, active-passive; the lab is down from 5 to 15 minutes, so about
300 messages are held when the active node dies at 10 minutes, for 30 minutes. While the engine
is down it refuses, so new messages wait in the EHR's outbound queue: about one a second for as
long as it takes the engine to come back (sampled each minute, so up to 60 fewer).
"""

from __future__ import annotations

from tests.effects.engine import Delta, Down, Is, Rejects, Row, Up, Within, row


def _down_for(seconds: float) -> tuple[float, float]:
    """The EHR's sampled outbound peak when the engine refuses for `seconds` at 1/s."""
    return seconds - 60 - 5 * seconds**0.5, seconds + 5 * seconds**0.5


ROWS: list[Row] = [
    # -- engine ----------------------------------------------------------------------------------
    row(
        "engine.nodes",
        "crash",
        "engine.nodes=2",
        Within("ts:outbound.ehr", *_down_for(120 + 300)),
        Within("ts:outbound.ehr", *_down_for(1800), of="base"),
        base="engine.nodes=1",
        why="""
        With one node there is no failover: the engine is back when the node is repaired (30
        minutes); with two, the passive node takes over after detect + switch (2 + 5 minutes).
        """,
    ),
    row(
        "engine.failover.mode",
        "crash",
        "engine.failover.mode=active-active",
        Is("ts:outbound.ehr", 0),
        Within("ts:outbound.ehr", *_down_for(420), of="base"),
        option="active-active",
        why="Active-active: the surviving node carries on at once, nothing waits for a failover.",
    ),
    row(
        "engine.failover.mode",
        "crash",
        "engine.failover.mode=active-passive",
        Within("ts:outbound.ehr", *_down_for(420)),
        base="engine.failover.mode=active-active",
        option="active-passive",
        why="Active-passive: the engine stops until the passive node has detected the crash "
        "and switched over (7 minutes).",
    ),
    row(
        "engine.failover.mode",
        "crash",
        "engine.failover.mode=active-active",
        Rejects("nodes"),
        base="engine.nodes=1",
        option="active-active",
        why="""
        Active-active with one node has no survivor: the crash is handled as active-passive and
        the repair as active-active, so the engine never comes back. Refused at validation,
        with the fix (`nodes: 2` or `mode: active-passive`).
        """,
    ),
    row(
        "engine.failover.detect",
        "crash",
        "engine.failover.detect=10min",
        Within("ts:outbound.ehr", *_down_for(600 + 300)),
        why="The time to notice the crash: 8 more minutes before the switch-over.",
    ),
    row(
        "engine.failover.switch",
        "crash",
        "engine.failover.switch=15min",
        Within("ts:outbound.ehr", *_down_for(120 + 900)),
        why="The time to switch over: 10 more minutes down.",
    ),
    row(
        "engine.store",
        "crash",
        "engine.store=memory",
        Within("messages.lost", 300 - 5 * 300**0.5 - 5, 300 + 5 * 300**0.5 + 5),
        Is("messages.lost", 0, of="base"),
        Is("lost_by_flow.orders", 300, tol=5 * 300**0.5 + 5),
        option="memory",
        why="""
        A memory store loses every message the crashed node held: the five minutes of orders
        queued for the dead lab (about 300), counted as lost by flow.
        """,
    ),
    row(
        "engine.store",
        "crash",
        "engine.store=durable",
        Is("messages.lost", 0),
        base="engine.store=memory",
        option="durable",
        why="A durable store keeps the crashed node's messages: nothing is lost.",
    ),
    row(
        "engine.cores",
        "one",
        "engine.cores=8",
        Down("latency_s.orders.routine.mean", by=2.0),
        base=("engine.cores=1", "engine.transform=constant(900ms)"),
        why="""
        Servers of the transform station: one core at 900 ms per message is a queue at 0.9
        (a mean wait of 4 s); eight cores hardly queue.
        """,
    ),
    row(
        "engine.transform",
        "one",
        "engine.transform=constant(301ms)",
        Delta("latency_s.orders.routine.mean", 0.300, tol=0.002),
        why="""
        CPU time per message: 300 ms more on 8 cores (no transform queue) delays every message
        by exactly that, and shifts the lab's arrivals without changing its queue.
        """,
    ),
    # -- systems ---------------------------------------------------------------------------------
    row(
        "systems.*.ack",
        "one",
        "systems.lab.ack=constant(600ms)",
        Up("latency_s.orders.routine.mean", by=0.25),
        why="""
        Time from filing to ACK, holding the connection: an M/D/1 queue at 0.6 instead of 0.5,
        so service 100 ms longer and the mean wait 0.45 s instead of 0.25 s.
        """,
    ),
    row(
        "systems.*.connections",
        "one",
        "systems.lab.connections=3",
        Down("queues.lab.wait_s.mean", by=2.0),
        base="systems.lab.ack=constant(900ms)",
        why="Outbound connections of the channel: one at 900 ms per message is a queue at 0.9 "
        "(a 4 s mean wait); three hardly queue.",
    ),
    row(
        "systems.*.connections",
        "one",
        "systems.lab.connections=3",
        Rejects("per-patient"),
        base="strategy.order=strict",
        why="""
        Strict order sends one message at a time: more than one connection under `order:
        strict` is an error that names the fix (`order: per-patient`).
        """,
    ),
    row(
        "systems.*.capacity",
        "one",
        "systems.lab.capacity=2/s",
        Up("latency_s.orders.routine.mean", by=0.5),
        base=("systems.lab.ack=constant(100ms)", "systems.lab.connections=4"),
        why="""
        The system's filing rate, one server shared by all connections: at 2/s each message is
        filed in 0.5 s (a queue at 0.5) before its ACK runs; unlimited, it is filed at once.
        """,
    ),
    row(
        "systems.*.timeout",
        "one",
        "systems.lab.timeout=500ms",
        Up("messages.duplicates", by=150),
        Up("retry_amplification", by=0.04),
        base="systems.lab.ack=exponential(200ms)",
        why="""
        How long the engine waits for an ACK: with exponential ACKs of mean 200 ms, e^-2.5 = 8 %
        take longer than 500 ms; those sends fail, although filed, and are sent again (about
        300 duplicates); with 1 h none does.
        """,
    ),
    row(
        "systems.*.timeout",
        "poison1",
        "systems.lab.timeout=1s",
        Within("left:dead-lettered", 0.9, 1.1),
        Within("left:dead-lettered", 1.9, 2.1, of="base"),
        trace=True,
        why="""
        The timeout applies to every send, poisoned or not: the one message, poisoned, would
        be refused after its 2 s ACK time, but the engine gives up waiting at 1 s (either way
        it is dead-lettered: on_reply sends both AE and timeouts there).
        """,
    ),
]
