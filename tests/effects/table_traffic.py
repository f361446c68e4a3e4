"""Effect rows: the scenario's own keys (name, horizon, profile, limits...) and its flows."""

from __future__ import annotations

from sim.scenario import PROFILES
from tests.effects.engine import (
    Delta,
    Differs,
    Flagged,
    Holds,
    Is,
    Row,
    Same,
    Up,
    Validates,
    Variant,
    Within,
    row,
)


def _hour0(profile: str) -> float:
    """Arrivals in the first hour at 1/s under a named profile: 3600 x its hour 0 / its mean."""
    shape = PROFILES[profile]
    return 3600.0 * shape[0] / (sum(shape) / len(shape))


def _poisson(mean: float) -> tuple[float, float]:
    """A Poisson count's 5-sigma band around its mean."""
    return mean - 5 * mean**0.5, mean + 5 * mean**0.5


def _profile_rows(key: str, sets: str) -> list[Row]:
    rows = []
    for name in PROFILES:
        lo, hi = _poisson(_hour0(name))
        base = "profile=lab" if name == "flat" else "profile=flat"
        rows.append(
            row(
                key,
                "one",
                sets.format(name),
                Within("messages.created", lo, hi),
                option=name,
                base=base,
                why=f"""
                A profile shapes the day without changing its volume: from midnight, the first
                hour carries 3600 x p[0] / mean(p) messages at 1/s ({_hour0(name):.0f} under
                {name}), within 5 Poisson sigmas.
                """,
            )
        )
    return rows


