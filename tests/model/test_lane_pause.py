"""A lane paused by engine stalls: nothing starts while any stall lasts, and at the end a retry
whose backoff ended during the stall goes first, on the connection it kept.

The contract (`engine-stall`, `mode: hold`): the engine keeps accepting, sends stop.  Sends
are 1 ms after creation (the transform) and ACKed 100 ms later; the lab has one connection.
`timeseries.csv`'s `lane.lab` column counts the lane's waiting messages: its line and the
retries holding a connection until the stall ends.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

WORLD = """
name: pause
horizon: 150s
sample_every: 10s
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant(100ms), timeout: 5s}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: 1min}}
faults:
{faults}
"""


def world(make: MakeWorld, times: list[float], faults: list[str]) -> World:
    trace = ", ".join(
        f"{{time: {t:g}, priority: routine, patient: {i + 1}}}" for i, t in enumerate(times)
    )
    text = WORLD.format(trace=trace, faults="\n".join(f"  - {f}" for f in faults))
    return make(text, trace=True).run()


def column(w: World, name: str) -> dict[float, int]:
    return dict(zip(w.samples.time_s, w.samples.columns[name], strict=True))


def test_overlapping_stalls_hold_sends_until_the_last_ends(world_of: MakeWorld) -> None:
    """Stalls from 40 s to 90 s and from 60 s to 100 s: an order of 45 s waits until 100 s,
    not 90 s, when the first stall ends; an order of 20 s went at once."""
    w = world(
        world_of,
        [20, 45],
        [
            "{kind: engine-stall, at: +40s, for: 50s}",
            "{kind: engine-stall, at: +60s, for: 40s}",
        ],
    )
    assert delivered_at(w) == pytest.approx({0: 20.101, 1: 100.1})
    lane = column(w, "lane.lab")
    assert [lane[t] for t in (40.0, 50.0, 90.0, 100.0, 110.0)] == [0, 1, 1, 0, 0]


def test_a_retry_due_during_a_stall_goes_first_when_it_ends(world_of: MakeWorld) -> None:
    """The order of 0 s times out (the lab is down until 20 s) at 5.001 s; its retry is due
    at 65.001 s, during a stall from 60 s to 100 s, and keeps the connection.  An order of
    70 s waits in the line behind it.  At 100 s the retry goes first, on its connection, and
    the order of 70 s when it comes free.  The lane counts both while they wait."""
    w = world(
        world_of,
        [0, 70],
        [
            "{kind: system-outage, target: lab, at: +0s, for: 20s}",
            "{kind: engine-stall, at: +60s, for: 40s}",
        ],
    )
    assert delivered_at(w) == pytest.approx({0: 100.1, 1: 100.2})
    lane = column(w, "lane.lab")
    assert [lane[t] for t in (60.0, 70.0, 80.0, 90.0, 100.0, 110.0)] == [0, 1, 2, 2, 1, 0]
    assert w.count.sends == 3


def test_a_stall_at_the_horizon_leaves_both_counted_as_queued(world_of: MakeWorld) -> None:
    """The same, with the stall lasting past the horizon: the retry holding its connection and
    the order in the line are both queued at the end (conservation holds)."""
    w = world(
        world_of,
        [0, 70],
        [
            "{kind: system-outage, target: lab, at: +0s, for: 20s}",
            "{kind: engine-stall, at: +60s, for: 10min}",
        ],
    )
    assert delivered_at(w) == {}
    lane = w.lanes["lab"]
    assert (lane.n, len(lane.resume), lane.waiting_now()) == (1, 1, 2)
    assert w.queued_now() == 2
    assert w.in_flight_now() == 0
