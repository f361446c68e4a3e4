"""The drain (`strategy.drain`, a token bucket on each channel's sends) step by step.

Sends are 1 ms after creation (the transform) and ACKed 100 ms later; the lab has four
connections, so only the drain makes a message wait.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

WORLD = """
name: drain
horizon: 10min
sample_every: 1min
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant(100ms), connections: 4, timeout: 30s}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy:
  drain: {{rate: 1/min}}
faults:
{faults}
"""


def world(make: MakeWorld, times: list[float], faults: list[str]) -> World:
    trace = ", ".join(
        f"{{time: {t:g}, priority: routine, patient: {i + 1}}}" for i, t in enumerate(times)
    )
    text = WORLD.format(trace=trace, faults="\n".join(f"  - {f}" for f in faults) or "  []")
    return make(text, trace=True).run()


def test_sends_go_a_gap_apart_from_the_first_at_once(world_of: MakeWorld) -> None:
    """Three orders together at 1/min: the first is sent at once, the others a minute apart."""
    w = world(world_of, [0, 0, 0], [])
    assert sorted(delivered_at(w).values()) == pytest.approx([0.101, 60.101, 120.101])


def test_a_slot_given_up_stays_taken_while_a_later_one_is_reserved(
    world_of: MakeWorld,
) -> None:
    """Orders at 0, 1 and 2 s: the first is sent at once, the others reserve the slots of
    60.001 and 120.001 s.  An engine stall from 30 s to 70 s makes the order of 1 s give up
    its slot (it waits out the stall).  When it may go again (70 s) the slot of 120.001 s is
    still reserved, so the slot given up is not free: it takes the next one, 180.001 s, and
    the channel still sends at most one message a minute."""
    w = world(world_of, [0, 1, 2], ["{kind: engine-stall, at: +30s, for: 40s}"])
    assert delivered_at(w) == pytest.approx({0: 0.101, 1: 180.101, 2: 120.101})


def test_slots_given_up_are_free_once_none_is_reserved(world_of: MakeWorld) -> None:
    """The same orders with the stall from 30 s to 150 s: both reserved slots are given up.
    With no reservation left the slots are free again: at 150 s both orders may go, the
    first at once and the second a minute later (not after the slots given up)."""
    w = world(world_of, [0, 1, 2], ["{kind: engine-stall, at: +30s, for: 120s}"])
    assert delivered_at(w) == pytest.approx({0: 0.101, 1: 150.1, 2: 210.1})
