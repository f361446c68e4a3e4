"""`people_recovery_time_s`: null, with a reason in events.csv, when the people's work is not
done by the horizon or can never be done; a number when it is done."""

from __future__ import annotations

import pytest

from sim.experiments.run import ReplicationResult, replicate
from tests.model.conftest import MakeWorld

POISON = """
name: people-recovery
horizon: 3h
sample_every: 30s
flows:
  lab-orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
strategy:
  order: strict
  retry: {backoff: fixed, first: 1min}
STAFF
faults:
  - {kind: poison-message, target: lab, at: +30min}
"""
ANALYSTS = (
    "staff:\n  analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: false}"
)

pytestmark = pytest.mark.mutation


def run(world_of: MakeWorld, text: str, sets: tuple[str, ...] = ()) -> ReplicationResult:
    """One replication of a scenario text."""
    return replicate(world_of(text, sets=sets).scenario, 0)


def reasons(rep: ReplicationResult) -> list[str]:
    """The reasons given in events.csv for the people's work not being done."""
    return [e.detail for e in rep.events if e.kind == "not-recovered" and e.target == "people"]


class TestNoOneCanDoIt:
    def test_a_poison_message_with_no_analysts_is_never_fixed(self, world_of: MakeWorld) -> None:
        """No analysts: the poison message plugs the lab to the horizon; the people's work is
        not done (null), and events.csv says why."""
        rep = run(world_of, POISON.replace("STAFF", ""))
        assert rep.summary["messages"]["queued_at_end"] > 1000
        assert rep.summary["people_recovery_time_s"] is None
        assert reasons(rep) == ["the poison-message fault on lab has not ended: no analysts"]

    def test_dead_letters_with_no_analysts(self, world_of: MakeWorld) -> None:
        """Given up to the dead-letter queue and nobody to reprocess it: null, with the reason."""
        sets = ("strategy.retry={backoff: fixed, first: 1min, attempts: 3, then: dead-letter}",)
        rep = run(world_of, POISON.replace("STAFF", ""), sets)
        assert rep.summary["messages"]["dead_lettered"] == 1
        assert rep.summary["people_recovery_time_s"] is None
        assert reasons(rep) == ["1 dead-lettered message on lab: no analysts"]


class TestNotDoneByTheHorizon:
    def test_a_fix_under_way_at_the_horizon(self, world_of: MakeWorld) -> None:
        """The analyst is still on the fix at the horizon: null, work left at the horizon."""
        text = POISON.replace("STAFF", ANALYSTS).replace("horizon: 3h", "horizon: 50min")
        rep = run(world_of, text)
        assert rep.summary["people_recovery_time_s"] is None
        assert reasons(rep) == [
            "the poison-message fault on lab has not ended by the horizon",
        ]

    def test_analysts_never_called(self, world_of: MakeWorld) -> None:
        """start_on_alert without an alert: the fix waits forever for its call-out."""
        text = POISON.replace("STAFF", ANALYSTS.replace("false", "true"))
        rep = run(world_of, text)
        assert rep.summary["people_recovery_time_s"] is None
        assert reasons(rep) == [
            "the poison-message fault on lab has not ended by the horizon",
        ]


class TestDone:
    def test_the_fix_ends_the_work(self, world_of: MakeWorld) -> None:
        """Fixed after the call-out: the poison fault ends at the fix and the people are done
        then (0 s), and no reason is written."""
        rep = run(world_of, POISON.replace("STAFF", ANALYSTS))
        assert rep.summary["people_recovery_time_s"] == pytest.approx(0.0)
        assert reasons(rep) == []

    def test_nothing_for_people_to_do(self, world_of: MakeWorld) -> None:
        """An outage that needs nobody: the people's work is done when the fault ends (0 s)."""
        text = POISON.replace("STAFF", "").replace(
            "{kind: poison-message, target: lab, at: +30min}",
            "{kind: system-outage, target: lab, at: +30min, for: 10min}",
        )
        rep = run(world_of, text)
        assert rep.summary["people_recovery_time_s"] == pytest.approx(0.0)
        assert reasons(rep) == []
