"""The senders' outbound queues and the integration engine's intake and transform station."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.clock import Clock
from sim.model.message import LOST, OUTBOUND, TRANSFORM, TRANSFORM_QUEUE

if TYPE_CHECKING:
    from sim.model.message import Message
    from sim.rng import Sampler


class Engine:
    """Accepts messages (persisting them at once) and transforms them on `cores` servers.

    The transform station is an M/G/c queue in front of every channel: FIFO, with its waiting
    line in a deque.
    """

    __slots__ = (
        "area",
        "busy",
        "clock",
        "constant",
        "cores",
        "departed",
        "last",
        "nodes",
        "queue",
        "refusing",
        "rr",
        "senders",
        "slow",
        "transform",
        "wait_sum",
    )

    def __init__(
        self,
        clock: Clock,
        cores: int,
        transform: Sampler,
        constant: float | None = None,
    ) -> None:
        self.clock = clock
        self.cores = cores
        self.transform = transform
        self.constant = constant
        """The transform time when it is constant (skips the sampler on the hot path)."""
        self.busy = 0
        self.queue: deque[Message] = deque()
        self.slow = 1.0
        """Factor on transform times (an `engine-slowdown` fault)."""
        self.refusing = 0
        """Reasons the engine does not accept messages now (0 = it accepts)."""
        self.senders: list[Sender] = []
        self.nodes = [0]
        """Nodes that take new messages (active-passive: the active one; else every live one)."""
        self.rr = 0
        self.area = 0.0
        self.last = 0.0
        self.wait_sum = 0.0
        self.departed = 0
        """Messages that have left the waiting line (those that never waited included)."""

    def accept(self, msg: Message) -> None:
        """Take a message from its sender: persist it, number it and start transforming it."""
        nodes = self.nodes
        if len(nodes) > 1:
            msg.node = nodes[self.rr % len(nodes)]
            self.rr += 1
        else:
            msg.node = nodes[0]
        ch = msg.flow.channel
        msg.seq = ch.seq
        ch.seq += 1
        if ch.gate is not None:
            ch.gate.enter(msg)
        if self.busy < self.cores:
            self.departed += 1  # through the waiting line with a zero wait
            self._start(msg)
        else:
            now = self.clock.now
            self.area += len(self.queue) * (now - self.last)
            self.last = now
            msg.place = TRANSFORM_QUEUE
            msg.enq_at = now
            self.queue.append(msg)

    def _start(self, msg: Message) -> None:
        self.busy += 1
        msg.place = TRANSFORM
        delay = (self.constant if self.constant is not None else self.transform()) * self.slow
        self.clock.call_in(delay, self._done, msg)

    def _done(self, msg: Message) -> None:
        if msg.place == LOST:  # its node crashed mid-transform (the core was freed then)
            return
        now = self.clock.now
        self.busy -= 1
        queue = self.queue
        if queue:
            self.area += len(queue) * (now - self.last)
            self.last = now
            nxt = queue.popleft()
            self.wait_sum += now - nxt.enq_at
            self.departed += 1
            self._start(nxt)
        msg.ready_at = now
        msg.flow.lane.push(msg)

    def start_next(self) -> None:
        """Start transforming the next waiting message (after cores were freed)."""
        now = self.clock.now
        self.area += len(self.queue) * (now - self.last)
        self.last = now
        nxt = self.queue.popleft()
        self.wait_sum += now - nxt.enq_at
        self.departed += 1
        self._start(nxt)

    def refuse(self) -> None:
        """Stop accepting: new messages wait in their senders' outbound queues."""
        self.refusing += 1

    def accept_again(self) -> None:
        """Undo one `refuse`; when none is left, the senders hand over their queues."""
        self.refusing -= 1
        if not self.refusing:
            for sender in self.senders:
                sender.flush()

    def close_area(self, now: float) -> None:
        """Bring the waiting line's area integral up to `now` (end of run)."""
        self.area += len(self.queue) * (now - self.last)
        self.last = now


class Sender:
    """A sending system's outbound queue (Epic's control queue, a lab system's outbox)."""

    __slots__ = ("down", "engine", "id", "outbound")

    def __init__(self, sender_id: str, engine: Engine) -> None:
        self.id = sender_id
        self.engine = engine
        self.outbound: deque[Message] = deque()
        self.down = 0
        """Reasons the sender cannot reach the engine (its own outage, a partition)."""

    def offer(self, msg: Message) -> None:
        """Hand a new message to the engine, or queue it while it cannot be handed over."""
        if not self.engine.refusing and not self.down and not self.outbound:
            self.engine.accept(msg)
        else:
            msg.place = OUTBOUND
            self.outbound.append(msg)

    def flush(self) -> None:
        """Hand over the queued messages, oldest first, while the engine accepts them."""
        engine = self.engine
        while self.outbound and not engine.refusing and not self.down:
            engine.accept(self.outbound.popleft())
