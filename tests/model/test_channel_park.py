"""Parking (`then: park` or `on_reply: park`): a failed message is set aside, keeps its place in
its destination's backlog, and rejoins its queue's tail `retry.first` later, or at once when an
analyst resubmits it (then its own timer no longer counts).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.message import PARKED, SENDING
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# One order to a lab that is down for an hour; each send times out after 5 s and the order is
# parked for a minute (one send per turn).
PARKING = """
name: parking
horizon: 10min
sample_every: 1h
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(100ms), timeout: 5s}
engine: {cores: 4, transform: constant(1ms)}
strategy:
  retry: {backoff: fixed, first: 1min, attempts: 1, then: park}
faults:
  - {kind: system-outage, target: lab, at: +0s, for: 1h}
"""


def parking(world_of: MakeWorld, tmp_path: Path, times: tuple[float, ...] = (0,)) -> World:
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(times))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    w = world_of(PARKING)
    w._start()
    return w


class TestUnpark:
    def test_a_parked_message_comes_back_after_first(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Parked at 5.001 s, the order is sent again at 65.001 s, parked at 70.001 s, sent
        again at 130.001 s; it stays in the lab's backlog throughout."""
        w = parking(world_of, tmp_path)
        ch = w.channels["lab"]
        w.clock.run_until(64)
        (msg,) = ch.under_way
        assert (msg.place, w.count.parked, ch.backlog, w.count.outstanding) == (PARKED, 1, 1, 1)
        w.clock.run_until(66)
        assert (msg.place, w.count.parked, w.count.sends) == (SENDING, 0, 2)
        w.clock.run_until(70.5)
        assert (msg.place, w.count.parked, w.count.sends) == (PARKED, 1, 2)
        w.clock.run_until(130.5)
        assert (msg.place, w.count.parked, w.count.sends) == (SENDING, 0, 3)

    def test_an_analyst_s_resubmission_sends_it_at_once_and_voids_its_timer(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Resubmitted at 30 s, the order is sent at once (and parked again at 35 s, for a
        minute): its first timer (65.001 s) no longer brings it back."""
        w = parking(world_of, tmp_path)
        ch = w.channels["lab"]
        w.clock.run_until(30)
        (msg,) = ch.under_way
        assert ch.unpark(msg) is True
        assert (msg.place, w.count.parked, w.count.sends) == (SENDING, 0, 2)
        w.clock.run_until(34.9)
        assert msg.place == SENDING
        w.clock.run_until(66)
        assert (msg.place, w.count.parked, w.count.sends) == (PARKED, 1, 2)
        w.clock.run_until(94.9)
        assert msg.place == PARKED
        w.clock.run_until(95.1)
        assert (msg.place, w.count.parked, w.count.sends) == (SENDING, 0, 3)

    def test_only_a_parked_message_can_be_unparked(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Unparking a message that is not parked (here: being sent) returns False and changes
        nothing."""
        w = parking(world_of, tmp_path)
        ch = w.channels["lab"]
        w.clock.run_until(2)
        (msg,) = ch.under_way
        assert msg.place == SENDING
        assert ch.unpark(msg) is False
        assert (msg.place, w.count.sends, w.count.parked, w.count.sending) == (SENDING, 1, 0, 1)
        w.clock.run_until(6)
        assert (msg.place, w.count.sends, w.count.parked, w.count.sending) == (PARKED, 1, 1, 0)
