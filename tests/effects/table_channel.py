"""Effect rows: a strategy per channel (`systems.<id>.strategy`, issue 11 item 21).

Each key set on the lab's channel moves the lab's figures and leaves radiology's alone: the two
channels of these worlds are twins (same load, same faults, their own random streams), so the
radiology figures are exactly those of the baseline. The per-channel strategy is merged deep
over the top-level one (`null` clears a key). These keys are not in the schema yet: every row is
a known defect until they are.
"""

from __future__ import annotations

from tests.effects.engine import Delta, Differs, Down, Is, Rejects, Row, Same, Up, Within, row

RAD = ("queues.rad.wait_s.mean", "queues.rad.peak_backlog", "queues.rad.backlog_hours")
"""Radiology's figures, which the lab's own strategy must leave alone."""


def _rad_same() -> tuple[Same, ...]:
    return tuple(Same(fig) for fig in RAD)


def _lab(key: str) -> str:
    return f"systems.*.strategy.{key}"


ROWS: list[Row] = [
    row(
        _lab("order"),
        "medcom",
        ("systems.medcom.strategy.order=per-patient", "systems.medcom.connections=3"),
        Down("queues.medcom.wait_s.mean", by=2.0),
        Same("queues.lab.wait_s.mean"),
        Same("queues.lab.peak_backlog"),
        why="""
        MedCom's channel under per-patient order may use its 3 connections (its letters then
        hardly wait, against a queue at 0.8 on strict order's one connection), while the lab
        keeps strict order: the lab behaves exactly as under strict order alone.
        """,
    ),
    row(
        _lab("order"),
        "medcom",
        "systems.lab.strategy.order=strict",
        Same("queues.medcom.wait_s.mean"),
        Same("queues.medcom.peak_backlog"),
        Same("queues.lab.wait_s.mean"),
        base=("strategy.order=per-patient", "systems.medcom.connections=3"),
        why="""
        The other way round: with per-patient order at the top, the lab alone on strict order
        leaves MedCom exactly as under per-patient order alone (with the previous row: each
        channel behaves in one world as it would alone).
        """,
    ),
    row(
        _lab("order"),
        "plug",
        "systems.lab.strategy.order=strict",
        Rejects("shared"),
        why="Under `queues: shared` a per-system order that differs from the top level is an "
        "error (one queue cannot keep two orders).",
    ),
    row(
        _lab("discipline"),
        "burst2",
        "systems.lab.strategy.discipline=lifo",
        Is("latency_s.lab-orders.routine.max", 39.001, tol=0.01),
        Is("latency_s.rad-orders.routine.max", 37.001, tol=0.01),
        why="The lab's channel newest first (its last message waits 39 s), radiology's FIFO "
        "(37 s), as the burst rows of strategy.discipline derive.",
    ),
    row(
        _lab("retry.backoff"),
        "pair",
        "systems.lab.strategy.retry.backoff=immediate",
        Delta("resends", 240 - 80, tol=2),
        *_rad_same(),
        why="The lab resends every 5 s (240 in the outage) instead of every 15 s (80); "
        "radiology keeps the top-level fixed 10 s.",
    ),
    row(
        _lab("retry.first"),
        "pair",
        "systems.lab.strategy.retry.first=1min",
        Delta("resends", 1200 / 65 - 80, tol=2),
        *_rad_same(),
        why="The lab waits 60 s between sends (18.5 resends instead of 80); radiology 10 s.",
    ),
    row(
        _lab("retry.cap"),
        "pair",
        "systems.lab.strategy.retry.cap=5s",
        Up("resends", by=80),
        *_rad_same(),
        base="strategy.retry={backoff: exponential, first: 1s}",
        why="""
        Merged deep: the lab keeps the top-level exponential backoff from 1 s and caps it at
        5 s (a resend about every 10 s), radiology at the default 5 minutes (about a dozen).
        """,
    ),
    row(
        _lab("retry.jitter"),
        "pair",
        "systems.lab.strategy.retry.jitter=full",
        Up("resends", by=20),
        *_rad_same(),
        why="Full jitter on the lab only: its waits average 5 s instead of 10 s.",
    ),
    row(
        _lab("retry.attempts"),
        "pair",
        "systems.lab.strategy.retry.attempts=3",
        Within("messages.dead_lettered", 1200 / 35 - 1, 1200 / 35 + 1),
        *_rad_same(),
        why="The lab gives a message up after 3 sends (34 in the outage); radiology retries "
        "without limit.",
    ),
    row(
        _lab("retry.then"),
        "pair",
        "systems.lab.strategy.retry.then=park",
        Within("messages.dead_lettered", 1200 / 35 - 1, 1200 / 35 + 1),
        Up("ts:parked", by=0),
        base="strategy.retry.attempts=3",
        why="""
        Merged deep: the lab keeps the top-level 3 attempts but parks what it gives up, so only
        radiology's 34 messages are dead-lettered.
        """,
    ),
    *[
        row(
            _lab(f"on_reply.{code}"),
            "pairnak",
            f"systems.lab.strategy.on_reply.{code}=dead-letter",
            Is("messages.dead_lettered", 1),
            Down("queues.lab.peak_backlog", by=2000),
            *_rad_same(),
            base=(
                f"faults.0.code={code}",
                f"faults.1.code={code}",
                f"strategy.on_reply.{code}=retry",
            ),
            why=f"""
            The lab's channel gives its poisoned message ({code}) up at once and flows on;
            radiology's retries its own forever and stays plugged.
            """,
        )
        for code in ("AE", "AR")
    ],
    row(
        _lab("on_reply.timeout"),
        "pair",
        "systems.lab.strategy.on_reply.timeout=dead-letter",
        Within("messages.dead_lettered", 239, 241),
        *_rad_same(),
        why="The lab dead-letters every timed-out send (240 in the outage); radiology retries.",
    ),
    row(
        _lab("breaker.after"),
        "pair",
        "systems.lab.strategy.breaker={after: 3, open: 1min}",
        Up("events:breaker-open@lab", by=10),
        Is("events:breaker-open@rad", 0),
        *_rad_same(),
        why="A breaker on the lab's channel only: it opens in the lab's outage, radiology has "
        "none.",
    ),
    row(
        _lab("breaker.after"),
        "pair",
        "systems.lab.strategy.breaker=null",
        Is("events:breaker-open@lab", 0),
        Same("events:breaker-open@rad"),
        *_rad_same(),
        base="strategy.breaker={after: 3, open: 1min}",
        why="`null` clears an inherited key: the lab's channel has no breaker, radiology keeps "
        "the top-level one.",
    ),
    row(
        _lab("breaker.open"),
        "pair",
        "systems.lab.strategy.breaker.open=5min",
        Down("events:breaker-open@lab", by=8),
        Same("events:breaker-open@rad"),
        *_rad_same(),
        base="strategy.breaker={after: 3, open: 1min}",
        why="Merged deep: the lab's breaker keeps `after: 3` and stays open 5 minutes, so it "
        "opens fewer times; radiology's is unchanged.",
    ),
    row(
        _lab("drain.rate"),
        "two",
        "systems.lab.strategy.drain.rate=0.5/s",
        Within("latency_s.lab-orders.routine.count", 1700, 1801),
        Same("latency_s.rad-orders.routine.count"),
        *_rad_same(),
        base="strategy.drain={rate: 100/s}",
        why="The lab's channel sends at most 0.5 a second (1800 in the hour); radiology's "
        "drain is the top-level 100/s.",
    ),
    row(
        _lab("expire.after"),
        "pair",
        "systems.lab.strategy.expire={after: 5min}",
        Within("messages.expired", 900 - 150, 900 + 150 + 60),
        *_rad_same(),
        why="Only the lab's waiting messages expire (those of its outage's first 15 minutes); "
        "radiology's wait.",
    ),
    row(
        _lab("expire.to"),
        "pair",
        "systems.lab.strategy.expire={after: 5min, to: paper}",
        Differs("messages.expired"),
        *_rad_same(),
        why="Expired messages of the lab's channel go to paper.",
    ),
]
