"""Messages a lane sets aside without a connection: those for a blocked channel (they wait in
the channel's own line, then go first, in order, when it is unblocked) and those held behind
their patient's older message (`order: per-patient`).

Sends are 1 ms after creation (the transform).  `timeseries.csv`'s `lane.lab` column counts
the lane's line and the messages released to go next.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

SUSPENDED = """
name: suspended
horizon: {horizon}
sample_every: 10s
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant(10s), timeout: 30s}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy:
  on_reply: {{timeout: suspend}}
staff:
  analysts: {{count: 1, respond: 1min, fix: constant(1min), start_on_alert: false}}
faults:
  - {{kind: system-outage, target: lab, at: +0s, for: 20s}}
"""

PER_PATIENT = """
name: per-patient
horizon: {horizon}
sample_every: 10s
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant({ack}), timeout: 5s, connections: {connections}}}
engine: {{cores: 8, transform: constant(1ms)}}
strategy:
  order: per-patient
  retry: {{backoff: fixed, first: 30s}}
faults:
  - {{kind: system-outage, target: lab, at: +0s, for: 1s}}
"""


def world(
    make: MakeWorld,
    text: str,
    orders: Sequence[tuple[float, int]],
    horizon: str,
    ack: str = "100ms",
    connections: int = 4,
) -> World:
    trace = ", ".join(f"{{time: {t:g}, priority: routine, patient: {p}}}" for t, p in orders)
    text = text.format(trace=trace, horizon=horizon, ack=ack, connections=connections)
    return make(text, trace=True).run()


def column(w: World, name: str) -> list[int]:
    return list(w.samples.columns[name])


class TestBlockedChannel:
    ORDERS = ((1, 1), (10, 2), (11, 3), (12, 4))

    def test_the_line_moves_to_the_channel_and_comes_back_in_order(
        self, world_of: MakeWorld
    ) -> None:
        """One connection, 10 s ACKs.  The order of 1 s is sent to a lab that is down and times
        out at 31.001 s: the channel is suspended.  The orders of 10-12 s, waiting in the lane
        for the connection, move to the suspended channel's line at once (the lane is empty
        from 40 s on).  The restart (151.001 s: respond 1 min, fix 1 min) releases all four to
        the lane: the failed order first, then the others in their order, one per ACK."""
        w = world(world_of, SUSPENDED, self.ORDERS, horizon="200s")
        assert delivered_at(w) == pytest.approx({0: 161.001, 1: 171.001, 2: 181.001, 3: 191.001})
        lane = column(w, "lane.lab")
        queue = column(w, "queue.lab")
        # samples every 10 s from 0 s: 20 and 30 s: three in the lane; 160 s: three released
        assert lane == [0, 0, 3, 3] + [0] * 12 + [3, 2, 1, 0, 0]
        assert queue == [0, 1] + [4] * 15 + [3, 2, 1, 0]

    def test_released_messages_still_waiting_at_the_horizon_are_queued(
        self, world_of: MakeWorld
    ) -> None:
        """The same until a horizon of 165 s: the order of 10 s is being sent, the two others
        wait in the lane, released: two queued, one in flight, three outstanding."""
        w = world(world_of, SUSPENDED, self.ORDERS, horizon="165s")
        assert delivered_at(w) == pytest.approx({0: 161.001})
        lane = w.lanes["lab"]
        assert (lane.n, len(lane.ready), lane.waiting_now()) == (0, 2, 2)
        assert (w.queued_now(), w.in_flight_now(), w.count.outstanding) == (2, 1, 3)


class TestHeldBehindThePatient:
    ORDERS = ((0, 1), (2, 1), (3, 1), (4, 2))

    def test_a_patient_s_newer_orders_wait_for_the_older_one(self, world_of: MakeWorld) -> None:
        """Four connections.  Patient 1's order of 0 s times out (the lab is down until 1 s)
        and is retried at 35.001 s; the patient's orders of 2 s and 3 s are held behind it,
        though connections are free, and follow it one by one; patient 2's order goes at
        once."""
        w = world(world_of, PER_PATIENT, self.ORDERS, horizon="60s")
        assert delivered_at(w) == pytest.approx({0: 35.101, 1: 35.201, 2: 35.301, 3: 4.101})
        assert w.channels["lab"].order_violations == 0
        assert w.count.held == 0

    def test_held_messages_at_the_horizon_are_counted(self, world_of: MakeWorld) -> None:
        """At a horizon of 20 s the two orders are still held, the older one in its backoff."""
        w = world(world_of, PER_PATIENT, self.ORDERS, horizon="20s")
        assert w.count.held == 2
        assert w.count.backoff == 1
        assert w.queued_now() == 3
        assert w.lanes["lab"].waiting_now() == 0

    def test_a_held_message_does_not_stop_the_next_one_in_the_line(
        self, world_of: MakeWorld
    ) -> None:
        """Two connections, 1 s ACKs.  Patient 1's order of 0 s times out and waits for its
        retry (36.001 s); patient 3's order of 1.5 s holds the other connection until 2.501 s,
        while patient 1's order of 2 s and patient 2's of 2.1 s wait in the line.  When that
        connection comes free, patient 1's order is held behind the older one, and patient
        2's, next in the line, takes the connection at once."""
        w = world(
            world_of,
            PER_PATIENT,
            [(0, 1), (1.5, 3), (2, 1), (2.1, 2)],
            horizon="60s",
            ack="1s",
            connections=2,
        )
        assert delivered_at(w) == pytest.approx({0: 36.001, 1: 2.501, 2: 37.001, 3: 3.501})
        assert w.channels["lab"].order_violations == 0
