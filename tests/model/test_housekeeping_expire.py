"""The `expire` housekeeping rule at each backlog sample: who leaves for paper, and exactly when.

The contract (`strategy.expire`): a message waiting longer than `after` leaves the queue to
the paper fallback (`expired`).  The rule runs at each sample (`sample_every: 1min`); an
engine stall holds every message in its channel's queue for the whole run.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

WORLD = """
name: expire
horizon: 10min
sample_every: 1min
flows:
  lab-orders:
    from: ehr
    to: lab
    trace: [{lab}]
  rad-orders:
    from: ehr
    to: rad
    trace: [{rad}]
systems:
  lab: {{ack: constant(100ms), timeout: 30s}}
  rad: {{ack: constant(100ms), timeout: 30s}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy:
  expire: {{after: 2min}}
faults:
  - {{kind: engine-stall, at: +0s, for: 1h}}
"""


def world(make: MakeWorld, lab: list[float], rad: list[float]) -> World:
    def trace(times: list[float], first: int) -> str:
        return ", ".join(
            f"{{time: {t:g}, priority: routine, patient: {first + i}}}" for i, t in enumerate(times)
        )

    return make(WORLD.format(lab=trace(lab, 1), rad=trace(rad, 100)), trace=True).run()


def expired_at(w: World) -> dict[tuple[str, float], float]:
    """When each message expired, by (flow, creation time)."""
    assert w.trace is not None
    created = {uid: (flow, t) for t, uid, flow, _cls, event, *_ in w.trace if event == "created"}
    return {created[uid]: t for t, uid, _flow, _cls, event, *_ in w.trace if event == "expired"}


def test_a_message_exactly_after_old_is_not_yet_expired(world_of: MakeWorld) -> None:
    """Created at 0 s, it is exactly 2 min old at the sample of 120 s: not older than
    `after`, it stays; it expires at the next sample, 180 s.  (The radiology order of 500 s
    is never 2 min old.)"""
    w = world(world_of, lab=[0], rad=[500])
    assert expired_at(w) == {("lab-orders", 0.0): 180.0}
    assert w.count.expired == 1
    assert w.expired_to_paper == 1


def test_a_young_head_on_one_channel_does_not_stop_the_check_of_the_next(
    world_of: MakeWorld,
) -> None:
    """The lab's only order is young at 180 s (created at 100 s); the radiology order of
    0 s is old then, and expires at 180 s; the lab's at 240 s, the first sample after
    220 s.  Younger messages are not expired with the old ones."""
    w = world(world_of, lab=[100], rad=[0, 90])
    assert expired_at(w) == {
        ("rad-orders", 0.0): 180.0,
        ("lab-orders", 100.0): 240.0,
        ("rad-orders", 90.0): 240.0,
    }
    assert [s.channels for s in w.housekeeping] == [["lab", "rad"]]
