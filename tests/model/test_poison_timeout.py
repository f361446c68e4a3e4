"""A poisoned message's negative ACK obeys the channel's `timeout` like any reply.

The engine waits `timeout` for the answer to every send: a negative ACK that would come later
is a timeout (`on_reply.timeout` applies, not `on_reply.AE`), and so is one that is lost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# One order at 60 s; the lab's answer (ACK or negative ACK) takes {ack}, the engine waits 30 s.
POISONED = """
name: poison-timeout
horizon: 10min
sample_every: 1min
flows:
  orders: {{from: ehr, to: lab, trace: t.csv}}
systems:
  lab: {{ack: constant({ack}), timeout: 30s}}
strategy:
  on_reply: {{AE: dead-letter, timeout: retry}}
  retry: {{backoff: fixed, first: 1min, attempts: 3, then: park}}
faults:
  - {{kind: poison-message, target: lab, at: +30s, code: AE}}
{more}
"""


SENT = 60.01
"""The order's first send: created at 60 s, transformed in the default 10 ms."""


def world(world_of: MakeWorld, tmp_path: Path, ack: str, more: str = "") -> World:
    """The poisoned lab above, run to its horizon."""
    (tmp_path / "t.csv").write_text("time,priority,patient\n60,routine,1\n")
    return world_of(POISONED.format(ack=ack, more=more)).run()


def failures(w: World) -> list[tuple[float, str]]:
    """(seconds after the first send, code) of each failure of the poisoned message."""
    return [
        (round(e.time_s - SENT, 6), e.detail.split()[-1])
        for e in w.events
        if e.kind == "poison-nak"
    ]


class TestPoisonTimeout:
    def test_a_negative_ack_later_than_the_timeout_is_a_timeout(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """With a 40 s answer and a 30 s timeout, the poisoned order times out 30 s after its
        send, is retried (on_reply.timeout) and parked after three sends: never dead-lettered."""
        w = world(world_of, tmp_path, "40s")
        assert w.count.dead_lettered == 0
        assert failures(w) == [(30.0, "timeout")]  # the first failure is reported once
        # sends at 60, 150, 240 (each times out 30 s later), parked until 330, then sends at
        # 330, 420, 510 and parked again until after the horizon
        assert w.count.sends == 3 + 3
        assert w.count.parked == 1
        assert w.channels["lab"].sends == w.count.sends
        assert w.count.delivered == 0

    def test_a_negative_ack_within_the_timeout_is_the_negative_ack(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """With a 20 s answer, the poisoned order gets its AE 20 s after its send: it is
        dead-lettered (on_reply.AE)."""
        w = world(world_of, tmp_path, "20s")
        assert failures(w) == [(20.0, "AE")]
        assert w.count.dead_lettered == 1
        assert w.count.sends == 1

    def test_a_slowed_system_makes_the_negative_ack_late(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """A slowdown of 2 turns a 20 s negative ACK into 40 s: a timeout after 30 s."""
        slow = "  - {kind: system-slowdown, target: lab, at: +10s, for: 1h, severity: 2}"
        w = world(world_of, tmp_path, "20s", more=slow)
        assert failures(w)[0] == (30.0, "timeout")
        assert w.count.dead_lettered == 0

    def test_a_lost_negative_ack_is_a_timeout(self, world_of: MakeWorld, tmp_path: Path) -> None:
        """With every answer lost, the engine never sees the AE: it times out after 30 s."""
        loss = "  - {kind: ack-loss, target: lab, at: +10s, for: 1h, severity: 1}"
        w = world(world_of, tmp_path, "20s", more=loss)
        assert failures(w)[0] == (30.0, "timeout")
        assert w.count.dead_lettered == 0
