"""A lane: one waiting line, and the pool of workers (connections) it draws on.

`per-destination` gives each system its own lane, `per-flow` each flow, `shared` one lane for
every channel.  Workers are counted, not simulated: a worker is "held" for as long as its
message is being sent or waits out a backoff.  A system's connections are shared by every
lane to it: under `per-flow` the lanes of the flows to one system draw on that system's one
pool, and take turns (round robin) for each connection that comes free.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.message import HELD, QUEUED, SHED, WAITING

if TYPE_CHECKING:
    from sim.model.clock import Clock
    from sim.model.message import Message
    from sim.strategies.disciplines import Discipline


class Pool:
    """The free workers (connections) of one or more lanes.

    A lane alone on its pool (`per-destination`, `shared`) serves its line while a worker is
    free.  Lanes sharing a pool (`per-flow`, several flows to one system) take turns: each
    free worker goes to the next lane, in a fixed rotation, that has a message able to go, so
    no flow can take its system's every connection while another waits.
    """

    __slots__ = ("idle", "lanes", "turn")

    def __init__(self, workers: int) -> None:
        self.idle = workers
        self.lanes: list[Lane] = []
        self.turn = 0
        """The lane whose turn is next (an index into `lanes`)."""

    def dispatch(self) -> None:
        """Give free workers to the lanes in turn, one message at a time, while any can send."""
        lanes = self.lanes
        n = len(lanes)
        passed = 0
        while self.idle > 0 and passed < n:
            lane = lanes[self.turn]
            self.turn = self.turn + 1 if self.turn + 1 < n else 0
            if not lane.paused and lane.take():
                passed = 0
            else:
                passed += 1


class Lane:
    """A waiting line, drawing on a pool of workers (its own unless given one to share)."""

    __slots__ = (
        "area",
        "clock",
        "id",
        "last",
        "n",
        "paused",
        "pool",
        "queue",
        "ready",
        "resume",
        "wait_sum",
        "workers",
    )

    def __init__(
        self,
        clock: Clock,
        lane_id: str,
        queue: Discipline,
        workers: int,
        pool: Pool | None = None,
    ):
        self.clock = clock
        self.id = lane_id
        self.queue = queue
        queue.bind(lambda: clock.now, self._shed)
        self.workers = workers
        """The workers of its pool (shared with the other lanes of the pool, if any)."""
        self.pool = pool if pool is not None else Pool(workers)
        self.pool.lanes.append(self)
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
        self.n = 0
        """Messages in the waiting line (kept here: the discipline's len() is a Python call)."""

    @property
    def idle(self) -> int:
        """Free workers of this lane's pool."""
        return self.pool.idle

    @idle.setter
    def idle(self, value: int) -> None:
        self.pool.idle = value

    def push(self, msg: Message) -> None:
        """A message starts waiting here (or, when a worker is free, goes straight on)."""
        now = self.clock.now
        msg.enq_at = now
        pool = self.pool
        if pool.idle and not self.n and not self.paused and not self.ready:
            ch = msg.flow.channel
            if not (ch.blocked or ch.exclusive or msg.gated):
                pool.idle -= 1
                ch.send(msg)
                return
        self.area += self.n * (now - self.last)
        self.last = now
        self.n += 1
        msg.place = QUEUED
        self.queue.push(msg)
        if pool.idle and not self.paused:
            self.dispatch()

    def dispatch(self) -> None:
        """Give waiting messages to free workers while both exist (in turn, if shared)."""
        pool = self.pool
        if len(pool.lanes) > 1:
            pool.dispatch()
            return
        while pool.idle > 0 and not self.paused:
            if not self.take():
                return

    def take(self) -> bool:
        """Hand the next message able to go to a free worker; False when none can go.

        Messages for a blocked channel, or held back behind their patient's older message,
        are set aside on the way without taking a worker.
        """
        queue = self.queue
        ready = self.ready
        while True:
            if ready:
                msg = ready.popleft()
            else:
                if not self.n:
                    return False
                now = self.clock.now
                self.area += self.n * (now - self.last)
                self.last = now
                popped = queue.pop()
                if popped is None:  # everything left was shed
                    return False
                msg = popped
                self.n -= 1
                self.wait_sum += now - msg.enq_at
            ch = msg.flow.channel
            if ch.blocked:
                ch.blocked_q.append(msg)
                continue
            gate = ch.gate
            if msg.gated and gate is not None and not gate.is_head(msg):
                msg.place = HELD
                ch.count.held += 1
                gate.hold(msg)
                continue
            self.pool.idle -= 1
            if ch.exclusive:
                if ch.owner is not None:
                    msg.place = WAITING
                    ch.count.waiting += 1
                    ch.waiters.append(msg)
                    return True
                ch.owner = msg
            ch.send(msg)
            return True

    def _shed(self, msg: Message) -> None:
        """The discipline dropped a waiting message (CoDel): it leaves the engine as shed."""
        now = self.clock.now
        self.n -= 1
        self.wait_sum += now - msg.enq_at
        msg.flow.channel.remove(msg, SHED)

    def release(self) -> None:
        """A worker is free again."""
        self.pool.idle += 1
        self.dispatch()

    def kick(self) -> None:
        """Something became ready to send (a released or unblocked message)."""
        if self.pool.idle:
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
