"""Effect rows: the strategy under test (queues, order, discipline, retry, on_reply, protections).

The retry rows run the `outage` world: one connection, sends to the dead lab time out after
5 s, the outage lasts 1200 s, and only the message at the head is retried (it holds the
connection through its backoff), so the resends are 1200 s / (5 s + the wait), exactly.
"""

from __future__ import annotations

from tests.effects.engine import Down, Is, Row, Same, Up, Within, row

OUTAGE_S = 1200.0
"""How long the `outage` world's lab is down."""
TIMEOUT_S = 5.0
"""Its ACK timeout."""


def _resends(wait: float) -> float:
    """Resends while the lab is down, when every failed send waits `wait` before the next."""
    return OUTAGE_S / (TIMEOUT_S + wait)


ROWS: list[Row] = [
    # -- queues ----------------------------------------------------------------------------------
    row(
        "strategy.queues",
        "twoout",
        "strategy.queues=shared",
        Up("latency_s.lab-orders.routine.p95", by=300),
        option="shared",
        why="""
        One queue and one pool of sum(connections) workers: a worker holding a message for the
        dead radiology system stays busy until the retry lets go, so the dead system starves
        the lab (with bulkheads the lab does not notice).
        """,
    ),
    row(
        "strategy.queues",
        "twoout",
        "strategy.queues=per-destination",
        Down("latency_s.lab-orders.routine.p95", by=300),
        Within("latency_s.lab-orders.routine.max", 0, 2),
        base="strategy.queues=shared",
        option="per-destination",
        why="One queue and its own connections per system (bulkheads): the lab flows on "
        "while radiology is down.",
    ),
    row(
        "strategy.queues",
        "flows2",
        "strategy.queues=per-flow",
        Is("ts:lane.lab", None),
        Within("ts:lane.a", 0, 10_000),
        Within("ts:lane.b", 0, 10_000),
        option="per-flow",
        why="One queue per flow: the physical queues of timeseries.csv are the flows' lanes, "
        "not the destination's.",
    ),
    row(
        "strategy.queues",
        "flows2",
        "strategy.queues=per-flow",
        Within("messages.delivered", 0, 600 / 0.5 + 1),
        Within("ts:in_flight", 0, 1),
        option="per-flow",
        why="""
        A system's connections are shared by all lanes to it: one connection and 500 ms ACKs
        deliver at most 2 a second, 1201 in 10 minutes, and never two sends at once, however
        the messages are queued (today each flow's lane gets its own connection).
        """,
    ),
    # -- order -----------------------------------------------------------------------------------
    row(
        "strategy.order",
        "plug",
        "strategy.order=strict",
        Up("queues.rad.peak_backlog", by=300),
        Down("messages.delivered", by=500),
        option="strict",
        why="""
        One message in flight per channel, the head retried: on a shared queue the workers
        that take the next lab messages wait for the poisoned head, holding their workers, so
        radiology starves too (with order none the poison holds one worker, the other serves
        both).
        """,
    ),
    row(
        "strategy.order",
        "flows2",
        "strategy.order=strict",
        Within("ts:in_flight", 0, 1),
        base="strategy.queues=per-flow",
        option="strict",
        why="Strict order holds per channel: one message in flight to the lab, whichever "
        "flow's lane it comes from.",
    ),
    row(
        "strategy.order",
        "reorder",
        "strategy.order=per-patient",
        Is("order_violations", 0),
        Within("order_violations", 3, 1000, of="base"),
        base="strategy.retry.jitter=full",
        option="per-patient",
        why="""
        In order within a patient: six connections retrying through an outage let newer
        messages of the same (one of five) patients overtake the retried ones under order
        none; per patient, a message waits until its patient's older one has left.
        """,
    ),
    row(
        "strategy.order",
        "reorder",
        "strategy.order=none",
        Up("order_violations", by=2),
        base=("strategy.retry.jitter=full", "strategy.order=per-patient"),
        option="none",
        why="No order kept: retried messages are filed after newer ones of the same patient.",
    ),
    # -- discipline --------------------------------------------------------------------------------
    row(
        "strategy.discipline",
        "burst",
        "strategy.discipline=fifo",
        Is("latency_s.orders.routine.max", 37.001, tol=0.01),
        Is("latency_s.orders.routine.max", 39.001, tol=0.01, of="base"),
        base="strategy.discipline=lifo",
        option="fifo",
        why="""
        Four messages at 0, 1, 2, 3 s on one connection with 10 s ACKs: first in, first out
        delivers at 10, 20, 30, 40 s, so the last waits 37 s; newest first, the one of 1 s
        goes last and waits 39 s. (The mean is the same: both are work-conserving.)
        """,
    ),
    row(
        "strategy.discipline",
        "burst",
        "strategy.discipline=lifo",
        Is("latency_s.orders.routine.max", 39.001, tol=0.01),
        Same("latency_s.orders.routine.mean"),
        option="lifo",
        why="Newest first: the message of 1 s waits for those of 3 and 2 s (39 s).",
    ),
    row(
        "strategy.discipline",
        "burst",
        "strategy.discipline=priority",
        Is("latency_s.orders.stat.max", 17.001, tol=0.01),
        Is("latency_s.orders.stat.max", 37.001, tol=0.01, of="base"),
        base="flows.orders.trace.3.priority=stat",
        option="priority",
        why="By class, FIFO within one: the stat message of 3 s goes next when the first "
        "send ends (delivered at 20 s) instead of last (40 s).",
    ),
    row(
        "strategy.discipline",
        "one",
        "strategy.discipline=codel",
        Is("messages.shed", 0, of="base"),
        Up("messages.shed", by=500),
        base="systems.lab.ack=constant(1500ms)",
        option="codel",
        why="""
        Controlled delay: at 1.5 x the channel's capacity the queue stands above the 5 s target
        for more than the 1-minute interval, and CoDel sheds from its head (FIFO sheds none).
        """,
    ),
    row(
        "strategy.discipline",
        "fairburst",
        "strategy.discipline=fair",
        Is("latency_s.light.routine.max", 29.501, tol=0.01),
        Is("latency_s.light.routine.max", 59.501, tol=0.01, of="base"),
        option="fair",
        why="""
        Round robin across flows: five heavy messages at once, then a light one at 0.5 s, on
        one 10-second connection. FIFO sends the light one sixth (at 50 s, delivered at 60 s);
        fair sends it third, after the heavy flow's turn (at 20 s, delivered at 30 s).
        """,
    ),
    row(
        "strategy.discipline.codel.target",
        "one",
        "strategy.discipline={codel: {target: 1min}}",
        Down("messages.shed", by=30),
        base=("systems.lab.ack=constant(1500ms)", "strategy.discipline=codel"),
        why="A longer target delay counts fewer messages as standing: fewer are shed.",
    ),
    row(
        "strategy.discipline.codel.interval",
        "one",
        "strategy.discipline={codel: {interval: 20min}}",
        Down("messages.shed", by=200),
        base=("systems.lab.ack=constant(1500ms)", "strategy.discipline=codel"),
        why="The queue must stand above the target for the whole interval before CoDel "
        "sheds: 20 minutes instead of one sheds later, so less.",
    ),
    row(
        "strategy.discipline.priority.results_first",
        "inbound",
        "strategy.discipline={priority: {results_first: true}}",
        Down("latency_s.results.routine.mean", ratio=0.5),
        Up("latency_s.notes.routine.mean"),
        why="""
        Results to the EHR go before orders of any class: on the EHR's inbound channel at 0.9,
        results overtake the other messages (their wait falls, the others' rises).
        """,
    ),
    row(
        "strategy.discipline.fair.weights",
        "fair",
        "strategy.discipline={fair: {weights: {light: 3}}}",
        Down("latency_s.light.routine.mean", ratio=0.1),
        Up("latency_s.heavy.routine.mean", by=100),
        why="""
        Each flow gets its weight in sends per round: both flows ask for 1/s of a lab that
        sends 1.67/s; weighted 3 to 1, the light flow gets 1.25/s (all it needs) and the heavy
        one the rest.
        """,
    ),
    # -- retry -----------------------------------------------------------------------------------
    row(
        "strategy.retry.backoff",
        "outage",
        "strategy.retry.backoff=immediate",
        Within("resends", _resends(0) - 1, _resends(0) + 1),
        option="immediate",
        why="No wait: the head is resent as soon as its send times out, every 5 s (240).",
    ),
    row(
        "strategy.retry.backoff",
        "outage",
        "strategy.retry.backoff=fixed",
        Within("resends", _resends(10) - 1, _resends(10) + 1),
        base="strategy.retry.backoff=immediate",
        option="fixed",
        why="Every `first` (10 s): a resend every 15 s (80).",
    ),
    row(
        "strategy.retry.backoff",
        "outage",
        "strategy.retry.backoff=exponential",
        Within("resends", 5, 10),
        option="exponential",
        why="first x 2^n up to cap: waits of 10, 20, 40 ... 300 s fit 7 or 8 resends in the "
        "1200 s outage.",
    ),
    row(
        "strategy.retry.first",
        "outage",
        "strategy.retry.first=1min",
        Within("resends", _resends(60) - 1, _resends(60) + 1),
        why="The first (and, fixed, every) wait: 60 s makes a resend every 65 s (18.5).",
    ),
    row(
        "strategy.retry.cap",
        "outage",
        "strategy.retry.cap=5s",
        Within("resends", _resends(5) - 4, _resends(5) + 1),
        base=("strategy.retry.backoff=exponential", "strategy.retry.first=1s"),
        why="""
        The longest exponential wait: capped at 5 s, the waits 1, 2, 4, 5, 5 ... s make a
        resend about every 10 s (120, less the first few shorter cycles' worth); with the
        default cap of 5 minutes, about a dozen.
        """,
    ),
    row(
        "strategy.retry.jitter",
        "outage",
        "strategy.retry.jitter=full",
        Within("resends", 100, 140),
        option="full",
        why="A uniform draw between 0 and the backoff: waits average 5 s, a resend every "
        "10 s on average (120), against 80 without jitter.",
    ),
    row(
        "strategy.retry.jitter",
        "outage",
        "strategy.retry.jitter=equal",
        Within("resends", 86, 106),
        option="equal",
        why="Half the backoff plus a uniform share of the other half: waits average 7.5 s, "
        "a resend every 12.5 s (96).",
    ),
    row(
        "strategy.retry.jitter",
        "outage",
        "strategy.retry.jitter=decorrelated",
        Within("resends", 3, 30),
        option="decorrelated",
        why="""
        Each wait drawn between `first` and 3 x the previous one, up to the cap: the waits
        grow (mean x2 each time) towards 300 s, so far fewer resends than the fixed 80.
        """,
    ),
    row(
        "strategy.retry.jitter",
        "outage",
        "strategy.retry.jitter=none",
        Within("resends", _resends(10) - 1, _resends(10) + 1),
        base="strategy.retry.jitter=full",
        option="none",
        why="The backoff as it is: every 10 s, a resend every 15 s (80).",
    ),
    row(
        "strategy.retry.attempts",
        "outage",
        "strategy.retry.attempts=3",
        Within("messages.dead_lettered", OUTAGE_S / 35 - 1, OUTAGE_S / 35 + 1),
        Is("messages.dead_lettered", 0, of="base"),
        why="""
        Sends before `then` applies: three sends and two 10 s waits take 35 s per message, so
        the outage gives up 1200 / 35 = 34 messages to the dead-letter queue.
        """,
    ),
    row(
        "strategy.retry.attempts",
        "outage",
        "strategy.retry.attempts=unlimited",
        Is("messages.dead_lettered", 0),
        base="strategy.retry.attempts=3",
        option="unlimited",
        why="No limit: every message is retried until the lab is back; none is given up.",
    ),
    row(
        "strategy.retry.then",
        "outage",
        "strategy.retry.then=park",
        Is("messages.dead_lettered", 0),
        Up("ts:parked", by=0),
        Is("messages.delivered", 5494),
        base="strategy.retry.attempts=3",
        option="park",
        why="Aside, back to the queue's tail after `first`: nothing is given up and every "
        "message is delivered once the lab is back.",
    ),
    row(
        "strategy.retry.then",
        "outage",
        "strategy.retry.then=dead-letter",
        Up("messages.dead_lettered", by=30),
        base=("strategy.retry.attempts=3", "strategy.retry.then=park"),
        option="dead-letter",
        why="Given up to the dead-letter queue after the last attempt (34 messages).",
    ),
    # -- on_reply --------------------------------------------------------------------------------
    *[
        r
        for code in ("AE", "AR")
        for r in (
            row(
                f"strategy.on_reply.{code}",
                "nak",
                f"strategy.on_reply.{code}=retry",
                Is("messages.dead_lettered", 0),
                Up("queues.lab.peak_backlog", by=2000),
                base=(f"faults.0.code={code}", f"strategy.on_reply.{code}=dead-letter"),
                option="retry",
                why=f"""
                A negative ACK ({code}) is retried: the poisoned message is resent forever,
                holding the lab's one connection through every backoff, and the lab plugs
                (nothing is given up).
                """,
            ),
            row(
                f"strategy.on_reply.{code}",
                "nak",
                f"strategy.on_reply.{code}=park",
                Is("messages.dead_lettered", 0),
                Up("ts:parked", by=0, none_is=0),
                Down("queues.lab.peak_backlog", by=2000),
                base=(f"faults.0.code={code}", f"strategy.on_reply.{code}=retry"),
                option="park",
                why=f"""
                {code} parks the message: set aside (its connection freed) and back at the
                tail after `first`, so the lab keeps flowing around the poisoned message.
                """,
            ),
            row(
                f"strategy.on_reply.{code}",
                "nak",
                f"strategy.on_reply.{code}=dead-letter",
                Is("messages.dead_lettered", 1),
                Down("queues.lab.peak_backlog", by=2000),
                base=(f"faults.0.code={code}", f"strategy.on_reply.{code}=retry"),
                option="dead-letter",
                why=f"{code} gives the poisoned message up at once: exactly one dead letter, "
                "and no plug.",
            ),
            row(
                f"strategy.on_reply.{code}",
                "nak",
                f"strategy.on_reply.{code}=suspend",
                Is("events:channel-suspended", 1),
                Down("sends", by=200),
                Up("messages.queued_at_end", by=2000),
                base=(f"faults.0.code={code}", f"strategy.on_reply.{code}=dead-letter"),
                option="suspend",
                why=f"""
                {code} stops the channel until an analyst restarts it: with no analyst it stays
                stopped, nothing more is sent and everything after the poison waits.
                """,
            ),
        )
    ],
    row(
        "strategy.on_reply.timeout",
        "outage",
        "strategy.on_reply.timeout=retry",
        Is("messages.dead_lettered", 0),
        Within("resends", _resends(10) - 1, _resends(10) + 1),
        base="strategy.on_reply.timeout=dead-letter",
        option="retry",
        why="A timed-out send is retried after the backoff (80 resends in the outage).",
    ),
    row(
        "strategy.on_reply.timeout",
        "outage",
        "strategy.on_reply.timeout=park",
        Is("messages.dead_lettered", 0),
        Up("ts:parked", by=0),
        Within("resends", _resends(0) - 1, _resends(0) + 1),
        option="park",
        why="""
        A timeout parks the message, freeing the connection at once: the next message is sent
        straight away (a send every 5 s, 240 in the outage) and the parked ones come back.
        """,
    ),
    row(
        "strategy.on_reply.timeout",
        "outage",
        "strategy.on_reply.timeout=dead-letter",
        Within("messages.dead_lettered", OUTAGE_S / TIMEOUT_S - 1, OUTAGE_S / TIMEOUT_S + 1),
        option="dead-letter",
        why="Every timed-out send is given up at once: one message every 5 s of the outage (240).",
    ),
    row(
        "strategy.on_reply.timeout",
        "outage",
        "strategy.on_reply.timeout=suspend",
        Is("events:channel-suspended", 1),
        Up("messages.queued_at_end", by=3000),
        option="suspend",
        why="The first timeout stops the channel; nobody restarts it, so it never sends again.",
    ),
    # -- breaker, drain, expire ------------------------------------------------------------------
    row(
        "strategy.breaker.after",
        "outage",
        "strategy.breaker.after=3",
        Is("events:breaker-open", 0, of="base"),
        Up("events:breaker-open", by=10),
        Down("resends", by=30),
        base="strategy.breaker={after: 1000, open: 1min}",
        why="""
        Open after `after` consecutive failures: 3 are reached at once in the outage (1000
        never), and while open for a minute nothing is sent, so fewer sends time out.
        """,
    ),
    row(
        "strategy.breaker.open",
        "outage",
        "strategy.breaker.open=5min",
        Down("events:breaker-open", by=8),
        Down("resends", by=5),
        base="strategy.breaker={after: 3, open: 1min}",
        why="Open for longer, the breaker opens fewer times in the outage and lets fewer "
        "probes fail.",
    ),
    row(
        "strategy.breaker.open",
        "outage",
        "strategy.breaker={after: 2, open: 10s}",
        Is("messages.queued_at_end", 0),
        Is("events:breaker-closed", 1),
        base=(
            "flows.orders.rate=1/min",
            "horizon=3h",
            "faults.0.for=10min",
            "strategy.drain={rate: 2/min}",
        ),
        why="""
        After `open` the breaker is half-open with one probe: with a drain of 2/min on a flow
        of 1/min, the probe goes when the drain admits it, succeeds, closes the breaker, and
        the 10-minute outage's backlog is long gone at the 3 h horizon.
        """,
    ),
    row(
        "strategy.drain.rate",
        "one",
        "strategy.drain.rate=0.5/s",
        Within("messages.delivered", 1700, 1801),
        Is("messages.delivered", 3678, of="base"),
        base=("systems.lab.ack=constant(100ms)", "strategy.drain={rate: 100/s}"),
        why="A token bucket on the channel's sends: at most 0.5 a second, 1800 in the hour, "
        "from 3678 arrivals.",
    ),
    row(
        "strategy.expire.after",
        "outage",
        "strategy.expire.after=5min",
        Is("messages.expired", 0, of="base"),
        Within("messages.expired", 900 - 150, 900 + 150 + 60),
        base="strategy.expire={after: 4h}",
        why="""
        A message waiting longer than `after` leaves for paper: of the messages that arrive in
        the 20-minute outage, those of its first 15 minutes (900 at 1/s, 5 Poisson sigmas
        either side) pass 5 minutes before the lab is back, plus at most a minute of the
        drain (the rule runs at each sample).
        """,
    ),
    row(
        "strategy.expire.after",
        "outage",
        "strategy.expire.after=10min",
        Within("messages.expired", 600 - 125, 600 + 125 + 60),
        base="strategy.expire={after: 4h}",
        why="With 10 minutes, those of the outage's first 10 minutes (600).",
    ),
    row(
        "strategy.expire.after",
        "nak",
        "strategy.expire.after=5min",
        Is("messages.expired", 1),
        Is("events:fault-end", 1),
        Within("recovery_time_s", 0, 1800),
        base=("strategy.on_reply.AE=park", "strategy.expire={after: 4h}"),
        why="""
        A poison message ends when it is fixed or given up: parked between its refusals, the
        poisoned message expires after 5 minutes, which ends the fault, so the lab (which kept
        flowing) has a recovery time instead of "never back at its normal level".
        """,
    ),
    row(
        "strategy.expire.to",
        "paper",
        "strategy.expire={after: 20min, to: paper}",
        Up("messages.expired", by=1000),
        Up("staff_hours.clerks", by=1.0),
        option="paper",
        why="""
        Expired messages go to the paper fallback: each is back-entered by a clerk (15 s each:
        the 2 clerks work hours more).
        """,
    ),
]
