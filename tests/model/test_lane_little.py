"""A lane's waiting-line integrals, exactly: the area under its length and its messages' waits.

The theory report reads a lane's `area` (its mean length, Lq, over the measured window), and
the theory checks hold a lane to Little's law: the area equals the waits of the messages that
left the line plus the time the ones still in it have waited so far.  Messages leave the line
by being sent or, under CoDel, by being shed.
"""

from __future__ import annotations

import pytest

from sim.model.lane import Lane
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

WORLD = """
name: line
horizon: {horizon}
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant({ack}), timeout: 1h}}
engine: {{cores: 8, transform: constant(1ms)}}
"""


def world(make: MakeWorld, times: list[float], *, ack: str, horizon: str, sets: list[str]) -> World:
    trace = ", ".join(
        f"{{time: {t:g}, priority: routine, patient: {i + 1}}}" for i, t in enumerate(times)
    )
    return make(WORLD.format(trace=trace, ack=ack, horizon=horizon), sets=sets, trace=True).run()


def lane_of(w: World) -> Lane:
    (lane,) = w.lanes.values()
    return lane


def test_everything_sent_the_area_is_the_sum_of_the_waits(world_of: MakeWorld) -> None:
    """Four orders at 0 s on one connection with 10 s ACKs: the first goes at once, the
    others wait 10, 20 and 30 s; 60 message-seconds, the waits the channel measured too."""
    w = world(world_of, [0, 0, 0, 0], ack="10s", horizon="1min", sets=[])
    lane = lane_of(w)
    assert lane.n == 0
    assert lane.wait_sum == pytest.approx(60.0)
    assert lane.area == pytest.approx(60.0)
    assert w.channels["lab"].wait().total == pytest.approx(60.0)


def test_messages_still_waiting_at_the_horizon_count_up_to_it(world_of: MakeWorld) -> None:
    """The same orders and a horizon of 25 s: the line holds three from 0.001 s, two from
    10.001 s and one from 20.001 s to the end.  The waits of those that left are 10 and 20 s;
    the area adds the last one's 24.999 s so far."""
    w = world(world_of, [0, 0, 0, 0], ack="10s", horizon="25s", sets=[])
    lane = lane_of(w)
    assert lane.n == 1
    assert lane.wait_sum == pytest.approx(30.0)
    assert lane.area == pytest.approx(3 * 10 + 2 * 10 + 4.999)
    assert lane.area == pytest.approx(lane.wait_sum + sum(w.end - m.enq_at for m in lane.queue))


def test_a_shed_message_s_wait_counts_until_it_is_shed(world_of: MakeWorld) -> None:
    """CoDel sheds a standing queue: an order every 2 s on one connection with 4 s ACKs.  Each
    shed message waited from leaving the transform (1 ms after its creation) until it was
    shed; the lane's waits are the sent ones' (as the channel measured them) plus these."""
    w = world(
        world_of,
        [2 * i for i in range(40)],
        ack="4s",
        horizon="2min",
        sets=["strategy.discipline={codel: {target: 5s, interval: 10s}}"],
    )
    assert w.trace is not None
    created = {uid: t for t, uid, _f, _c, event, *_ in w.trace if event == "created"}
    shed = {uid: t for t, uid, _f, _c, event, *_ in w.trace if event == "shed"}
    assert len(shed) == w.count.shed == 18
    shed_waits = sum(t - (created[uid] + 0.001) for uid, t in shed.items())
    lane = lane_of(w)
    assert lane.n == 0 == len(lane.queue)
    assert lane.wait_sum == pytest.approx(w.channels["lab"].wait().total + shed_waits)
    assert lane.area == pytest.approx(lane.wait_sum)
    assert lane.area == pytest.approx(308.0)
