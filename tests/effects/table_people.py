"""Effect rows: the paper fallback, the staff, alerts and hypotheses.

The `paper` world: orders to the lab at 0.5/s (20 % stat), results back after 10 minutes, the
lab down from 30 to 90 minutes, the fallback after 10 silent minutes, two clerks who take 15 s
per back-entry and 10 s per reconciliation. The `poison` world: a strict lab channel plugged by a
poison message at 30 minutes, one analyst (15 min to respond, 10 min to fix).
"""

from __future__ import annotations

from collections.abc import Callable

from sim import RunResult
from tests.effects.engine import Delta, Down, Holds, Is, Rejects, Row, Up, Within, row

ANALYST = "staff={analysts: {count: 1, respond: 5min, fix: constant(5min), start_on_alert: false}}"
"""One analyst, called at once, 5 minutes to respond and 5 to fix."""


def _clerk_hours(back_entry_s: float, reconcile_s: float) -> Callable[[RunResult, RunResult], bool]:
    """The clerks' hours the contract derives: a back-entry per paper order, a reconciliation
    per duplicate, all inside the horizon (a test of the changed run)."""

    def test(base: RunResult, change: RunResult) -> bool:
        s = change.summary
        m = s["messages"]
        want = (m["on_paper"] * back_entry_s + m["paper_duplicates"] * reconcile_s) / 3600
        return bool(abs(s["staff_hours"]["clerks"] - want) < 1e-3)

    return test


