"""A team's call-outs, driven directly: a team at rest is called out by its first task (once it
is on call), is on the job `respond` later, takes every task that comes while work remains, and
is at rest again when the last task is done and none waits; each call-out bills one `respond`,
and work under way counts up to now (format: staff, `respond`, `start_on_alert`, `staff_hours`;
sim/model/people.py).  Every duration is constant, so every time and every second is exact.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import simpy

from sim.experiments.run import replicate
from sim.model.people import Team
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation


class Log:
    """When each task was over, by label: `done` callbacks that write here."""

    def __init__(self) -> None:
        self.over: list[tuple[str, float | None]] = []

    def done(self, label: str) -> Callable[[float], None]:
        return lambda t: self.over.append((label, t))


def at(env: simpy.Environment, t: float, action: Callable[[], None]) -> None:
    """Do `action` at simulated time `t`."""
    env.timeout(t - env.now).callbacks.append(lambda _ev: action())


class TestOneCallOutPerRest:
    def test_a_call_out_bills_one_respond_and_the_team_rests_when_the_work_is_done(
        self,
    ) -> None:
        """Two analysts, respond 15 min.  A task at 0 calls them out; one coming at 300 s,
        during the call-out, does not call them again: both start at 900 s and end at 960 s
        (900 + 60 + 60 s billed).  At rest after that, a task at 2000 s is a new call-out: it
        ends at 2000 + 900 + 60 s, and the hours are two responds and three tasks."""
        env = simpy.Environment()
        team = Team(env, "analysts", 2, respond=900.0)
        log = Log()
        team.add(2, "a", 60.0, log.done("a"))
        assert team.working
        at(env, 300.0, lambda: team.add(2, "b", 60.0, log.done("b")))
        env.run(until=450.0)
        assert team.worked_s(450.0) == 450.0  # the call-out under way, since 0 s
        assert log.over == []
        env.run(until=1500.0)
        assert log.over == [("a", 960.0), ("b", 960.0)]
        assert team.last_done == 960.0
        assert not team.working
        assert team.worked_s(1500.0) == 1020.0
        at(env, 2000.0, lambda: team.add(2, "c", 60.0, log.done("c")))
        env.run(until=2500.0)
        assert log.over[2:] == []
        assert team.worked_s(2500.0) == 1020.0 + 500.0  # finished work + the call-out so far
        env.run(until=5000.0)
        assert log.over[2:] == [("c", 2960.0)]
        assert team.last_done == 2960.0
        assert team.worked_s(5000.0) == 2 * 900.0 + 3 * 60.0

    def test_a_task_coming_while_the_team_works_starts_at_once(self) -> None:
        """Two analysts on the job, one busy until 1900 s: a task at 1000 s goes to the idle
        one at once (no new call-out), ending at 1060 s."""
        env = simpy.Environment()
        team = Team(env, "analysts", 2, respond=900.0)
        log = Log()
        team.add(2, "long", 1000.0, log.done("long"))
        at(env, 1000.0, lambda: team.add(2, "short", 60.0, log.done("short")))
        env.run(until=3000.0)
        assert log.over == [("short", 1060.0), ("long", 1900.0)]
        assert team.worked_s(3000.0) == 900.0 + 1000.0 + 60.0

    def test_a_respond_of_one_second_is_a_call_out(self) -> None:
        """A short respond still delays the first task by exactly that much, and is billed."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1, respond=1.0)
        log = Log()
        team.add(0, "a", 60.0, log.done("a"))
        env.run(until=100.0)
        assert log.over == [("a", 61.0)]
        assert team.worked_s(100.0) == 61.0

    def test_every_task_gone_during_the_call_out_ends_the_work_at_its_end(self) -> None:
        """The only task stops being needed during the call-out: the analyst arrives at 900 s,
        finds nothing to do (the task is over then, with no time spent on it), and the work is
        done at 900 s: only the call-out is billed."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1, respond=900.0)
        log = Log()
        needed = {"a": True}
        team.add(0, "a", 600.0, log.done("a"), lambda: needed["a"])
        at(env, 300.0, lambda: needed.update(a=False))
        env.run(until=2000.0)
        assert log.over == [("a", 900.0)]
        assert team.last_done == 900.0
        assert not team.working
        assert team.worked_s(2000.0) == 900.0


class TestOnCall:
    def test_a_team_not_on_call_waits_for_its_call(self) -> None:
        """start_on_alert: the task waits, unbilled, until the team is called at 1000 s; a
        second call during the call-out changes nothing."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1, respond=900.0, on_call=False)
        log = Log()
        team.add(0, "a", 60.0, log.done("a"))
        env.run(until=500.0)
        assert team.working
        assert not team.on_call
        assert team.worked_s(500.0) == 0.0
        at(env, 1000.0, team.call)
        at(env, 1100.0, team.call)
        env.run(until=3000.0)
        assert team.on_call
        assert log.over == [("a", 1960.0)]
        assert team.worked_s(3000.0) == 960.0

    def test_a_team_with_the_defaults_is_on_call_with_no_call_out(self) -> None:
        """Clerks have no `respond`: the team's defaults put the first task in hand at once."""
        env = simpy.Environment()
        team = Team(env, "clerks", 1)
        log = Log()
        at(env, 10.0, lambda: team.add(0, "a", 180.0, log.done("a")))
        env.run(until=100.0)
        assert team.worked_s(100.0) == 90.0
        env.run(until=1000.0)
        assert log.over == [("a", 190.0)]
        assert team.worked_s(1000.0) == 180.0

    def test_a_team_that_has_done_nothing(self) -> None:
        """No work yet: nothing billed, nothing left, no time of last work."""
        team = Team(simpy.Environment(), "clerks", 3)
        assert team.last_done is None
        assert not team.working
        assert team.worked_s(50.0) == 0.0


NOT_CALLED = """
name: not-called
horizon: 2h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
strategy:
  retry: {backoff: fixed, first: 1min, attempts: 3, then: dead-letter}
staff:
  analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: true}
  clerks: {count: 2, back_entry: constant(3min), reconcile: constant(90s)}
faults:
  - {kind: poison-message, target: lab, at: +30min}
"""


class TestInAWorld:
    def test_work_waiting_for_a_call_is_named_by_its_team(self, world_of: MakeWorld) -> None:
        """The poison message is given up (dead-lettered) and its reprocessing waits for a call
        that never comes (no alert): the people's recovery is null, and events.csv names the
        team; the clerks, who never had work, are no obstacle."""
        rep = replicate(world_of(NOT_CALLED).scenario, 0)
        assert rep.summary["people_recovery_time_s"] is None
        assert rep.summary["staff_hours"] == {"analysts": 0.0, "clerks": 0.0}
        assert [e.detail for e in rep.events if e.kind == "not-recovered"] == [
            "the analysts' work is waiting for a call (no alert) at the horizon"
        ]

    def test_a_team_with_nothing_to_do_is_done_when_the_faults_end(
        self, world_of: MakeWorld
    ) -> None:
        """An outage that needs nobody, with both teams staffed: the people are done at its end."""
        text = NOT_CALLED.replace(
            "{kind: poison-message, target: lab, at: +30min}",
            "{kind: system-outage, target: lab, at: +30min, for: 10min}",
        ).replace("attempts: 3, then: dead-letter", "attempts: 100")
        rep = replicate(world_of(text).scenario, 0)
        assert rep.summary["people_recovery_time_s"] == 0.0
        assert rep.summary["staff_hours"] == {"analysts": 0.0, "clerks": 0.0}
