"""Per-patient and strict order at the receiver."""

from __future__ import annotations

import pytest

from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Few patients, a priority queue at ρ = 0.8 and jittery transforms on many cores: a patient's
# STAT message overtakes the same patient's older routine one unless the channel keeps order.
WORLD = """
name: order
horizon: 2h
patients: 5
flows:
  orders: {from: ehr, to: lab, rate: 2/s, priority: {stat: 0.3, routine: 0.7}}
systems:
  lab: {ack: exponential(800ms), connections: 2, timeout: 1h}
engine: {cores: 8, transform: exponential(20ms)}
strategy: {discipline: priority}
"""


class TestPerPatientOrder:
    def test_order_none_lets_messages_overtake(self, world_of: MakeWorld) -> None:
        """Without a guarantee, parallel connections file a patient's messages out of order."""
        w = world_of(WORLD, sets=["strategy.order=none"]).run()
        assert w.channels["lab"].order_violations > 100

    def test_per_patient_order_holds_at_the_receiver(self, world_of: MakeWorld) -> None:
        """Per-patient order files every patient's messages in the order the engine took them."""
        w = world_of(WORLD, sets=["strategy.order=per-patient"]).run()
        assert w.channels["lab"].order_violations == 0
        assert w.count.delivered > 0.95 * w.count.created

    def test_a_violation_under_per_patient_order_breaks_the_run(self, world_of: MakeWorld) -> None:
        """Order is checked as an invariant: a violation on a channel that gave nothing up
        (nothing parked nor reprocessed) stops the run, naming the channel and its order."""
        from sim.model.world import InvariantBroken

        w = world_of(WORLD, sets=["strategy.order=per-patient", "horizon=10min"]).run()
        w.channels["lab"].order_violations = 1
        with pytest.raises(
            InvariantBroken,
            match="1 per-patient order violations on channel lab under order: per-patient",
        ):
            w.check_invariants()

    def test_strict_order_holds_and_sends_one_at_a_time(self, world_of: MakeWorld) -> None:
        """Strict order has one message in flight per channel and no violations."""
        sets = ["strategy.order=strict", "systems.lab.ack=exponential(300ms)"]
        w = world_of(WORLD, sets=[*sets, "systems.lab.connections=1"])
        w.run()
        assert w.lanes["lab"].workers == 1
        assert w.channels["lab"].order_violations == 0

    def test_per_patient_order_still_uses_parallel_connections(self, world_of: MakeWorld) -> None:
        """Per-patient order keeps the throughput of all connections across patients."""
        text = WORLD.replace("patients: 5", "patients: 100000")
        w = world_of(text, sets=["strategy.order=per-patient"]).run()
        none = world_of(text, sets=["strategy.order=none"]).run()
        # with many patients the gate almost never holds anything back
        assert abs(w.channels["lab"].wait().mean - none.channels["lab"].wait().mean) < 0.05


class TestSharedStrict:
    def test_shared_strict_queue_lets_one_blocked_channel_take_every_worker(
        self, world_of: MakeWorld
    ) -> None:
        """A shared strict queue plugs every channel once one destination stops answering."""
        text = """
        name: plug
        horizon: 3h
        flows:
          lab-orders: {from: ehr, to: lab, rate: 600/h}
          ris-orders: {from: ehr, to: ris, rate: 600/h}
        systems:
          lab: {ack: constant(100ms), timeout: 30s}
          ris: {ack: constant(100ms), timeout: 30s}
        strategy: {queues: shared, order: strict, retry: {backoff: fixed, first: 10s}}
        faults:
          - {kind: system-outage, target: lab, at: +1h, for: 1h}
        """
        shared = world_of(text).run()
        separate = world_of(text, sets=["strategy.queues=per-destination"]).run()
        ris_shared = max(shared.samples.columns["queue.ris"])
        ris_separate = max(separate.samples.columns["queue.ris"])
        assert ris_separate < 10
        assert ris_shared > 300  # about an hour of RIS orders waited behind the dead lab
