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

if TYPE_CHECKING:
    from sim.model.message import Message

DISCIPLINES: dict[str, type[Discipline]] = {}
"""Every known discipline by its YAML name."""


def register_discipline(name: str) -> Callable[[type[Discipline]], type[Discipline]]:
    """Class decorator: make a discipline available to scenarios as `name`."""

    def add(cls: type[Discipline]) -> type[Discipline]:
        cls.name = name
        DISCIPLINES[name] = cls
        return cls

    return add


class Discipline(ABC):
    """A waiting line of messages with a rule for which goes next."""

    name: ClassVar[str] = ""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = dict(params)

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


@register_discipline("fifo")
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
        gone = [m for m in self._q if pred(m)]
        if gone:
            kept = [m for m in self._q if not pred(m)]
            self._q.clear()
            self._q.extend(kept)
        return gone


@register_discipline("priority")
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
        gone: list[Message] = []
        for line in self._lines:
            out = [m for m in line if pred(m)]
            if out:
                kept = [m for m in line if not pred(m)]
                line.clear()
                line.extend(kept)
                gone += out
        self._n -= len(gone)
        return gone
