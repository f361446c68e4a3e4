"""Faults on small worlds: stalls, outages, crashes, lost ACKs, poison messages, overlaps."""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.summary import replication_summary
from sim.model.message import DELIVERED, OUTBOUND
from sim.theory import drain_time
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# λ = 0.5/s into one connection that takes 100 ms (μ = 10/s); a one-hour stall at 1 h.
STALL = """
name: stall
horizon: 4h
warmup: 10min
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 1800/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
engine: {cores: 8, transform: constant(1ms)}
faults:
  - {name: integration servers stall, kind: engine-stall, at: +1h, for: 1h}
"""


def column_at(w: object, name: str, t: float) -> float:
    samples = w.samples  # type: ignore[attr-defined]
    i = samples.time_s.index(t)
    return float(samples.columns[name][i])


class TestEngineStall:
    def test_backlog_at_the_end_of_a_full_stall_equals_the_arrivals_during_it(
        self, world_of: MakeWorld
    ) -> None:
        """A full stall queues every message that arrives while it lasts (1800 within 5 %)."""
        w = world_of(STALL).run()
        assert column_at(w, "queue.lab", 7200.0) == pytest.approx(1800, rel=0.05)

    def test_recovery_time_matches_the_fluid_estimate(self, world_of: MakeWorld) -> None:
        """The backlog drains in backlog / (drain capacity - arrival rate), within 15 %."""
        w = world_of(STALL).run()
        backlog = column_at(w, "queue.lab", 7200.0)
        expected = drain_time(backlog, 10.0, 0.5)  # about 190 s
        summary = replication_summary(w)
        assert summary["recovery_time_s"] == pytest.approx(expected, rel=0.15)
        assert summary["queues"]["lab"]["recovery_time_s"] == summary["recovery_time_s"]

    def test_hold_keeps_the_backlog_in_the_engine(self, world_of: MakeWorld) -> None:
        """In `hold` mode the engine accepts: the backlog is in its channel queue."""
        w = world_of(STALL).run()
        assert column_at(w, "lane.lab", 7190.0) > 1700
        assert column_at(w, "outbound.ehr", 7190.0) == 0

    def test_refuse_keeps_the_backlog_at_the_senders(self, world_of: MakeWorld) -> None:
        """In `refuse` mode the engine refuses: the backlog is in the EHR's outbound queue."""
        w = world_of(STALL, sets=["faults.0.mode=refuse"]).run()
        assert column_at(w, "outbound.ehr", 7190.0) > 1700
        assert column_at(w, "lane.lab", 7190.0) == 0
        assert w.count.delivered >= w.count.created - 2

    @pytest.mark.parametrize("severity", [0.5, 0.8])
    def test_partial_stall_sends_at_one_minus_severity_of_the_capacity(
        self, world_of: MakeWorld, severity: float
    ) -> None:
        """During a partial stall the channel delivers (1 - severity) of its capacity.

        A full stall from 1 h to 2 h leaves about 1,800 messages queued (0.5/s for an hour);
        a partial stall of `severity` s then runs from 2 h for 5 min.  The one connection takes
        exactly 100 ms a send (10/s) and is paused for s of every minute, so with the queue
        never empty it delivers (1 - s) x 10/s x 300 s: 1,500 messages at s = 0.5, 600 at
        s = 0.8 (within one send per minute at the pause edges).  Without the fault the
        backlog would clear (about 1,950 delivered); with severity ignored, none would be.
        """
        text = STALL + (
            f"  - {{name: partial, kind: engine-stall, at: +2h, for: 5min, severity: {severity}}}\n"
        )
        w = world_of(text, trace=True).run()
        times = np.array(list(delivered_at(w).values()))
        during = int(((times > 7200.0) & (times <= 7500.0)).sum())
        assert during == pytest.approx((1 - severity) * 10.0 * 300.0, abs=5)
        assert column_at(w, "queue.lab", 7500.0) > 100  # never empty: the capacity was the limit

    def test_phases_and_events(self, world_of: MakeWorld) -> None:
        """The stall's start and end are events; the queue goes degraded, recovering, stable."""
        from sim.experiments.run import replicate

        rep = replicate(world_of(STALL).scenario, 0)
        kinds = [(e.kind, e.detail) for e in rep.events if e.kind in ("fault-start", "fault-end")]
        assert kinds == [
            ("fault-start", "integration servers stall"),
            ("fault-end", "integration servers stall"),
        ]
        phases = [e.detail for e in rep.events if e.kind == "phase"]
        assert phases == ["degraded", "recovering", "stable"]


