"""Per-patient order at one destination."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.message import HELD

if TYPE_CHECKING:
    from sim.model.message import Message


class PatientGate:
    """Lets a message go only when every older message of its patient to this system has left.

    Messages take their place at the engine's acceptance, in acceptance order; a message that
    reaches a worker before its turn is set aside (HELD, `hold`) and released when its
    predecessor leaves (delivered, dead-lettered, parked, expired, shed or lost).

    A patient's line is two numbers: the turn of its oldest message under way and the turn
    the next one will take; a message carries its own turn (`Message.turn`).  A long backlog
    spreads over most patients and sits in these lines for hours, so every step must touch
    only the message in hand and its patient's slot: a deque per patient in a dict (what this
    was), or a chain through the messages, reached a cold object (the deque, the patient's
    next or previous message, a boxed key) at every step and slowed the engine by a third
    under a backlog of 320,000.  The numbers restart from 0 whenever a line empties, so they
    stay small (Python's cached ints: nothing is allocated).  The rare cases, a message set
    aside or one leaving out of turn (lost, expired or shed behind an older one), are kept in
    dicts of their own.  Memory: 16 bytes a patient.
    """

    __slots__ = ("_early", "_held", "_patients", "_turns")

    def __init__(self, patients: int) -> None:
        self._patients = patients
        self._turns: list[int] = [0] * (2 * patients)
        """Per patient p: at 2p the turn of its oldest message under way, at 2p + 1 the turn
        of the next to enter (the two are equal when none is under way)."""
        self._held: dict[int, dict[int, Message]] = {}
        """Per patient: its messages set aside, by turn."""
        self._early: dict[int, set[int]] = {}
        """Per patient: turns after its oldest whose messages left out of turn."""

    def enter(self, msg: Message) -> None:
        """Take the message's place at the end of its patient's line."""
        msg.gated = True
        patient = msg.patient
        if patient >= self._patients:  # a replayed patient beyond `patients`
            self._turns.extend([0] * (2 * (patient + 1 - self._patients)))
            self._patients = patient + 1
        at = 2 * patient + 1
        turn = self._turns[at]
        msg.turn = turn
        self._turns[at] = turn + 1

    def is_head(self, msg: Message) -> bool:
        """Whether the message is its patient's oldest under way."""
        return self._turns[2 * msg.patient] == msg.turn

    def hold(self, msg: Message) -> None:
        """The message (not its patient's oldest) is set aside until its turn comes."""
        held = self._held.get(msg.patient)
        if held is None:
            self._held[msg.patient] = {msg.turn: msg}
        else:
            held[msg.turn] = msg

    def leave(self, msg: Message) -> Message | None:
        """Give up the message's place; return the next message if it was set aside."""
        msg.gated = False
        patient = msg.patient
        turn = msg.turn
        held = self._held.get(patient) if self._held else None
        if held is not None:
            held.pop(turn, None)  # it was set aside itself (and is lost or expired now)
        at = 2 * patient
        if self._turns[at] != turn:  # out of turn: its turn is skipped when it comes
            early = self._early.get(patient)
            if early is None:
                self._early[patient] = {turn}
            else:
                early.add(turn)
            if held is not None and not held:
                del self._held[patient]
            return None
        turn += 1
        if self._early:
            early = self._early.get(patient)
            if early is not None:
                while turn in early:
                    early.remove(turn)
                    turn += 1
                if not early:
                    del self._early[patient]
        if turn == self._turns[at + 1]:  # the line is empty: it starts again from 0
            self._turns[at] = 0
            self._turns[at + 1] = 0
        else:
            self._turns[at] = turn
        if held is None:
            return None
        nxt = held.get(turn)
        if nxt is None or nxt.place != HELD:
            if not held:
                del self._held[patient]
            return None
        del held[turn]
        if not held:
            del self._held[patient]
        return nxt

    def __len__(self) -> int:
        """Messages in the lines (a walk of every patient: for checks, not the hot path)."""
        turns = self._turns
        n = sum(turns[2 * p + 1] - turns[2 * p] for p in range(self._patients))
        return n - sum(len(early) for early in self._early.values())
