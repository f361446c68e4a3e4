"""A destination's figures (`queues.<system>` in summary.json), exactly, in small worlds.

`peak_backlog` and `peak_at_s`, `backlog_hours` (the integral of the backlog), `oldest_age_s`
(the oldest message bound there, at the samples), `wait_s` (from the transform's exit to the
start of the send that succeeds) and the flows' `latency_s`, leaving out what was created
before `warmup`; a system that nothing was sent to has every figure at zero.
"""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# Four orders at 0, 1, 2 and 3 s to a lab with one connection and ACKs of 10 s: sent at 0.001,
# 10.001, 20.001 and 30.001 s (a 1 ms transform), delivered 10 s later each.
BURST = """
name: burst
horizon: 2min
sample_every: 5s
warmup: {warmup}
flows:
  orders:
    from: ehr
    to: lab
    trace:
      - {{time: 0, priority: routine, patient: 1}}
      - {{time: 1, priority: routine, patient: 2}}
      - {{time: 2, priority: stat, patient: 3}}
      - {{time: 3, priority: routine, patient: 4}}
systems:
  lab: {{ack: constant(10s), timeout: 1h}}
engine: {{cores: 8, transform: constant(1ms)}}
"""


def burst(world_of: MakeWorld, warmup: str = "0s") -> World:
    return world_of(BURST.format(warmup=warmup), trace=True).run()


class TestBurst:
    def test_deliveries(self, world_of: MakeWorld) -> None:
        w = burst(world_of)
        assert delivered_at(w) == pytest.approx({0: 10.001, 1: 20.001, 2: 30.001, 3: 40.001})

    def test_peak_and_backlog_integral(self, world_of: MakeWorld) -> None:
        """Backlog 1, 2, 3 for a second each, 4 from 3 s to 10.001 s, then 3, 2, 1 for 10 s
        each: 6 + 4 x 7.001 + 60 = 94.004 message-seconds; the peak of 4 is reached at 3 s."""
        q = replication_summary(burst(world_of))["queues"]["lab"]
        assert q["peak_backlog"] == 4
        assert q["peak_at_s"] == pytest.approx(3.0)
        assert q["backlog_hours"] == pytest.approx(94.004 / 3600)

    def test_the_peak_is_when_it_was_first_reached(self, world_of: MakeWorld) -> None:
        """A backlog of 2 at 1 s, and again at 15 s (the order of 0 s left at 10.001 s): the
        peak of 2 dates from 1 s."""
        text = (
            BURST.format(warmup="0s")
            .replace("time: 2,", "time: 15,")
            .replace("time: 3,", "time: 40,")
        )
        q = replication_summary(world_of(text).run())["queues"]["lab"]
        assert (q["peak_backlog"], q["peak_at_s"]) == (2, pytest.approx(1.0))

    def test_oldest_age_at_the_samples(self, world_of: MakeWorld) -> None:
        """Sampled every 5 s, the oldest order still bound to the lab is the last one at
        40 s (created at 3 s, delivered at 40.001 s): 37 s."""
        w = burst(world_of)
        assert replication_summary(w)["queues"]["lab"]["oldest_age_s"] == pytest.approx(37.0)
        assert w.channels["lab"].oldest_age(w.end) == 0.0

    def test_waits_and_latency(self, world_of: MakeWorld) -> None:
        """Waits 0, 9, 18 and 27 s (mean 13.5 s); latencies 10.001, 19.001, 28.001, 37.001."""
        w = burst(world_of)
        q = replication_summary(w)["queues"]["lab"]
        assert q["wait_s"]["mean"] == pytest.approx(13.5)
        wait = w.channels["lab"].wait()
        assert (wait.count, wait.min, wait.max) == (4, pytest.approx(0.0), pytest.approx(27.0))
        routine, stat = w.flows["orders"].latency[2], w.flows["orders"].latency[0]
        assert (routine.count, stat.count) == (3, 1)
        assert routine.total == pytest.approx(10.001 + 19.001 + 37.001)
        assert stat.total == pytest.approx(28.001)
        assert w.channels["lab"].waits[0].total == pytest.approx(18.0)

    def test_a_message_created_at_the_warmup_counts(self, world_of: MakeWorld) -> None:
        """With `warmup: 1s` the order of 0 s is left out, the one created at 1 s is not."""
        w = burst(world_of, warmup="1s")
        wait = w.channels["lab"].wait()
        assert wait.count == 3
        assert wait.total == pytest.approx(9.0 + 18.0 + 27.0)
        hists = w.flows["orders"].latency
        assert sum(h.count for h in hists) == 3
        assert sum(h.total for h in hists) == pytest.approx(19.001 + 28.001 + 37.001)
        assert w.count.delivered == 4