OUTAGES_WORLD = """
name: outages
horizon: 4h
sample_every: 30s
flows:
  lab-orders: {from: ehr, to: lab, rate: 600/h}
  ris-orders: {from: ehr, to: ris, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
  ris: {ack: constant(100ms), timeout: 10s}
strategy: {retry: {backoff: fixed, first: 20s}}
"""


class TestOutages:
    WORLD = OUTAGES_WORLD

    def test_overlapping_outages_keep_the_system_down_until_the_last_ends(
        self, world_of: MakeWorld
    ) -> None:
        """Two overlapping outages make one window: nothing reaches the lab from 1 h to 2.5 h."""
        text = self.WORLD + (
            "faults:\n"
            "  - {kind: system-outage, target: lab, at: +1h, for: 1h}\n"
            "  - {kind: partition, target: [lab], at: +1h30m, for: 1h}\n"
        )
        w = world_of(text, trace=True).run()
        flow_of = {uid: flow for _t, uid, flow, _cls, ev, *_ in w.trace or [] if ev == "created"}
        times = np.array([t for uid, t in delivered_at(w).items() if flow_of[uid] == "lab-orders"])
        assert not ((times > 3600 + 10) & (times < 9000)).any()
        assert ((times > 9000) & (times < 9100)).any()
        assert column_at(w, "queue.ris", 5400.0) < 5

    def test_stall_and_outage_overlap(self, world_of: MakeWorld) -> None:
        """An engine stall inside a system outage: both end, every message is delivered."""
        text = self.WORLD + (
            "faults:\n"
            "  - {kind: system-outage, target: lab, at: +1h, for: 1h}\n"
            "  - {kind: engine-stall, at: +1h30m, for: 1h}\n"
        )
        w = world_of(text).run()
        assert column_at(w, "queue.ris", 2 * 3600.0) > 250  # stalled too
        assert w.count.outstanding < 10
        assert w.count.dead_lettered == 0

    def test_slowdowns_scale_service(self, world_of: MakeWorld) -> None:
        """A system slowdown of 10x makes each ACK take a second while it lasts."""
        text = self.WORLD + (
            "faults:\n  - {kind: system-slowdown, target: lab, at: +1h, for: 1h, severity: 10}\n"
        )
        w = world_of(text).run()
        summary = replication_summary(w)
        lat = summary["latency_s"]["lab-orders"]["routine"]
        assert lat["max"] >= 1.0  # at least one slowed ACK (0.1 s x 10)
        assert lat["p50"] < 0.2  # most of the day is not slowed
        ris = summary["latency_s"]["ris-orders"]["routine"]
        assert ris["max"] < 0.5


NODECRASH_WORLD = """
name: crash
horizon: 3h
flows:
  orders: {from: ehr, to: lab, rate: 1800/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
engine: {nodes: 2, store: memory, failover: {detect: 2min, switch: 5min}}
faults:
  - {kind: engine-stall, at: +1h, for: 1h}
  - {kind: node-crash, target: 0, at: +1h30m, for: 2h}
"""


