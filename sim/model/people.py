"""The people in the loop: analysts and clerks, each a team working a queue of tasks.

Analysts fix poison messages, restart suspended channels and reprocess dead letters (in that
order of priority); clerks back-enter paper orders and reconcile duplicates.  A team is `count`
people; a task waits for a free person, who (if idle until then) first takes `respond` to get
to it, then works its duration.  Everything is callbacks: tasks are few, but so are the rules.
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


@dataclass(order=True)
class Task:
    """A piece of work for a team."""

    priority: int
    seq: int
    label: str = field(compare=False)
    duration: Sampler | float = field(compare=False)
    done: Callable[[float], None] | None = field(compare=False, default=None)


class Team:
    """`count` people working tasks by priority, then arrival."""

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
        self.idle = count
        self.respond = respond
        self.on_call = on_call
        """False until the team is called (start_on_alert: the first alert calls it)."""
        self._tasks: list[Task] = []
        self._seq = 0
        self.busy_s = 0.0
        """Time worked (responding and working), in seconds."""
        self.last_done: float | None = None
        self.done_count = 0

    def add(
        self,
        priority: int,
        label: str,
        duration: Sampler | float,
        done: Callable[[float], None] | None = None,
    ) -> None:
        """Queue a task; it starts when someone is free (and the team has been called)."""
        self._seq += 1
        heapq.heappush(self._tasks, Task(priority, self._seq, label, duration, done))
        self._next()

    def call(self) -> None:
        """The team is called (an alert): queued tasks start."""
        if not self.on_call:
            self.on_call = True
            self._next()

    @property
    def pending(self) -> int:
        """Tasks not yet started."""
        return len(self._tasks)

    @property
    def working(self) -> bool:
        """Whether anyone is on a task or a task waits."""
        return bool(self._tasks) or self._working > 0

    _working = 0

    def _next(self, respond: bool = True) -> None:
        while self.on_call and self.idle > 0 and self._tasks:
            task = heapq.heappop(self._tasks)
            self.idle -= 1
            self._working += 1
            work = task.duration() if callable(task.duration) else float(task.duration)
            took = (self.respond if respond else 0.0) + work
            self.busy_s += took
            ev = Timeout(self.env, took, task)
            ev.callbacks.append(self._finished)

    def _finished(self, ev: Timeout) -> None:
        task: Task = ev._value
        now = self.env._now
        self.idle += 1
        self._working -= 1
        self.done_count += 1
        self.last_done = now
        if task.done is not None:
            task.done(now)
        self._next(respond=False)  # the next task follows on without a new call-out
