"""Lanes sharing a system's connections take turns (`queues: per-flow`).

The contract: `systems.<id>.connections` are shared by every lane to the system.  Each
connection that comes free goes to the next lane, in a fixed rotation (the lanes in the order
of the flows), that has a message able to go, so no flow takes every connection while another
waits.  Sends are 1 ms after creation (the transform) and ACKed 10 s later.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

WORLD = """
name: pool
horizon: 5min
flows:
{flows}
systems:
  lab: {{ack: constant(10s), timeout: 1h, connections: {connections}}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy: {{queues: per-flow}}
faults: {faults}
"""


def world(
    make: MakeWorld,
    flows: dict[str, list[float]],
    connections: int,
    faults: str = "[]",
    sets: Sequence[str] = (),
) -> World:
    lines = []
    for k, (fid, times) in enumerate(flows.items()):
        trace = ", ".join(
            f"{{time: {t:g}, priority: routine, patient: {100 * k + i + 1}}}"
            for i, t in enumerate(times)
        )
        lines.append(f"  {fid}: {{from: ehr, to: lab, trace: [{trace}]}}")
    text = WORLD.format(flows="\n".join(lines), connections=connections, faults=faults)
    return make(text, sets=sets, trace=True).run()


def sends(w: World) -> list[tuple[float, str, float]]:
    """(delivered at, flow, created at) of every message, in delivery order."""
    assert w.trace is not None
    created = {uid: t for t, uid, _f, _c, event, *_ in w.trace if event == "created"}
    return [
        (round(t, 3), flow, created[uid])
        for t, uid, flow, _c, event, *_ in w.trace
        if event == "delivered"
    ]


def test_two_lanes_alternate_on_one_connection(world_of: MakeWorld) -> None:
    """Three orders of `a` at 0 s and one of `b` at 0.5 s: the first `a` goes at once; then
    the connection goes to `a`, `b`, `a` in turn, not to `a` until it is empty."""
    w = world(world_of, {"a": [0, 0, 0], "b": [0.5]}, connections=1)
    assert sends(w) == [
        (10.001, "a", 0.0),
        (20.001, "a", 0.0),
        (30.001, "b", 0.5),
        (40.001, "a", 0.0),
    ]


def test_three_lanes_take_turns_skipping_empty_ones(world_of: MakeWorld) -> None:
    """The first `c` goes at once; each time the connection comes free the rotation `a`, `b`,
    `c` goes on where it stopped, skipping a lane with nothing to send (`b` after its one
    order).  When every lane is empty (70 s) a full round finds nothing and the rotation stays
    where it was: at 200 s the first `b` goes at once, and the rotation goes on at `b`."""
    w = world(
        world_of,
        {"a": [1, 1, 1, 200], "b": [1, 200, 200], "c": [0, 1, 1, 200]},
        connections=1,
    )
    assert sends(w) == [
        (10.001, "c", 0.0),
        (20.001, "a", 1.0),
        (30.001, "b", 1.0),
        (40.001, "c", 1.0),
        (50.001, "a", 1.0),
        (60.001, "c", 1.0),
        (70.001, "a", 1.0),
        (210.001, "b", 200.0),
        (220.001, "b", 200.0),
        (230.001, "c", 200.0),
        (240.001, "a", 200.0),
    ]


def test_the_one_lane_with_messages_takes_every_free_connection(world_of: MakeWorld) -> None:
    """An engine stall holds two orders of `c` until 30 s; the other lanes have nothing to
    send then.  Both connections are free: both orders go at 30 s, one on each."""
    w = world(
        world_of,
        {"a": [100], "b": [100], "c": [1, 1]},
        connections=2,
        faults="[{kind: engine-stall, at: +0s, for: 30s}]",
    )
    assert sends(w) == [
        (40.0, "c", 1.0),
        (40.0, "c", 1.0),
        (110.001, "a", 100.0),
        (110.001, "b", 100.0),
    ]


def test_a_lane_whose_line_is_all_shed_is_passed_like_an_empty_one(world_of: MakeWorld) -> None:
    """CoDel (target 5 s, interval 10 s) on each lane, one connection.  `a`'s order of 0.5 s
    went at 10 s after waiting 9.5 s (above the target since then); at 30 s it is `a`'s turn
    and its order of 12 s has waited 18 s, 20 s after the first wait above the target: it is
    shed, and `a`'s line is empty.  That round finds nothing to send, and the next starts at
    `a` again: at 50 s `a`'s order of 46 s goes before `b`'s."""
    w = world(
        world_of,
        {"a": [0.5, 12, 46], "b": [46], "c": [0, 0.7, 40]},
        connections=1,
        sets=["strategy.discipline={codel: {target: 5s, interval: 10s}}"],
    )
    assert sends(w) == [
        (10.001, "c", 0.0),
        (20.001, "a", 0.5),
        (30.001, "c", 0.7),
        (50.001, "c", 40.0),
        (60.001, "a", 46.0),
        (70.001, "b", 46.0),
    ]
    assert w.trace is not None
    assert [(round(t, 3), uid) for t, uid, _f, _c, event, *_ in w.trace if event == "shed"] == [
        (30.001, 3)
    ]
    assert w.count.shed == 1
