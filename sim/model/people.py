"""The people in the loop: analysts and clerks, each a team working a queue of tasks.

Analysts fix poison messages, restart suspended channels and reprocess parked and dead-lettered
messages (in that order of priority); clerks back-enter paper orders and reconcile duplicates.

A team is `count` people, each on one task at a time.  A team at rest is called out by its
first task (once it is on call): `respond` later it is on the job, and its people take the
waiting tasks by priority, then arrival, and every new task as it comes.  When the last task is
done and none waits, the team is at rest again, and the next task is a new call-out.  A task
that is no longer needed when someone reaches it (its message has been delivered, given up or
has come back on its own) is over at once, with no time spent on it.

Billed time is the time people work inside the run: each task's duration, and one `respond`
per call-out (the person who takes the call; the others join as tasks come), a task or call-out
under way at the end counting up to the end only.  Everything is callbacks: tasks are few, but
so are the rules.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import simpy
from simpy.events import Timeout

# Imported at run time, not under TYPE_CHECKING: the compiled core (mypyc) evaluates a
# dataclass's annotations when the module loads.
from sim.rng import Sampler

FIX_POISON: Final = 0
RESTART_CHANNEL: Final = 1
REPROCESS: Final = 2
"""Analysts' task priorities (lower goes first)."""
BACK_ENTRY: Final = 0
RECONCILE: Final = 1
"""Clerks' task priorities."""
PRIORITIES: Final = 3
"""Priorities run from 0 to PRIORITIES - 1."""


@dataclass(order=True)
class Task:
    """A piece of work for a team."""

    priority: int
    seq: int
    label: str = field(compare=False)
    duration: Sampler | float = field(compare=False)
    done: Callable[[float], None] | None = field(compare=False, default=None)
    """Called when the task is over: worked, or dropped because it is no longer needed."""
    needed: Callable[[], bool] | None = field(compare=False, default=None)
    """Whether the task still needs doing (None: always); asked when someone reaches it."""
    started: float = field(compare=False, default=0.0)
    took: float = field(compare=False, default=0.0)


class Team:
    """`count` people working tasks by priority, then arrival, after a call-out."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        count: int,
        respond: float = 0.0,
        on_call: bool = True,
    ) -> None:
        self.env = env
        self.name = name
        self.count = count
        self.idle = count
        self.respond = respond
        self.on_call = on_call
        """False until the team is called (start_on_alert: the first alert calls it)."""
        self.engaged = False
        """Whether the team is on the job (its call-out is over and work remains)."""
        self._callout_at = -1.0
        """When the call-out under way started (-1: none is)."""
        self._tasks: list[Task] = []
        self.queued = [0] * PRIORITIES
        """Tasks not yet started, per priority (the people's queues in timeseries.csv)."""
        self._seq = 0
        self._running: dict[int, Task] = {}
        """Tasks being worked, by sequence number."""
        self.busy_s = 0.0
        """Time worked on finished tasks and call-outs, in seconds."""
        self.last_done: float | None = None
        """When someone last finished work (a task, or a call-out that found none left)."""

    def add(
        self,
        priority: int,
        label: str,
        duration: Sampler | float,
        done: Callable[[float], None] | None = None,
        needed: Callable[[], bool] | None = None,
    ) -> None:
        """Queue a task; it starts when someone is free (after a call-out if the team rests)."""
        self._seq += 1
        self.queued[priority] += 1
        heapq.heappush(self._tasks, Task(priority, self._seq, label, duration, done, needed))
        self._next()

    def call(self) -> None:
        """The team is called (an alert): queued tasks start, after the call-out."""
        if not self.on_call:
            self.on_call = True
            self._next()

    @property
    def working(self) -> bool:
        """Whether work is left: a call-out or task under way, or a task still needing doing."""
        if self._callout_at >= 0.0 or self._running:
            return True
        return any(t.needed is None or t.needed() for t in self._tasks)

    @property
    def at_work(self) -> int:
        """People working now: one per task under way, and the one answering a call-out."""
        return len(self._running) + (1 if self._callout_at >= 0.0 else 0)

    def worked_s(self, now: float) -> float:
        """Seconds worked up to `now`: finished work, and the part of the work under way."""
        total = self.busy_s + sum(now - t.started for t in self._running.values())
        if self._callout_at >= 0.0:
            total += now - self._callout_at
        return total

    def _next(self) -> None:
        if not self.on_call or self._callout_at >= 0.0:
            return
        if not self.engaged:
            if not any(t.needed is None or t.needed() for t in self._tasks):
                return
            if self.respond <= 0.0:
                self.engaged = True
            else:
                self._callout_at = self.env._now
                Timeout(self.env, self.respond).callbacks.append(self._arrived)
                return
        while self.idle > 0 and self._tasks:
            task = heapq.heappop(self._tasks)
            self.queued[task.priority] -= 1
            if task.needed is not None and not task.needed():
                if task.done is not None:
                    task.done(self.env._now)
                continue
            self.idle -= 1
            task.started = self.env._now
            task.took = task.duration() if callable(task.duration) else float(task.duration)
            self._running[task.seq] = task
            Timeout(self.env, task.took, task).callbacks.append(self._finished)
        self._rest_if_done()

    def _arrived(self, _ev: Timeout) -> None:
        """The call-out is over: the team is on the job."""
        now = self.env._now
        self.busy_s += self.respond
        self._callout_at = -1.0
        self.engaged = True
        self._next()
        if not self.engaged:  # every task had gone meanwhile: only the call-out was worked
            self.last_done = now

    def _finished(self, ev: Timeout) -> None:
        task: Task = ev._value
        now = self.env._now
        del self._running[task.seq]
        self.busy_s += task.took
        self.idle += 1
        self.last_done = now
        if task.done is not None:
            task.done(now)
        self._next()  # the next task follows on without a new call-out

    def _rest_if_done(self) -> None:
        if self.engaged and self.idle == self.count and not self._tasks:
            self.engaged = False
