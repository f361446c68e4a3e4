"""A team's tasks, driven directly: `count` people, each on one task at a time, take waiting tasks
by priority, then arrival; a task no longer needed when someone reaches it is over at once with
no time spent on it; work under way is billed up to now (format: staff, "in that order of
priority", `staff_hours`; sim/model/people.py).  Every duration is constant, so times are exact.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import simpy

from sim.model.people import FIX_POISON, REPROCESS, RESTART_CHANNEL, Team
from sim.rng import Sampler

pytestmark = pytest.mark.mutation


class Log:
    """When each task was over, by label: `done` callbacks that write here."""

    def __init__(self) -> None:
        self.over: list[tuple[str, float | None]] = []

    def done(self, label: str) -> Callable[[float], None]:
        return lambda t: self.over.append((label, t))


def constant(seconds: float) -> Sampler:
    """A sampler that always draws `seconds` (as a scenario's `constant(...)` does)."""
    return Sampler(lambda n: np.full(n, seconds))


def at(env: simpy.Environment, t: float, action: Callable[[], None]) -> None:
    """Do `action` at simulated time `t`."""
    env.timeout(t - env.now).callbacks.append(lambda _ev: action())


class TestOrder:
    def test_the_analysts_priorities(self) -> None:
        """Fix a poison message, then restart a channel, then reprocess (lower goes first)."""
        assert FIX_POISON < RESTART_CHANNEL < REPROCESS

    def test_one_person_takes_tasks_by_priority_then_arrival(self) -> None:
        """One clerk (no call-out): the first task is in hand the moment it comes, so tasks
        coming at the same instant wait for it; then priority 0, 1, and the two of priority 2
        in the order they came.  Durations drawn from a sampler or given as numbers alike."""
        env = simpy.Environment()
        team = Team(env, "clerks", 1)
        log = Log()
        team.add(2, "first", 60.0, log.done("first"))
        team.add(2, "b", constant(30.0), log.done("b"))
        team.add(0, "c", 60.0, log.done("c"))
        team.add(2, "d", 60.0, log.done("d"))
        team.add(1, "e", constant(90.0), log.done("e"))
        env.run(until=1000.0)
        assert log.over == [("first", 60.0), ("c", 120.0), ("e", 210.0), ("b", 240.0), ("d", 300.0)]
        assert team.last_done == 300.0
        assert team.worked_s(1000.0) == 300.0

    def test_two_people_work_two_tasks_at_a_time(self) -> None:
        """Two clerks, three tasks of 100 s at 0 s: two at once, the third after."""
        env = simpy.Environment()
        team = Team(env, "clerks", 2)
        log = Log()
        for name in "abc":
            team.add(0, name, 100.0, log.done(name))
        env.run(until=1000.0)
        assert log.over == [("a", 100.0), ("b", 100.0), ("c", 200.0)]
        assert team.worked_s(1000.0) == 300.0


class TestBilling:
    def test_tasks_under_way_count_up_to_now(self) -> None:
        """Two clerks: tasks of 100 s from 0 s and from 30 s.  At 50 s, 50 + 20 s are worked;
        after both, 200 s."""
        env = simpy.Environment()
        team = Team(env, "clerks", 2)
        log = Log()
        team.add(0, "a", 100.0, log.done("a"))
        at(env, 30.0, lambda: team.add(0, "b", 100.0, log.done("b")))
        env.run(until=50.0)
        assert team.worked_s(50.0) == 70.0
        assert team.working
        env.run(until=500.0)
        assert log.over == [("a", 100.0), ("b", 130.0)]
        assert team.worked_s(500.0) == 200.0
        assert not team.working


class TestNoLongerNeeded:
    def test_a_task_no_longer_needed_is_over_at_once_and_the_next_starts(self) -> None:
        """One analyst on `a` until 60 s; `b` (first by priority) stops being needed at 30 s:
        at 60 s it is over with no time spent, and `c` starts then."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1)
        log = Log()
        needed = {"b": True}
        team.add(REPROCESS, "a", 60.0, log.done("a"))
        team.add(FIX_POISON, "b", 60.0, log.done("b"), lambda: needed["b"])
        team.add(RESTART_CHANNEL, "c", 60.0, log.done("c"), lambda: True)
        at(env, 30.0, lambda: needed.update(b=False))
        env.run(until=1000.0)
        assert log.over == [("a", 60.0), ("b", 60.0), ("c", 120.0)]
        assert team.worked_s(1000.0) == 120.0
        assert team.last_done == 120.0

    def test_the_last_task_no_longer_needed_ends_the_work(self) -> None:
        """The only waiting task stops being needed: it is over when `a` ends, and the team
        rests (the next task is a new call-out: here immediate, the team has no respond)."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1)
        log = Log()
        needed = {"b": True}
        team.add(REPROCESS, "a", 60.0, log.done("a"))
        team.add(REPROCESS, "b", 60.0, log.done("b"), lambda: needed["b"])
        assert team.working
        at(env, 30.0, lambda: needed.update(b=False))
        env.run(until=100.0)
        assert log.over == [("a", 60.0), ("b", 60.0)]
        assert not team.working
        at(env, 200.0, lambda: team.add(REPROCESS, "c", 60.0, log.done("c")))
        env.run(until=1000.0)
        assert log.over[2:] == [("c", 260.0)]
        assert team.worked_s(1000.0) == 120.0

    def test_a_waiting_task_no_longer_needed_does_not_count_as_work_left(self) -> None:
        """Not on call, one task that has stopped being needed: no work is left."""
        env = simpy.Environment()
        team = Team(env, "analysts", 1, respond=900.0, on_call=False)
        needed = {"a": True}
        team.add(FIX_POISON, "a", 60.0, None, lambda: needed["a"])
        assert team.working
        needed["a"] = False
        assert not team.working