class TestNodeCrash:
    WORLD = NODECRASH_WORLD

    def _held_at_crash(self, world_of: MakeWorld, text: str) -> tuple[object, int]:
        w = world_of(text)
        w._start()
        w.clock.run_until(5400.0)
        held = sum(
            1
            for ch in w.channels.values()
            for m in ch.under_way
            if m.place < DELIVERED and m.place != OUTBOUND
        )
        return w, held

    def test_memory_store_loses_exactly_what_the_node_held(self, world_of: MakeWorld) -> None:
        """A memory-store crash loses every message the engine held then, counted by flow."""
        w, held = self._held_at_crash(world_of, self.WORLD)
        assert held > 800
        w.run()  # type: ignore[attr-defined]
        assert w.count.lost == held  # type: ignore[attr-defined]
        assert w.flows["orders"].lost == held  # type: ignore[attr-defined]
        assert replication_summary(w)["messages"]["lost"] == held  # type: ignore[arg-type]

    def test_durable_store_loses_nothing(self, world_of: MakeWorld) -> None:
        """A durable store keeps every message through the crash and the failover."""
        w = world_of(self.WORLD, sets=["engine.store=durable"]).run()
        assert w.count.lost == 0
        assert w.count.outstanding < 5

    def test_failover_stops_the_engine_for_detect_plus_switch(self, world_of: MakeWorld) -> None:
        """The engine refuses during detection and switch-over, then the passive node takes over."""
        text = self.WORLD.replace("  - {kind: engine-stall, at: +1h, for: 1h}\n", "")
        from sim.experiments.run import replicate

        rep = replicate(world_of(text, sets=["engine.store=durable"]).scenario, 0)
        kinds = {e.kind: e.time_s for e in rep.events}
        assert kinds["node-crash"] == 5400.0
        assert kinds["failover"] == pytest.approx(5400.0 + 420.0)

    def test_single_node_waits_for_the_repair(self, world_of: MakeWorld) -> None:
        """With one node there is no failover: the engine is back when the node is repaired."""
        text = self.WORLD.replace("nodes: 2", "nodes: 1").replace("for: 2h}", "for: 30min}")
        from sim.experiments.run import replicate

        rep = replicate(world_of(text, sets=["engine.store=durable"]).scenario, 0)
        kinds = {e.kind: e.time_s for e in rep.events}
        assert "failover" not in kinds
        assert kinds["node-active"] == pytest.approx(5400.0 + 1800.0)


class TestAckLoss:
    def test_lost_acks_give_duplicates_and_no_loss(self, world_of: MakeWorld) -> None:
        """Lost ACKs make the engine resend what was filed: duplicates, nothing lost."""
        text = STALL.replace(
            "  - {name: integration servers stall, kind: engine-stall, at: +1h, for: 1h}",
            "  - {kind: ack-loss, target: lab, at: +1h, for: 1h, severity: 0.2}",
        )
        w = world_of(text, sets=["systems.lab.timeout=5s"]).run()
        # every failed send was a filed message whose ACK got lost; its resend filed it again
        assert w.count.duplicates == w.count.sends - w.count.delivered - w.count.sending
        assert w.count.duplicates > 150
        assert w.count.lost == 0
        assert w.count.delivered == w.count.created - w.count.outstanding
        assert w.count.outstanding <= 2


class TestInvariants:
    def test_conservation_failure_names_the_invariant_and_the_time(
        self, world_of: MakeWorld
    ) -> None:
        """A count out of step breaks the run with the invariant's name and the time."""
        from sim.model.world import InvariantBroken

        w = world_of(STALL)
        w.run()
        w.count.delivered += 1
        with pytest.raises(InvariantBroken, match=r"conservation broken at 14400\.000 s"):
            w.check_invariants()

    def test_time_running_backwards_is_caught(self, world_of: MakeWorld) -> None:
        """An event scheduled in the past stops the run as a broken invariant."""
        from sim.model.world import InvariantBroken

        w = world_of(STALL)
        w._start()
        w.clock.run_until(100.0)
        w.clock.call_in(-5.0, lambda ev: None, None)
        with pytest.raises(InvariantBroken, match="simulated time is not monotone"):
            w.run()

    def test_a_world_creating_more_than_the_limit_stops_at_the_guard(
        self, world_of: MakeWorld
    ) -> None:
        """More messages than limits.messages stops the run, marked incomplete."""
        w = world_of(STALL, sets=["limits.messages=1000"]).run()
        assert not w.complete
        assert "limits.messages = 1000" in w.stop_reason
        assert w.count.created <= 1000 + 20

    def test_a_wall_clock_limit_stops_a_runaway_run(self, world_of: MakeWorld) -> None:
        """A run longer than limits.wall stops at the next sample, marked incomplete."""
        w = world_of(STALL, sets=["limits={wall: 1ms}", "horizon=30d"]).run()
        assert not w.complete
        assert "wall-clock limit" in w.stop_reason
        assert w.end < 30 * 86400
