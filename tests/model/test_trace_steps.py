"""The trace records what an engine's log has: each attempt to deliver, its answer, the patient,
the system and, for a result, the order it answers (results/README.md, "The trace").

One message on a tiny world with constant times, so every step's time is exact:
created at 10 s, 10 ms of transform, a 100 ms ACK from the lab and 50 ms from the EHR.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model.records import TraceRow
from sim.model.world import World
from tests.model.conftest import MakeWorld

WORLD = """
name: trace-steps
horizon: 10min
sample_every: 1min
patients: 10
flows:
  orders:
    from: ehr
    to: lab
    trace: [{time: 10, priority: stat, patient: 7}]
    REPLY
  results: {from: lab, to: ehr}
systems:
  lab: {ack: constant(100ms), timeout: 5s}
  ehr: {ack: constant(50ms), timeout: 5s}
engine: {transform: constant(10ms)}
strategy: {retry: {backoff: fixed, first: 20s ATTEMPTS}}
FAULTS
"""


def traced(make: MakeWorld, *, reply: str = "", attempts: str = "", faults: str = "") -> World:
    text = (
        WORLD.replace("REPLY", reply)
        .replace("ATTEMPTS", attempts)
        .replace("FAULTS", f"faults:\n{faults}" if faults else "")
    )
    return make(text, trace=True).run()


def steps(w: World, flow: str = "orders") -> list[tuple[Any, ...]]:
    """(time rounded to the microsecond, event, attempt, code) of each row of ``flow``."""
    assert w.trace is not None
    return [
        (round(t, 6), event, attempt, code)
        for t, _uid, f, _cls, event, _patient, _system, attempt, code, _order in w.trace
        if f == flow
    ]


def rows(w: World, flow: str) -> list[TraceRow]:
    assert w.trace is not None
    return [row for row in w.trace if row[2] == flow]


class TestAttempts:
    def test_a_message_acked_at_the_first_try(self, world_of: MakeWorld) -> None:
        """created, sent (attempt 1), acked (AA) and delivered at the ACK's time."""
        w = traced(world_of)
        assert steps(w) == [
            (10.0, "created", None, ""),
            (10.01, "sent", 1, ""),
            (10.11, "acked", 1, "AA"),
            (10.11, "delivered", None, ""),
        ]

    @pytest.mark.parametrize("code", ["AE", "AR"])
    def test_a_negative_ack_then_a_retry(self, world_of: MakeWorld, code: str) -> None:
        """A poisoned message is refused (nak with its code) on each attempt, resent after
        the backoff with the next attempt number, and dead-lettered after the last."""
        poison = f"  - {{kind: poison-message, target: lab, at: +0s, code: {code}}}\n"
        w = traced(world_of, attempts=", attempts: 2, then: dead-letter", faults=poison)
        if code == "AR":  # AR dead-letters at once by default: one attempt
            assert steps(w) == [
                (10.0, "created", None, ""),
                (10.01, "sent", 1, ""),
                (10.11, "nak", 1, "AR"),
                (10.11, "dead-lettered", None, ""),
            ]
            return
        assert steps(w) == [
            (10.0, "created", None, ""),
            (10.01, "sent", 1, ""),
            (10.11, "nak", 1, "AE"),
            (30.11, "sent", 2, ""),
            (30.21, "nak", 2, "AE"),
            (30.21, "dead-lettered", None, ""),
        ]

    def test_a_timeout_then_a_retry(self, world_of: MakeWorld) -> None:
        """While the lab is down the attempt times out after the lab's timeout (no code); the
        resend after the backoff, once the lab is back, is acked."""
        outage = "  - {kind: system-outage, target: lab, at: +0s, for: 20s}\n"
        w = traced(world_of, faults=outage)
        assert steps(w) == [
            (10.0, "created", None, ""),
            (10.01, "sent", 1, ""),
            (15.01, "timeout", 1, ""),
            (35.01, "sent", 2, ""),
            (35.11, "acked", 2, "AA"),
            (35.11, "delivered", None, ""),
        ]


class TestWhoAndWhat:
    REPLY = "reply: {flow: results, after: constant(1min)}"

    def test_a_result_names_its_order_and_comes_back_through_the_ehr_channel(
        self, world_of: MakeWorld
    ) -> None:
        """The result is created 1 min after the order's delivery, sent to the EHR (whose
        50 ms ACK answers it) and names its order's uid; the order names none."""
        w = traced(world_of, reply=self.REPLY)
        (order_uid,) = {row[1] for row in rows(w, "orders")}
        assert {row[9] for row in rows(w, "orders")} == {None}
        assert {row[9] for row in rows(w, "results")} == {order_uid}
        assert steps(w, "results") == [
            (70.11, "created", None, ""),
            (70.12, "sent", 1, ""),
            (70.17, "acked", 1, "AA"),
            (70.17, "delivered", None, ""),
        ]

    def test_every_row_carries_the_patient_the_class_and_the_system_at_the_far_end(
        self, world_of: MakeWorld
    ) -> None:
        """Order and result rows all name patient 7, class stat and the lab: the system an
        order goes to is the system a result comes from."""
        w = traced(world_of, reply=self.REPLY)
        assert w.trace is not None
        assert len(w.trace) == 8
        assert {(row[3], row[5], row[6]) for row in w.trace} == {("stat", 7, "lab")}

    def test_the_trace_is_in_time_order(self, world_of: MakeWorld) -> None:
        """Rows are appended as they happen: the times never go back (the log writers rely
        on it)."""
        outage = "  - {kind: system-outage, target: lab, at: +0s, for: 20s}\n"
        w = traced(world_of, reply=self.REPLY, faults=outage)
        assert w.trace is not None
        times = [row[0] for row in w.trace]
        assert times == sorted(times)


def test_no_trace_without_tracing(world_of: MakeWorld) -> None:
    """Without trace=True the world keeps no rows and counts no attempts."""
    text = WORLD.replace("REPLY", "").replace("ATTEMPTS", "").replace("FAULTS", "")
    w = world_of(text).run()
    assert w.trace is None
    assert w._attempts == {}
    assert not any(ch.tracing for ch in w.channels.values())
