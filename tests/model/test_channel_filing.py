"""What the receiving system files, counted exactly: `duplicates` (a second filing of a message
whose ACK was lost) and `order_violations` (a message filed after a newer one of its patient).
"""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation


class TestDuplicates:
    def test_each_resend_after_a_lost_ack_files_a_duplicate(self, world_of: MakeWorld) -> None:
        """Every ACK is lost for the first 12 s: the order of 0 s is filed at 0.001 s, 6.001 s
        and 12.001 s (timeouts of 5 s, retries after 1 s); the third ACK arrives. Two
        duplicates, three sends, one delivery."""
        text = """
        name: duplicates
        horizon: 1min
        flows:
          orders: {from: ehr, to: lab, trace: [{time: 0, priority: routine, patient: 1}]}
        systems:
          lab: {ack: constant(100ms), timeout: 5s}
        engine: {cores: 4, transform: constant(1ms)}
        strategy: {retry: {backoff: fixed, first: 1s}}
        faults:
          - {kind: ack-loss, target: lab, at: +0s, for: 12s, severity: 1}
        """
        w = world_of(text, trace=True).run()
        m = replication_summary(w)["messages"]
        assert (m["duplicates"], m["delivered"], w.count.sends) == (2, 1, 3)
        assert delivered_at(w) == {0: pytest.approx(12.101)}


class TestOrderViolations:
    def test_each_message_filed_after_a_newer_one_of_its_patient_counts(
        self, world_of: MakeWorld
    ) -> None:
        """`order: none`, four connections, the lab down for the first 3 s. Patient 1's order
        of 0 s and patient 2's of 0.5 s time out and are retried 2 s later (7.001 s, 7.501 s),
        after each patient's next order (4 s, 4.5 s) was filed: two violations."""
        text = """
        name: violations
        horizon: 1min
        flows:
          orders:
            from: ehr
            to: lab
            trace:
              - {time: 0, priority: routine, patient: 1}
              - {time: 0.5, priority: routine, patient: 2}
              - {time: 4, priority: routine, patient: 1}
              - {time: 4.5, priority: routine, patient: 2}
        systems:
          lab: {ack: constant(100ms), connections: 4, timeout: 5s}
        engine: {cores: 4, transform: constant(1ms)}
        strategy: {order: none, retry: {backoff: fixed, first: 2s}}
        faults:
          - {kind: system-outage, target: lab, at: +0s, for: 3s}
        """
        w = world_of(text, trace=True).run()
        assert delivered_at(w) == pytest.approx({0: 7.101, 1: 7.601, 2: 4.101, 3: 4.601})
        assert replication_summary(w)["order_violations"] == 2


class TestLostAcksDrawOnlyDuringTheFault:
    def test_a_flow_done_before_the_fault_does_not_change_which_acks_are_lost(
        self, world_of: MakeWorld
    ) -> None:
        """Half the lab's ACKs are lost from 60 s to 120 s. Adding a flow to the lab whose
        messages are all delivered before 60 s leaves the orders' fates unchanged: the same
        orders are filed twice (random streams are not shifted by other traffic)."""
        rows = "".join(
            f"      - {{time: {60 + 2 * i}, priority: routine, patient: {i}}}\n" for i in range(20)
        )
        text = f"""
name: ack-loss
horizon: 10min
flows:
  orders:
    from: ehr
    to: lab
    trace:
{rows}
  early: {{from: ehr, to: lab, trace: TRACE}}
systems:
  lab: {{ack: constant(100ms), connections: 20, timeout: 5s}}
engine: {{cores: 4, transform: constant(1ms)}}
strategy: {{retry: {{backoff: fixed, first: 1s}}}}
faults:
  - {{kind: ack-loss, target: lab, at: +60s, for: 60s, severity: 0.5}}
"""

        def fates(early: str) -> list[float]:
            """When each order was delivered, in creation order."""
            w = world_of(text.replace("TRACE", early), trace=True).run()
            assert w.count.delivered == w.count.created
            assert w.trace is not None
            done = {uid: t for t, uid, flow, _c, ev, *_ in w.trace if ev == "delivered"}
            made = [
                uid for _t, uid, flow, _c, ev, *_ in w.trace if ev == "created" and flow == "orders"
            ]
            return [done[uid] for uid in made]

        alone = fates("[{time: 50, priority: routine, patient: 99}]")
        joined = fates(
            "["
            + ", ".join(f"{{time: {t}, priority: routine, patient: 99}}" for t in range(10, 55, 5))
            + "]"
        )
        assert alone == pytest.approx(joined)
        late = [t for t, made in zip(alone, range(60, 100, 2), strict=True) if t > made + 1]
        assert 3 < len(late) < 17  # about half the orders lost an ACK and were resent
