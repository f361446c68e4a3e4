"""The channel's side of the policy contract (sim/strategies/policies.py): which hook it calls,
when, and with what.  `breaker` and `drain` rely on it, and so would any new policy: `admit`
before a send, then `sending` or `withdrawn`, then `succeeded` or `failed`, or `dropped` for a
message that leaves the engine without its answer; each with the simulated time of the call.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model.world import World
from sim.strategies.policies import ChannelPolicy
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation


class Recorder(ChannelPolicy):
    """Paces every send `gap` seconds after it is asked for, and records every hook."""

    def __init__(self, world: World, sid: str, gap: float) -> None:
        super().__init__(None, world.channels[sid], world.env, world.note)
        self.gap = gap
        self.calls: list[tuple[Any, ...]] = []

    def admit(self, now: float) -> float:
        self.calls.append(("admit", now))
        return now + self.gap

    def withdrawn(self, now: float) -> None:
        self.calls.append(("withdrawn", now))

    def sending(self, now: float, msg: Any) -> None:
        self.calls.append(("sending", now, msg.uid))

    def succeeded(self, now: float, msg: Any) -> None:
        self.calls.append(("succeeded", now, msg.uid))

    def failed(self, now: float, msg: Any) -> None:
        self.calls.append(("failed", now, msg.uid, msg.code))

    def dropped(self, now: float, msg: Any) -> None:
        self.calls.append(("dropped", now, msg.uid))


# One order at 0 s to a lab (ACK 100 ms, timeout 5 s); the transform takes 1 ms.
ONE = """
name: hooks
horizon: 5min
sample_every: 5s
flows:
  orders: {{from: ehr, to: lab, trace: [{{time: 0, priority: routine, patient: 1}}]}}
systems:
  lab: {{ack: constant(100ms), timeout: 5s}}
engine: {{store: memory, cores: 4, transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: 1s}}
faults:
{faults}
"""


def recorded(world_of: MakeWorld, faults: str, gap: float) -> tuple[World, Recorder]:
    w = world_of(ONE.format(faults=faults))
    rec = Recorder(w, "lab", gap)
    w.channels["lab"].policies.append(rec)
    return w.run(), rec


def approx(calls: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [(c[0], pytest.approx(c[1]), *c[2:]) for c in calls]


class TestHooks:
    def test_a_paced_send_that_meets_an_engine_stall_is_withdrawn_and_asked_for_again(
        self, world_of: MakeWorld
    ) -> None:
        """Paced to 10.001 s, the send meets a stall (5-25 s): it is withdrawn at 10.001 s,
        asked for again when the stall ends (25 s), made at 35 s and ACKed at 35.1 s."""
        faults = "  - {kind: engine-stall, at: +5s, for: 20s}"
        w, rec = recorded(world_of, faults, gap=10.0)
        assert rec.calls == approx(
            [
                ("admit", 0.001),
                ("withdrawn", 10.001),
                ("admit", 25.0),
                ("sending", 35.0, 0),
                ("succeeded", 35.1, 0),
            ]
        )
        assert w.count.delivered == 1
        assert w.count.pacing == 0
        assert w.channels["lab"].max_oldest_age == 35.0  # waiting at the sample of 35 s

    def test_a_message_lost_while_paced_is_dropped_then_its_send_withdrawn(
        self, world_of: MakeWorld
    ) -> None:
        """A memory-store crash at 5 s loses the order waiting for its slot (10.001 s): the
        policy hears `dropped` at 5 s, and `withdrawn` when the slot comes."""
        faults = "  - {kind: node-crash, at: +5s, for: 1min}"
        w, rec = recorded(world_of, faults, gap=10.0)
        assert rec.calls == approx([("admit", 0.001), ("dropped", 5.0, 0), ("withdrawn", 10.001)])
        assert w.count.lost == 1
        assert w.count.pacing == 0

    def test_failures_and_successes_reach_the_policy_with_their_time_and_code(
        self, world_of: MakeWorld
    ) -> None:
        """Down until 6 s: the send at 0.001 s times out at 5.001 s, the retry (a second
        later, sent at once) is ACKed at 6.101 s."""
        faults = "  - {kind: system-outage, target: lab, at: +0s, for: 6s}"
        w, rec = recorded(world_of, faults, gap=0.0)
        assert rec.calls == approx(
            [
                ("admit", 0.001),
                ("sending", 0.001, 0),
                ("failed", 5.001, 0, "timeout"),
                ("admit", 6.001),
                ("sending", 6.001, 0),
                ("succeeded", 6.101, 0),
            ]
        )
        assert w.count.delivered == 1


class TestAdmittedAtOnce:
    def test_a_send_admitted_now_is_made_before_the_next_is_asked_for(
        self, world_of: MakeWorld
    ) -> None:
        """Two orders leave the transform at 0.001 s, each on its own connection; admitted
        at once, each send is made at once: admit, sending, then the next admit (a drain's
        slots or a breaker's probe depend on it), and none is left pacing."""
        text = """
        name: at-once
        horizon: 1min
        sample_every: 1h
        flows:
          orders:
            from: ehr
            to: lab
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 0, priority: routine, patient: 2}
        systems:
          lab: {ack: constant(100ms), connections: 2, timeout: 5s}
        engine: {cores: 4, transform: constant(1ms)}
        """
        w = world_of(text)
        rec = Recorder(w, "lab", 0.0)
        w.channels["lab"].policies.append(rec)
        w.run()
        assert rec.calls == approx(
            [
                ("admit", 0.001),
                ("sending", 0.001, 0),
                ("admit", 0.001),
                ("sending", 0.001, 1),
                ("succeeded", 0.101, 0),
                ("succeeded", 0.101, 1),
            ]
        )
