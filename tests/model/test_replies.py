"""Orders produce results on the reply flow after their turnaround, through the engine."""

from __future__ import annotations

import pytest

from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

WORLD = """
name: replies
horizon: 6h
flows:
  orders:
    from: ehr
    to: lab
    rate: 120/h
    priority: {stat: 0.5, routine: 0.5}
    deadline: {stat: 1h, routine: 4h}
    reply: {flow: results, count: 1, after: {stat: constant(30min), routine: constant(2h)}}
  results: {from: lab, to: ehr}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
  ehr: {ack: constant(50ms), timeout: 30s}
engine: {cores: 4, transform: constant(10ms)}
"""


class TestReplies:
    def test_result_reaches_the_clinician_after_the_turnaround(self, world_of: MakeWorld) -> None:
        """Order-to-result is transit + turnaround + transit back, per class."""
        w = world_of(WORLD).run()
        flow = w.flows["orders"]
        stat, routine = flow.o2r[0], flow.o2r[2]
        # 10 ms transform + 100 ms ACK out, turnaround, 10 ms + 50 ms back
        # (a result may wait a few ms behind another on the EHR's single connection)
        assert stat.mean == pytest.approx(1800 + 0.17, abs=0.01)
        assert routine.mean == pytest.approx(7200 + 0.17, abs=0.01)
        assert stat.quantile(0.5) == pytest.approx(1800.17, rel=0.01)
        assert stat.count > 250
        assert sum(flow.late) == 0

    def test_results_count_as_messages_of_their_own(self, world_of: MakeWorld) -> None:
        """Every delivered order created before the last turnaround produced one result."""
        w = world_of(WORLD).run()
        assert w.flows["results"].created == pytest.approx(w.flows["orders"].created, rel=0.5)
        assert w.flows["results"].classes == {0, 2}

    def test_orders_still_waiting_at_the_horizon_are_pending_or_late(
        self, world_of: MakeWorld
    ) -> None:
        """Orders without a result count as late once their deadline has passed, else pending."""
        w = world_of(WORLD, sets=["flows.orders.deadline.stat=10min"]).run()
        flow = w.flows["orders"]
        assert flow.late[0] == flow.o2r[0].count + flow.late_open[0]  # every decided one late
        assert flow.late_open[0] > 0  # no result at all, deadline passed
        assert 0 < flow.pending[0] < 20  # created in the last 10 min: still inside it
        assert flow.pending[2] > 0  # routine orders of the last 4 h are still inside the deadline

    def test_mean_count_of_results(self, world_of: MakeWorld) -> None:
        """With count 3 an order produces on average three results (1 + Poisson(2))."""
        w = world_of(WORLD, sets=["flows.orders.reply.count=3", "horizon=24h"]).run()
        delivered_orders = w.flows["orders"].o2r[0].count + w.flows["orders"].o2r[2].count
        assert w.flows["results"].created / delivered_orders == pytest.approx(3.0, rel=0.1)