class TestIdleDestination:
    def test_a_system_nothing_reached_has_zero_figures(self, world_of: MakeWorld) -> None:
        """The lab is down all along: its order (created at 30 s) never gets there, so no
        result is sent to the EHR, whose figures stay zero; the lab's peak of 1 is at 30 s."""
        text = """
        name: idle
        horizon: 5min
        sample_every: 1min
        flows:
          orders:
            from: ehr
            to: lab
            trace: [{time: 30, priority: routine, patient: 1}]
            reply: {flow: results, after: constant(1min)}
          results: {from: lab, to: ehr}
        systems:
          lab: {ack: constant(100ms), timeout: 5s}
          ehr: {ack: constant(100ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        faults:
          - {kind: system-outage, target: lab, at: +0s, for: 1h}
        """
        s = replication_summary(world_of(text).run())
        ehr = s["queues"]["ehr"]
        assert (ehr["peak_backlog"], ehr["peak_at_s"]) == (0, 0.0)
        assert (ehr["backlog_hours"], ehr["oldest_age_s"]) == (0.0, 0.0)
        lab = s["queues"]["lab"]
        assert (lab["peak_backlog"], lab["peak_at_s"]) == (1, pytest.approx(30.0))
        assert lab["backlog_hours"] == pytest.approx(270.0 / 3600)
        assert lab["oldest_age_s"] == pytest.approx(300.0 - 30.0)


class TestTimeout:
    @pytest.mark.parametrize(("ack", "delivered"), [("5s", 5.001), ("5001ms", None)])
    def test_an_ack_at_the_timeout_is_in_time(
        self, world_of: MakeWorld, ack: str, delivered: float | None
    ) -> None:
        """The engine waits `timeout` (5 s) for the ACK: one that takes exactly 5 s is in
        time; one that takes 5.001 s is a timeout, and (on_reply: dead-letter) the order is
        given up after one send."""
        text = f"""
        name: timeout
        horizon: 1min
        flows:
          orders: {{from: ehr, to: lab, trace: [{{time: 0, priority: routine, patient: 1}}]}}
        systems:
          lab: {{ack: constant({ack}), timeout: 5s}}
        engine: {{cores: 8, transform: constant(1ms)}}
        strategy: {{on_reply: {{timeout: dead-letter}}}}
        """
        w = world_of(text, trace=True).run()
        if delivered is None:
            assert delivered_at(w) == {}
            assert (w.count.dead_lettered, w.count.sends) == (1, 1)
        else:
            assert delivered_at(w) == {0: pytest.approx(delivered)}
            assert (w.count.dead_lettered, w.count.sends) == (0, 1)


class TestNoAckYet:
    def test_the_fallback_timer_counts_from_the_start_when_nothing_was_acked(
        self, world_of: MakeWorld
    ) -> None:
        """The lab is down from the start and an order waits from 0 s: with no ACK ever, the
        lab has been silent since the start, so its fallback goes on at `trigger_after`."""
        text = """
        name: silent
        horizon: 15min
        sample_every: 1min
        flows:
          orders:
            from: ehr
            to: lab
            trace: [{time: 0, priority: routine, patient: 1}]
            reply: {flow: results, after: constant(1min)}
          results: {from: lab, to: ehr}
        systems:
          lab: {ack: constant(100ms), timeout: 5s}
          ehr: {ack: constant(100ms), timeout: 5s}
        engine: {cores: 8, transform: constant(1ms)}
        fallback: {trigger_after: 10min, share: {routine: 1.0}}
        faults:
          - {kind: system-outage, target: lab, at: +0s, for: 1h}
        """
        w = world_of(text).run()
        assert [(e.time_s, e.target) for e in w.events if e.kind == "fallback-on"] == [
            (600.0, "lab")
        ]
        assert w.channels["lab"].last_ack == 0.0
