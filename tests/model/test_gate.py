"""The per-patient gate on its own: turns, messages set aside, leaving out of turn."""

from __future__ import annotations

from sim.model.flows import FlowRuntime
from sim.model.gate import PatientGate
from sim.model.message import HELD, LOST, QUEUED, Message

FLOW = FlowRuntime("orders", None, False)


def msgs(*patients: int) -> list[Message]:
    """Messages entered in this order, of these patients."""
    return [Message(uid, FLOW, 0, p, 0.0) for uid, p in enumerate(patients)]


def entered(gate: PatientGate, *patients: int) -> list[Message]:
    made = msgs(*patients)
    for m in made:
        gate.enter(m)
    return made


def set_aside(gate: PatientGate, *made: Message) -> None:
    """What a lane does with a message that reached a worker before its turn."""
    for m in made:
        m.place = HELD
        gate.hold(m)


def test_only_a_patients_oldest_may_go_and_patients_do_not_wait_for_each_other() -> None:
    gate = PatientGate(3)
    a1, b1, a2, a3 = entered(gate, 0, 1, 0, 0)
    assert all(m.gated for m in (a1, b1, a2, a3))
    assert [gate.is_head(m) for m in (a1, b1, a2, a3)] == [True, True, False, False]
    assert gate.leave(a1) is None  # a2 was never set aside: nothing to release
    assert not a1.gated
    assert gate.is_head(a2) and not gate.is_head(a3)
    assert len(gate) == 3


def test_a_message_set_aside_is_released_when_its_predecessor_leaves() -> None:
    gate = PatientGate(2)
    a1, a2, a3 = entered(gate, 1, 1, 1)
    set_aside(gate, a2, a3)
    assert gate.leave(a1) is a2
    a2.place = QUEUED  # the channel queues it again
    assert gate.is_head(a2)
    assert gate.leave(a2) is a3
    assert gate.leave(a3) is None
    assert len(gate) == 0


def test_one_leaving_out_of_turn_is_skipped_when_its_turn_comes() -> None:
    gate = PatientGate(1)
    a1, a2, a3, a4 = entered(gate, 0, 0, 0, 0)
    assert gate.leave(a3) is None  # expired while a1 is under way
    assert gate.leave(a2) is None
    assert len(gate) == 2
    set_aside(gate, a4)
    assert gate.leave(a1) is a4  # a2 and a3 have left: a4 is next
    assert gate.is_head(a4)
    gate.leave(a4)
    assert len(gate) == 0


def test_a_message_set_aside_that_is_lost_is_neither_released_nor_kept() -> None:
    gate = PatientGate(1)
    a1, a2, a3 = entered(gate, 0, 0, 0)
    set_aside(gate, a2, a3)
    a2.place = LOST  # a crash takes both out, a2 first
    assert gate.leave(a2) is None
    assert gate.leave(a1) is a3
    gate.leave(a3)
    assert len(gate) == 0


def test_a_released_message_lost_before_it_is_released_stays_in_the_line() -> None:
    """A crash marks every doomed message before any leaves: the head's leaving then finds
    its successor no longer set aside, and leaves it to leave on its own."""
    gate = PatientGate(1)
    a1, a2 = entered(gate, 0, 0)
    set_aside(gate, a2)
    a1.place = a2.place = LOST
    assert gate.leave(a1) is None
    assert gate.is_head(a2)
    assert gate.leave(a2) is None
    assert len(gate) == 0


def test_turns_start_again_when_a_line_empties() -> None:
    gate = PatientGate(1)
    for _ in range(3):
        (a,) = entered(gate, 0)
        assert a.turn == 0
        gate.leave(a)
    a1, a2 = entered(gate, 0, 0)
    assert (a1.turn, a2.turn) == (0, 1)


def test_a_patient_beyond_the_scenarios_count_gets_a_line() -> None:
    gate = PatientGate(2)
    a1, a2 = entered(gate, 7, 7)
    assert gate.is_head(a1) and not gate.is_head(a2)
    gate.leave(a1)
    assert gate.is_head(a2)