ROWS: list[Row] = [
    # -- fallback --------------------------------------------------------------------------------
    row(
        "fallback.trigger_after",
        "paper",
        "fallback.trigger_after=30min",
        Delta("first:fallback-on", 1200, tol=60),
        Down("messages.on_paper", by=100),
        why="""
        Per interface, no reply for this long while orders wait: the lab is silent from 30
        minutes; after 10 the fallback starts at 40, after 30 at 60 (at a sample), so fewer
        orders go on paper.
        """,
    ),
    row(
        "fallback.share",
        "paper",
        "fallback.share.routine=0.5",
        Up("messages.on_paper", ratio=2),
        why="""
        The share of new orders per class that go on paper: routine orders (80 %) from 10 % to
        50 %, so the paper orders (0.2 x 0.9 + 0.8 x share) more than double.
        """,
    ),
    row(
        "fallback.phone_delay",
        "paper",
        "fallback.phone_delay=1h",
        Delta("order_to_result_s.orders.stat.mean", (200 + 2700) / 2, tol=(2700 - 200) / 2),
        Holds(
            "paper orders are the same ones",
            lambda b, c: b.summary["messages"]["on_paper"] == c.summary["messages"]["on_paper"],
        ),
        why="""
        A paper order's result is phoned this long after the lab has it: 45 minutes more for
        each paper order (90 % of the stat orders of the fallback's hour), so the stat mean
        rises by 2700 s x the paper share of stat orders: well above 200 s, below 2700 s.
        """,
    ),
    row(
        "fallback.duplicate_risk",
        "paper",
        "fallback.duplicate_risk=0.9",
        Up("messages.paper_duplicates", ratio=2.5),
        Holds("the clerks reconcile each one", _clerk_hours(15, 10)),
        why="""
        The share of paper orders also sent electronically: three times the duplicates, each
        reconciled by a clerk.
        """,
    ),
    row(
        "fallback.start_on_alert",
        "paper",
        "fallback.start_on_alert=true",
        Within("first:fallback-on", 1800, 2160),
        Up("messages.on_paper", by=300),
        base=("fallback.trigger_after=50min", "alerts=[{queue: lab, depth_above: 100}]"),
        why="""
        true: switch on the first alert instead of the timer: the depth alert fires about two
        minutes into the outage, long before the 50-minute timer, and the interface stays on
        paper until the lab answers again.
        """,
    ),
    # -- analysts --------------------------------------------------------------------------------
    row(
        "staff.analysts.count",
        "poison2",
        "staff.analysts.count=2",
        Down("last:poison-fixed", by=500),
        Is("last:poison-fixed", 3300.8, tol=10),
        why="""
        A limited resource: with one analyst the two poison messages are fixed one after the
        other (10 minutes apart); with two, both at respond + fix after their NAKs.
        """,
    ),
    row(
        "staff.analysts.count",
        "poison",
        "staff=null",
        Is("events:poison-fixed", 0),
        Is("people_recovery_time_s", None),
        Is("people_recovery_time_s", 0.0, of="base"),
        why="""
        Without analysts nobody fixes the poison message: the people's work is never done, so
        people_recovery_time_s is null with a reason, like recovery_time_s.
        """,
    ),
    row(
        "staff.analysts.count",
        "outage",
        "staff={analysts: {count: 1, respond: 5min, fix: constant(10s), start_on_alert: false}}",
        Is("ts:parked@last", 0),
        Is("messages.queued_at_end", 0),
        Within("ts:parked@last", 100, 200, of="base"),
        base="strategy.retry={backoff: immediate, first: 6h, attempts: 2, then: park}",
        why="""
        Analysts reprocess what is still parked when they reach it: messages parked in the
        outage would return only after `first` (6 h, past the horizon); with an analyst they
        go back to the queue and are delivered (without one, about 120 stay parked). Each
        parked message is a task of its own, so the fix is short enough for all to fit.
        """,
    ),
    row(
        "staff.analysts.respond",
        "poison",
        "staff.analysts.respond=45min",
        Delta("first:poison-fixed", 1800, tol=0.001),
        why="The time to get to the task: 30 minutes more before the fix.",
    ),
    row(
        "staff.analysts.fix",
        "poison",
        "staff.analysts.fix=constant(30min)",
        Delta("first:poison-fixed", 1200, tol=0.001),
        why="The time to fix: 20 minutes more.",
    ),
    row(
        "staff.analysts.fix",
        "poison",
        "staff.analysts.fix=constant(5h)",
        Within("staff_hours.analysts", 0, (3 * 3600 - 1800) / 3600),
        why="""
        Staff hours are the time people work inside the horizon: an analyst called at 30
        minutes of a 3-hour run works at most 2.5 hours, however long the fix would take.
        """,
    ),
    row(
        "staff.analysts.start_on_alert",
        "poison",
        "staff.analysts.start_on_alert=true",
        Is("events:poison-fixed", 0),
        Is("events:poison-fixed", 1, of="base"),
        why="Analysts start on the first alert: with no alert defined they are never called, "
        "so the poison message is never fixed.",
    ),
    row(
        "staff.analysts.start_on_alert",
        "poison",
        "staff.analysts.start_on_alert=true",
        Delta("first:poison-fixed", 2160 - 1804.4, tol=1),
        base="alerts=[{queue: lab, oldest_older_than: 5min}]",
        why="""
        Called by the alert (the oldest lab message older than 5 minutes, at the sample of 36
        minutes) instead of at the NAK (30 minutes 4 s): the fix comes that much later.
        """,
    ),
    row(
        "staff.analysts.start_on_alert",
        "poison",
        "staff.analysts.start_on_alert=false",
        Is("events:poison-fixed", 1),
        base="staff.analysts.start_on_alert=true",
        why="false: the analysts are on call from the start and take the poison at once.",
    ),
    # -- clerks ----------------------------------------------------------------------------------
    row(
        "staff.clerks.count",
        "paper",
        "staff.clerks.count=1",
        Is("people_recovery_time_s", None),
        Within("people_recovery_time_s", 1800, 5400, of="base"),
        why="""
        Two clerks back-enter the 368 paper orders (and reconcile the duplicates) about an
        hour after the outage; one clerk needs 1.8 hours, more than the 1.5 hours left.
        """,
    ),
    row(
        "staff.clerks.back_entry",
        "paper",
        "staff.clerks.back_entry=constant(20s)",
        Holds("20 s per paper order, 10 s per duplicate", _clerk_hours(20, 10)),
        Holds("15 s per paper order in the baseline", lambda b, c: _clerk_hours(15, 10)(c, b)),
        why="Each paper order takes a clerk `back_entry` to enter: staff hours are exactly "
        "paper orders x back_entry + duplicates x reconcile.",
    ),
    row(
        "staff.clerks.reconcile",
        "paper",
        "staff.clerks.reconcile=constant(30s)",
        Holds("15 s per paper order, 30 s per duplicate", _clerk_hours(15, 30)),
        why="Each duplicate (a paper order also sent) takes a clerk `reconcile`.",
    ),
    # -- alerts ----------------------------------------------------------------------------------
    row(
        "alerts[].queue",
        "twoout",
        "alerts.0.queue=lab",
        Is("events:alert", 0),
        Is("time_to_detect_s", None),
        Is("events:alert@rad", 1, of="base"),
        base="alerts=[{queue: rad, depth_above: 100}]",
        why="The queue watched: radiology's outage alerts on radiology, not on the lab.",
    ),
    row(
        "alerts[].depth_above",
        "stall",
        "alerts.0.depth_above=1000",
        Delta("time_to_detect_s", 900, tol=60 + 5 * 1000**0.5),
        base="alerts=[{depth_above: 100}]",
        why="""
        Alerts on a queue deeper than this: the stall queues 1 message a second, so 1000 is
        reached 900 s after 100 (read at each 1-minute sample; Poisson noise on the counts).
        """,
    ),
    row(
        "alerts[].oldest_older_than",
        "stall",
        "alerts.0.oldest_older_than=15min",
        Delta("time_to_detect_s", 600, tol=60),
        base="alerts=[{oldest_older_than: 5min}]",
        why="Alerts when the oldest message is older than this: 10 minutes later (at a sample).",
    ),
    # -- hypotheses ------------------------------------------------------------------------------
    row(
        "hypotheses[].metric",
        "one",
        "hypotheses.0.metric=messages.created",
        Is("hypotheses.0.passed", False),
        Is("hypotheses.0.value", 3678),
        Is("hypotheses.0.passed", True, of="base"),
        base="hypotheses=[{metric: messages.lost, equals: 0}]",
        why="The figure judged: nothing is lost (0 holds), but 3678 messages are created.",
    ),
    row(
        "hypotheses[].metric",
        "one",
        "hypotheses=[{metric: queues.lab.peak_backlogg, below: 10}]",
        Rejects("peak_backlog"),
        why="A hypothesis names a figure of summary.json: a misspelt one is refused, with "
        "'did you mean'.",
    ),
    row(
        "hypotheses[].metric",
        "one",
        "hypotheses=[{metric: queues.labs.peak_backlog, below: 10}]",
        Rejects("lab"),
        why="The path is checked against the scenario's systems: `labs` is not one.",
    ),
    row(
        "hypotheses[].below",
        "one",
        "hypotheses.0.below=5000",
        Is("hypotheses.0.passed", True),
        Is("hypotheses.0.passed", False, of="base"),
        base="hypotheses=[{metric: messages.created, below: 3678}]",
        why="Holds when the figure is below the bound (strictly: 3678 is not below 3678).",
    ),
    row(
        "hypotheses[].above",
        "one",
        "hypotheses.0.above=3677",
        Is("hypotheses.0.passed", True),
        Is("hypotheses.0.passed", False, of="base"),
        base="hypotheses=[{metric: messages.created, above: 3678}]",
        why="Holds when the figure is above the bound (strictly).",
    ),
    row(
        "hypotheses[].equals",
        "one",
        "hypotheses.0.equals=1",
        Is("hypotheses.0.passed", False),
        Is("hypotheses.0.passed", True, of="base"),
        base="hypotheses=[{metric: messages.lost, equals: 0}]",
        why="Holds when the figure equals the value: no message is lost, so 0 holds and 1 "
        "does not.",
    ),
]
