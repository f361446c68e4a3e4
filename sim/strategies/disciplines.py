"""Queue disciplines: which waiting message a free connection takes next.

A discipline is a small class registered under the name `strategy.discipline` uses in YAML.
Every operation is O(1) (or O(number of classes)): backlogs of a hundred thousand messages
are what this tool is for, so a queue's cost must not grow with its length.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from mypy_extensions import mypyc_attr

from sim.registry import Registry

if TYPE_CHECKING:
    from sim.model.message import Message

DISCIPLINES: Registry[type[Discipline]] = Registry("queue discipline", "name")
"""Every queue discipline by its YAML name."""


register_discipline = DISCIPLINES.register


def take_where(line: deque[Message], pred: Callable[[Message], bool]) -> list[Message]:
    """Remove and return the messages of one deque for which `pred` holds (order kept)."""
    gone = [m for m in line if pred(m)]
    if gone:
        kept = [m for m in line if not pred(m)]
        line.clear()
        line.extend(kept)
    return gone


@mypyc_attr(allow_interpreted_subclasses=True)
class Discipline(ABC):
    """A waiting line of messages with a rule for which goes next."""

    name: ClassVar[str] = ""

    def __init__(self, params: Mapping[str, Any]) -> None:
        """`params` are the discipline's settings from the scenario; each kind reads its own."""
        self.clock: Callable[[], float] = lambda: 0.0
        self.shed: Callable[[Message], None] = lambda msg: None

    def bind(self, clock: Callable[[], float], shed: Callable[[Message], None]) -> None:
        """Give the discipline the simulation clock and a way to shed messages (CoDel)."""
        self.clock = clock
        self.shed = shed

    @abstractmethod
    def push(self, msg: Message) -> None:
        """Add a message that has just started waiting."""

    @abstractmethod
    def pop(self) -> Message | None:
        """Remove and return the message to send next, or None when empty."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __iter__(self) -> Iterator[Message]:
        """Every waiting message (for end-of-run accounting, not the hot path)."""

    @abstractmethod
    def remove_where(self, pred: Callable[[Message], bool]) -> list[Message]:
        """Take out every waiting message for which `pred` holds (a crash; rare, O(n))."""


class Fifo(Discipline):
    """First in, first out: the HL7 interface's natural order."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self._q: deque[Message] = deque()

    def push(self, msg: Message) -> None:
        self._q.append(msg)

    def pop(self) -> Message | None:
        return self._q.popleft() if self._q else None

    def __len__(self) -> int:
        return len(self._q)

    def __iter__(self) -> Iterator[Message]:
        return iter(self._q)

    def remove_where(self, pred: Callable[[Message], bool]) -> list[Message]:
        return take_where(self._q, pred)


DISCIPLINES.add("fifo", Fifo)


class Priority(Discipline):
    """Non-preemptive priority by class (stat, urgent, routine), FIFO within a class.

    With `results_first: true`, results to the EHR go before orders of any class, on the view
    that a result closes a clinical loop that an order only opens.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self._results_first = bool(params.get("results_first", False))
        self._lines: list[deque[Message]] = [deque() for _ in range(6)]
        self._n = 0

    def push(self, msg: Message) -> None:
        band = msg.cls
        if self._results_first and msg.order is None:
            band += 3
        self._lines[band].append(msg)
        self._n += 1

    def pop(self) -> Message | None:
        if not self._n:
            return None
        for line in self._lines:
            if line:
                self._n -= 1
                return line.popleft()
        raise AssertionError("priority queue count out of step")  # pragma: no cover

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[Message]:
        for line in self._lines:
            yield from line

    def remove_where(self, pred: Callable[[Message], bool]) -> list[Message]:
        gone = [m for line in self._lines for m in take_where(line, pred)]
        self._n -= len(gone)
        return gone


DISCIPLINES.add("priority", Priority)


class Lifo(Fifo):
    """Last in, first out: the newest message goes first.

    Under a long backlog this serves fresh work quickly and leaves stale work to wait (the
    "adaptive LIFO" of Facebook's "Fail at Scale"), at the price of order and of the oldest.
    """

    def pop(self) -> Message | None:
        return self._q.pop() if self._q else None


DISCIPLINES.add("lifo", Lifo)


class CoDel(Fifo):
    """FIFO with controlled delay (after Nichols & Jacobson's CoDel): shed a standing queue.

    When messages have kept waiting longer than `target` for a whole `interval`, the queue is
    standing, not bursting: from then on every message that has waited longer than `target`
    is shed when it reaches the head (counted in `shed`), until one has waited less.  A short
    burst never sheds, since its waits fall below the target within the interval.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self.target = float(params.get("target", 5.0))
        self.interval = float(params.get("interval", 60.0))
        self._first_above: float | None = None

    def pop(self) -> Message | None:
        now = self.clock()
        q = self._q
        while q:
            msg = q.popleft()
            if now - msg.enq_at <= self.target:
                self._first_above = None
                return msg
            if self._first_above is None:
                self._first_above = now
            if now - self._first_above < self.interval:
                return msg
            self.shed(msg)
        return None


DISCIPLINES.add("codel", CoDel)


class Fair(Discipline):
    """Deficit round robin across flows, with weights (`{fair: {weights: {flow: 2}}}`).

    Each flow with waiting messages gets its weight in sends per round, so a heavy flow cannot
    crowd a light one out of a shared channel.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        self._weights: dict[str, float] = {
            str(k): float(v) for k, v in (params.get("weights") or {}).items()
        }
        self._queues: dict[str, deque[Message]] = {}
        self._active: deque[str] = deque()
        self._deficit: dict[str, float] = {}
        self._turn: str | None = None
        self._n = 0

    def push(self, msg: Message) -> None:
        fid = msg.flow.id
        q = self._queues.get(fid)
        if q is None:
            q = self._queues[fid] = deque()
        if not q:
            self._active.append(fid)
            self._deficit[fid] = 0.0
        q.append(msg)
        self._n += 1

    def pop(self) -> Message | None:
        if not self._n:
            return None
        active = self._active
        while True:
            fid = active[0]
            if self._turn != fid:
                self._turn = fid
                self._deficit[fid] += self._weights.get(fid, 1.0)
            if self._deficit[fid] >= 1.0:
                self._deficit[fid] -= 1.0
                q = self._queues[fid]
                msg = q.popleft()
                self._n -= 1
                if not q:
                    active.popleft()
                    self._turn = None
                return msg
            active.rotate(-1)
            self._turn = None

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[Message]:
        for q in self._queues.values():
            yield from q

    def remove_where(self, pred: Callable[[Message], bool]) -> list[Message]:
        gone: list[Message] = []
        for fid, q in self._queues.items():
            out = take_where(q, pred)
            if out:
                gone += out
                if not q and fid in self._active:
                    self._active.remove(fid)
                    if self._turn == fid:
                        self._turn = None
        self._n -= len(gone)
        return gone


DISCIPLINES.add("fair", Fair)
