"""Per-patient order at one destination."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.message import HELD

if TYPE_CHECKING:
    from sim.model.message import Message


class PatientGate:
    """Lets a message go only when every older message of its patient to this system has left.

    Messages take their place at the engine's acceptance, in acceptance order; a message that
    reaches a worker before its turn is set aside (HELD) and released when its predecessor
    leaves (delivered, dead-lettered, parked, expired, shed or lost).  Memory is O(messages of
    patients that have more than one message under way).
    """

    __slots__ = ("_lines",)

    def __init__(self) -> None:
        # A patient with one message under way (the usual case) maps to the message itself;
        # a deque is made only when a second one joins.
        self._lines: dict[int, Message | deque[Message]] = {}

    def enter(self, msg: Message) -> None:
        """Take the message's place in its patient's line."""
        msg.gated = True
        line = self._lines.get(msg.patient)
        if line is None:
            self._lines[msg.patient] = msg
        elif isinstance(line, deque):
            line.append(msg)
        else:
            self._lines[msg.patient] = deque((line, msg))

    def is_head(self, msg: Message) -> bool:
        """Whether the message is its patient's oldest under way."""
        line = self._lines[msg.patient]
        return (line[0] if isinstance(line, deque) else line) is msg

    def leave(self, msg: Message) -> Message | None:
        """Give up the message's place; return the next message if it was set aside."""
        msg.gated = False
        line = self._lines[msg.patient]
        if not isinstance(line, deque):
            del self._lines[msg.patient]
            return None
        if line[0] is msg:
            line.popleft()
        else:
            line.remove(msg)
            return None
        if not line:
            del self._lines[msg.patient]
            return None
        head = line[0]
        return head if head.place == HELD else None

    def __len__(self) -> int:
        return sum(len(v) if isinstance(v, deque) else 1 for v in self._lines.values())
