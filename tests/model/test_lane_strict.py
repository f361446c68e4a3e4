"""`queues: shared` with `order: strict`: one line and one pool for every channel, one message
in flight per channel, and a message that must wait for its channel keeps the worker it took.

The contract (`strategy.queues`): shared is one queue and one pool of `sum(connections)`
workers for every channel, and a worker holding a message that cannot go stays busy, so one
slow channel starves the others.  Three systems with one connection each (three workers) and
10 s ACKs; an engine stall holds the four orders (two to the lab) until 20 s, unless a test
says otherwise.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

WORLD = """
name: strict
horizon: {horizon}
sample_every: 5s
flows:
  lab-orders:
    from: ehr
    to: lab
    trace: [{lab}]
  rad-orders:
    from: ehr
    to: rad
    trace: [{rad}]
  x-orders:
    from: ehr
    to: x
    trace: [{x}]
systems:
  lab: {{ack: constant(10s), timeout: 1min}}
  rad: {{ack: constant(10s), timeout: 1min}}
  x: {{ack: constant(10s), timeout: 1min}}
engine: {{cores: 8, transform: constant(1ms){store}}}
strategy: {{queues: shared, order: strict}}
faults:
{faults}
"""


STALL = "{kind: engine-stall, at: +0s, for: 20s}"


def world(
    make: MakeWorld,
    horizon: str,
    later: list[float] | None = None,
    crash: str = "",
    lab: tuple[float, ...] = (1, 2),
    faults: tuple[str, ...] = (STALL,),
) -> World:
    def trace(patient: int, *times: float) -> str:
        return ", ".join(
            f"{{time: {t:g}, priority: routine, patient: {patient + 10 * i}}}"
            for i, t in enumerate(times)
        )

    more = later or []
    text = WORLD.format(
        horizon=horizon,
        lab=trace(1, *lab, *more),
        rad=trace(3, 3, *more),
        x=trace(4, 4, *more),
        store=", store: memory" if crash else "",
        faults="\n".join(f"  - {f}" for f in (*faults, crash) if f),
    )
    return make(text, trace=True).run()


def test_a_message_waiting_for_its_channel_keeps_its_worker(world_of: MakeWorld) -> None:
    """At 20 s the three workers take, in order, the lab's first order (sent), the lab's
    second (it must wait for the first: it keeps its worker) and radiology's (sent); x's
    order finds no worker.  At 30 s the lab's second goes on the worker it kept, and x's on
    the one radiology's ACK frees."""
    w = world(world_of, horizon="60s")
    assert delivered_at(w) == pytest.approx({0: 30.0, 1: 40.0, 2: 30.0, 3: 40.0})
    lane = dict(zip(w.samples.time_s, w.samples.columns["lane.shared"], strict=True))
    assert [lane[t] for t in (15.0, 20.0, 25.0, 30.0)] == [4, 1, 1, 0]
    assert w.channels["lab"].order_violations == 0


def test_a_waiting_message_at_the_horizon_is_queued(world_of: MakeWorld) -> None:
    """At a horizon of 25 s the lab's second order waits for its channel, x's in the line:
    two queued, two in flight."""
    w = world(world_of, horizon="25s")
    assert w.count.waiting == 1
    assert (w.queued_now(), w.in_flight_now()) == (2, 2)


def test_a_crash_loses_the_waiting_message_and_frees_its_worker(world_of: MakeWorld) -> None:
    """A memory-store crash at 25 s loses all four orders, the waiting one too; after the
    repair (30 s) orders of 40 s to each system go at once, on the three workers."""
    w = world(world_of, horizon="60s", later=[40], crash="{kind: node-crash, at: +25s, for: 5s}")
    assert w.count.lost == 4
    assert w.count.waiting == 0
    assert sorted(delivered_at(w).values()) == pytest.approx([50.001] * 3)
    assert (w.queued_now(), w.in_flight_now()) == (0, 0)


def test_without_a_stall_a_channel_s_next_message_waits_on_its_own_worker(
    world_of: MakeWorld,
) -> None:
    """No stall: the lab's orders of 1, 2 and 2.5 s each take a worker as they come, the first
    to be sent, the two others to wait for it; radiology's of 3 s and x's of 4 s find no
    worker.  Each lab ACK sends the next lab order on the worker it kept, and frees its own
    for the line."""
    w = world(world_of, horizon="60s", lab=(1, 2, 2.5), faults=())
    assert delivered_at(w) == pytest.approx({0: 11.001, 1: 21.001, 2: 31.001, 3: 21.001, 4: 31.001})
    assert w.channels["lab"].order_violations == 0


def test_two_messages_waiting_for_their_channel_are_both_counted(world_of: MakeWorld) -> None:
    w = world(world_of, horizon="8s", lab=(1, 2, 2.5), faults=())
    assert w.count.waiting == 2
    assert (w.queued_now(), w.in_flight_now()) == (4, 1)


PARKED = """
name: strict-park
horizon: 80s
flows:
  lab-orders:
    from: ehr
    to: lab
    trace: [{time: 1, priority: routine, patient: 1}, {time: 50, priority: routine, patient: 2}]
  rad-orders:
    from: ehr
    to: rad
    trace: [{time: 75, priority: routine, patient: 3}]
systems:
  lab: {ack: constant(10s), timeout: 20s}
  rad: {ack: constant(10s), timeout: 20s}
engine: {cores: 8, transform: constant(1ms)}
strategy:
  queues: shared
  order: strict
  retry: {backoff: fixed, first: 35s, attempts: 1, then: park}
faults:
  - {kind: system-outage, target: lab, at: +0s, for: 10s}
"""


def test_a_parked_message_back_in_the_line_waits_for_the_one_in_flight(
    world_of: MakeWorld,
) -> None:
    """The lab's order of 1 s times out at 21.001 s and is parked (it leaves its patient's
    order) until 56.001 s; the order of 50 s is in flight then.  A worker is free, but the
    parked order may not be sent beside it: it goes when the ACK comes (60.001 s)."""
    w = world_of(PARKED, trace=True).run()
    assert delivered_at(w) == pytest.approx({0: 70.001, 1: 60.001})
