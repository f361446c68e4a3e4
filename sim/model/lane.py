"""A lane: one waiting line and the pool of workers (connections) that serve it.

`per-destination` gives each system its own lane, `per-flow` each flow, `shared` one lane for
every channel.  Workers are counted, not simulated: a worker is "held" for as long as its
message is being sent or waits out a backoff.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.message import HELD, QUEUED, SHED, WAITING

if TYPE_CHECKING:
    from sim.model.clock import Clock
    from sim.model.message import Message
    from sim.strategies.disciplines import Discipline


class Lane:
    """A waiting line with its workers."""

    __slots__ = (
        "area",
        "clock",
        "departed",
        "id",
        "idle",
        "last",
        "n",
        "paused",
        "queue",
        "ready",
        "resume",
        "wait_sum",
        "workers",
    )

    def __init__(self, clock: Clock, lane_id: str, queue: Discipline, workers: int):
        self.clock = clock
        self.id = lane_id
        self.queue = queue
        queue.bind(lambda: clock.now, self._shed)
        self.workers = workers
        self.idle = workers
        self.ready: deque[Message] = deque()
        """Messages released to go next (their patient's older message has left)."""
        self.resume: deque[Message] = deque()
        """Messages whose backoff ended while the lane was paused; each holds its worker."""
        self.paused = 0
        """Reasons the lane may not send (an engine stall, a suspension); 0 = free to send."""
        self.area = 0.0
        """Integral of the waiting line's length over time (message-seconds)."""
        self.last = 0.0
        self.wait_sum = 0.0
        """Total time spent in the waiting line by messages that have left it."""
        self.departed = 0
        self.n = 0
        """Messages in the waiting line (kept here: the discipline's len() is a Python call)."""

    def push(self, msg: Message) -> None:
        """A message starts waiting here (or, when a worker is free, goes straight on)."""
        now = self.clock.now
        msg.enq_at = now
        if self.idle and not self.n and not self.paused and not self.ready:
            ch = msg.flow.channel
            if not (ch.blocked or ch.exclusive or msg.gated):
                self.departed += 1  # a zero wait in the line
                self.idle -= 1
                ch.send(msg)
                return
        self.area += self.n * (now - self.last)
        self.last = now
        self.n += 1
        msg.place = QUEUED
        self.queue.push(msg)
        if self.idle and not self.paused:
            self.dispatch()

    def dispatch(self) -> None:
        """Give waiting messages to idle workers while both exist."""
        queue = self.queue
        ready = self.ready
        while self.idle > 0 and not self.paused:
            if ready:
                msg = ready.popleft()
            else:
                if not self.n:
                    return
                now = self.clock.now
                self.area += self.n * (now - self.last)
                self.last = now
                popped = queue.pop()
                if popped is None:  # everything left was shed
                    return
                msg = popped
                self.n -= 1
                self.wait_sum += now - msg.enq_at
                self.departed += 1
            ch = msg.flow.channel
            if ch.blocked:
                ch.blocked_q.append(msg)
                continue
            if msg.gated and not ch.gate.is_head(msg):  # type: ignore[union-attr]
                msg.place = HELD
                ch.count.held += 1
                continue
            self.idle -= 1
            if ch.exclusive:
                if ch.owner is not None:
                    msg.place = WAITING
                    ch.count.waiting += 1
                    ch.waiters.append(msg)
                    continue
                ch.owner = msg
            ch.send(msg)

    def _shed(self, msg: Message) -> None:
        """The discipline dropped a waiting message (CoDel): it leaves the engine as shed."""
        now = self.clock.now
        self.n -= 1
        self.wait_sum += now - msg.enq_at
        self.departed += 1
        msg.flow.channel.remove(msg, SHED)

    def release(self) -> None:
        """A worker is free again."""
        self.idle += 1
        if not self.paused:
            self.dispatch()

    def kick(self) -> None:
        """Something became ready to send (a released or unblocked message)."""
        if self.idle and not self.paused:
            self.dispatch()

    def pause(self) -> None:
        """Stop starting sends (sends under way finish)."""
        self.paused += 1

    def unpause(self) -> None:
        """Undo one `pause`; when none is left, resume held retries and serve the line."""
        self.paused -= 1
        if self.paused:
            return
        while self.resume and not self.paused:
            msg = self.resume.popleft()
            msg.flow.channel.send(msg)
        self.dispatch()

    def waiting_now(self) -> int:
        """Messages in the line, released to go, or holding a worker until unpaused."""
        return self.n + len(self.ready) + len(self.resume)

    def close_area(self, now: float) -> None:
        """Bring the area integral up to `now` (end of run)."""
        self.area += self.n * (now - self.last)
        self.last = now