ROWS: list[Row] = [
    # -- the scenario's own keys ---------------------------------------------------------------
    row(
        "name",
        "one",
        "name=renamed",
        Is("scenario", "renamed"),
        Same("*"),
        why="The id of the scenario and its results folder: summary.scenario, nothing else "
        "(random streams are derived from the seed, not the name).",
    ),
    row(
        "title",
        "one",
        "title=A title for plots",
        Same("*"),
        why="Informative (one line for tables and plots): no figure may move.",
    ),
    row(
        "partial",
        "topology",
        (),
        Validates(base_ok=False, change_ok=True),
        world2="topology-partial",
        why="""
        A file meant only to be extended: validate checks its keys but not completeness. The
        same incomplete topology fails validation without `partial: true` and passes with it.
        """,
    ),
    row(
        "extends",
        "one",
        (),
        Same("messages.created"),
        Up("latency_s.orders.routine.mean", by=0.2),
        world2="child",
        why="""
        Files named by `extends` are merged first, then this file over them: the child keeps
        its parent's flow (same arrivals, same count) and replaces only the lab's ACK time
        (500 ms -> 800 ms), so latency rises by at least the 300 ms.
        """,
    ),
    row(
        "extends",
        "one",
        (),
        Holds(
            "the shipped topology's systems are there", lambda b, c: "labka" in c.summary["queues"]
        ),
        world2="shipped-child",
        why="""
        A relative path is looked up beside the file first, then among the shipped scenarios,
        with or without `.yaml`: `topologies/capital-region` works from any directory (these
        worlds live in a temporary one).
        """,
    ),
    row(
        "seed",
        "one",
        "seed=2",
        Differs("messages.created"),
        Differs("latency_s.orders.routine.mean"),
        why="The root of every random stream: another seed draws other arrivals.",
    ),
    row(
        "start",
        "one",
        "start=2026-01-05T07:00",
        Up("messages.created", ratio=5.0),
        base="profile=lab",
        why="""
        The calendar anchor for profiles: under the lab profile, the hour from 07:00 carries
        2.88 x the mean rate and the hour from midnight 0.36 x: eight times as many messages.
        """,
    ),
    row(
        "horizon",
        "one",
        "horizon=2h",
        Up("messages.created", ratio=1.8),
        Is("ts#rows", 121),
        Is("ts#rows", 61, of="base"),
        why="Simulated time: twice the horizon creates about twice the messages, and the "
        "backlog is sampled every minute up to it (61 -> 121 samples, both ends included).",
    ),
    row(
        "warmup",
        "one",
        "warmup=30min",
        Same("messages.created"),
        Within("latency_s.orders.routine.count", 1600, 2000),
        Is("latency_s.orders.routine.count", 3678, of="base"),
        why="""
        Messages created before the warm-up are left out of latency statistics (and nothing
        else): the same 3678 messages are created, only those of the second half hour
        (about 1800) are counted.
        """,
    ),
    row(
        "replications",
        "one",
        "replications=3",
        Is("replications", 3),
        Holds(
            "ci95 of messages.created is an interval [lo, hi] with lo < hi",
            lambda b, c: (lambda ci: isinstance(ci, list) and ci[0] < ci[1])(
                c.summary["ci95"]["messages"]["created"]
            ),
        ),
        Is("ci95", {}, of="base"),
        why="Independent runs: the summary is their mean and ci95 holds each figure's "
        "interval (empty with one replication).",
    ),
    row(
        "profile",
        "one",
        "profile=[2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        Within("messages.created", *_poisson(3600 * 2 / (25 / 24))),
        why="24 numbers used relative to their mean: hour 0 carries 2 / (25/24) = 1.92 x the "
        "mean rate.",
    ),
    *_profile_rows("profile", "profile={}"),
    row(
        "week",
        "one",
        "week=[0.5, 1, 1, 1, 1, 1, 1]",
        Within("messages.created", *_poisson(1800)),
        why="Day-of-week multipliers, Monday first: the default start is a Monday, so its "
        "volume is halved.",
    ),
    row(
        "sample_every",
        "one",
        "sample_every=5min",
        Is("ts#rows", 13),
        Is("ts#rows", 61, of="base"),
        why="The step at which backlogs are sampled: 1 h / 5 min + 1 samples.",
    ),
    row(
        "limits.messages",
        "one",
        "limits.messages=1000",
        Is("complete", False),
        Is("complete", True, of="base"),
        Holds("the stop names limits.messages", lambda b, c: "limits.messages" in c.stop_reason),
        why="A run that creates more than limits.messages stops at the guard, incomplete.",
    ),
    row(
        "limits.queued",
        "outage",
        "limits.queued=100",
        Is("complete", False),
        Is("complete", True, of="base"),
        Holds("the stop names limits.queued", lambda b, c: "limits.queued" in c.stop_reason),
        why="The outage queues about 1200 messages: above limits.queued the run stops, incomplete.",
    ),
    row(
        "limits.wall",
        "outage",
        "limits.wall=1ms",
        Is("complete", False),
        Is("complete", True, of="base"),
        Holds("the stop names the wall clock", lambda b, c: "wall-clock" in c.stop_reason),
        why="A run longer than the wall-clock limit stops at the next sample, incomplete "
        "(the outage world takes tens of milliseconds).",
    ),
    row(
        "patients",
        "one",
        "patients=1",
        Up("queues.lab.wait_s.mean", by=0.15),
        base=("strategy.order=per-patient", "systems.lab.connections=4"),
        why="""
        Per-patient order is parallel across patients, in order within one. With one patient
        every message waits for the one before: 4 connections act as 1, an M/D/1 queue at
        0.5 whose mean wait is 0.25 s, against nearly none with 4.
        """,
    ),
    # -- flows ----------------------------------------------------------------------------------
    row(
        "flows.*.from",
        "sender",
        "flows.reports.from=lab",
        Up("ts:outbound.lab", by=1000, none_is=0),
        Up("latency_s.reports.routine.max", by=1000),
        why="""
        The sender: a system-outage keeps what the system sends in its outbox. The lab is down
        for 20 minutes; when it sends the reports, about 1200 wait in its outbound queue and
        the oldest waits the whole outage; when the radiology system sends them, none do.
        """,
    ),
    row(
        "flows.*.to",
        "two",
        "flows.rad-orders.to=lab",
        Is("queues.rad", None),
        Up("queues.lab.backlog_hours", ratio=1.8),
        why="The receiver: both flows now go to the lab; the radiology queue disappears and "
        "the lab's backlog-hours double.",
    ),
    row(
        "flows.*.message",
        "one",
        "flows.orders.message=OML^O21",
        Same("*"),
        why="Informative (the HL7/MedCom type): no figure may move.",
    ),
    row(
        "flows.*.rate",
        "one",
        "flows.orders.rate=2/s",
        Within("messages.created", *_poisson(7200)),
        why="A Poisson rate: 2/s for an hour is 7200 messages, within 5 sigmas.",
    ),
    row(
        "flows.*.trace",
        "burst",
        (),
        Is("messages.created", 3),
        Is("queues.lab.wait_s.mean", 0.0),
        world2="csvtrace",
        why="""
        A replay instead of `rate`: exactly the CSV's three rows, 20 s apart, so that with
        10-second ACKs none waits (the inline trace of the baseline queues four).
        """,
    ),
    row(
        "flows.*.trace[].time",
        "burst",
        "flows.orders.trace.3.time=45",
        Is("queues.lab.wait_s.mean", 6.75, tol=0.01),
        Is("queues.lab.wait_s.mean", 13.5, tol=0.01, of="base"),
        why="""
        Arrivals at 0, 1, 2, 3 s on a connection busy 10 s per message wait 0, 9, 18, 27 s
        (mean 13.5); moving the last to 45 s, after the queue has emptied at 40 s, it waits 0
        (mean 6.75).
        """,
    ),
    *[
        row(
            "flows.*.trace[].priority",
            "burst",
            f"flows.orders.trace.3.priority={cls}",
            Is(f"latency_s.orders.{cls}.max", 17.001, tol=0.01),
            Is(f"latency_s.orders.{cls}.count", 1),
            base="strategy.discipline=priority",
            option=cls,
            why=f"""
            The row's class ({cls}): under the priority discipline the {cls} message created at
            3 s goes next when the first send ends at 10.001 s, so it is delivered at 20.001 s:
            17.001 s after it was created.
            """,
        )
        for cls in ("stat", "urgent")
    ],
    row(
        "flows.*.trace[].priority",
        "burst",
        "flows.orders.trace.3.priority=routine",
        Is("latency_s.orders.stat", None),
        Is("latency_s.orders.routine.max", 37.001, tol=0.01),
        base=("strategy.discipline=priority", "flows.orders.trace.3.priority=stat"),
        option="routine",
        why="Back to routine, the last message waits behind the other three (37.001 s) and "
        "no stat message is left.",
    ),
    row(
        "flows.*.trace[].patient",
        "burst",
        "flows.orders.trace.1.patient=1",
        Is("queues.lab.wait_s.mean", 9.0 / 4, tol=0.01),
        Is("queues.lab.wait_s.mean", 0.0, tol=0.001, of="base"),
        base=("strategy.order=per-patient", "systems.lab.connections=4"),
        why="""
        Per-patient order on 4 connections: four patients go at once (no wait); when the
        message at 1 s is of the first message's patient, it waits until that one is
        delivered at 10.001 s: 9 s of wait over 4 messages.
        """,
    ),
    row(
        "flows.*.profile",
        "one",
        "flows.orders.profile=[2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
        "1, 1, 1]",
        Within("messages.created", *_poisson(3600 * 2 / (25 / 24))),
        why="A flow's own profile overrides the top-level one (flat here).",
    ),
    *_profile_rows("flows.*.profile", "flows.orders.profile={}"),
    row(
        "flows.*.week",
        "one",
        "flows.orders.week=[0.5, 1, 1, 1, 1, 1, 1]",
        Within("messages.created", *_poisson(1800)),
        why="A flow's own week overrides the top-level one: Monday's volume halved.",
    ),
    row(
        "flows.*.priority",
        "one",
        "flows.orders.priority={stat: 1}",
        Holds(
            "every message is stat",
            lambda b, c: (
                c.summary["latency_s"]["orders"]["stat"]["count"]
                == c.summary["messages"]["delivered"]
            ),
        ),
        Is("latency_s.orders.routine", None),
        why="The class of each new message: all stat, no routine.",
    ),
    row(
        "flows.*.deadline",
        "orders",
        "flows.orders.deadline.routine=5min",
        Is("late.routine", 0, of="base"),
        Up("late.routine", by=4000),
        Is("late_share.routine", 1.0),
        why="""
        Order-to-result deadline per class: results come 10 minutes after delivery, so with a
        5-minute deadline every decided routine order is late (share 1); with 4 hours none is.
        """,
    ),
    row(
        "flows.*.deadline",
        "one",
        "flows.orders.deadline={routine: 1s}",
        Flagged("flows.orders.deadline"),
        why="""
        A deadline is order-to-result: a flow without `reply` has no results, so the key can
        have no effect (late stays 0); no key may validate and do nothing silently: refused, or
        accepted with a warning that names it.
        """,
    ),
    row(
        "flows.*.priority",
        "orders",
        "flows.results.priority={stat: 1}",
        Flagged("flows.results.priority"),
        why="""
        Results carry the class of their order, so a reply-only flow's own priority share
        changes nothing (the same 1013 stat and 4180 routine results); it must not pass
        silently.
        """,
    ),
    row(
        "flows.*.reply.flow",
        "orders",
        "flows.orders.reply.flow=results2",
        Up("latency_s.results2.routine.count", by=3000, none_is=0),
        Is("latency_s.results.routine", None),
        base="flows.results2={from: lab, to: ehr}",
        why="The flow the results travel on: they move from `results` to `results2`.",
    ),
    row(
        "flows.*.reply.count",
        "orders",
        "flows.orders.reply.count=3",
        Up("latency_s.results.routine.count", ratio=2.5),
        why="Mean results per order (1 + Poisson(count - 1)): three times the results, less "
        "those still due at the horizon.",
    ),
    row(
        "flows.*.reply.after",
        "orders",
        "flows.orders.reply.after=constant(30min)",
        Delta("order_to_result_s.orders.routine.mean", 1200.0, tol=1.0),
        why="The time from an order's delivery to its first result: 20 minutes more, on an "
        "idle engine, is 1200 s more order-to-result.",
    ),
    row(
        "flows.*.reply.after",
        "orders",
        "flows.orders.reply.after={stat: constant(5min), routine: constant(30min)}",
        Delta("order_to_result_s.orders.stat.mean", -300.0, tol=1.0),
        Delta("order_to_result_s.orders.routine.mean", 1200.0, tol=1.0),
        why="Per class: stat results 5 minutes sooner, routine 20 minutes later.",
    ),
    row(
        "compare",
        "one",
        (),
        Same("*"),
        Variant("slow", (Up("latency_s.orders.routine.mean", by=0.1),)),
        world2="compared",
        why="""
        An overlay on the whole scenario, run by `compare`: it leaves the baseline's own run
        alone, and its variant (the lab's ACK at 600 ms instead of 500 ms) is slower.
        """,
    ),
]
