"""`on_reply: suspend`: the channel stops at a failure until an analyst restarts it; the failed
message goes first after the restart and keeps its patient's turn meanwhile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.message import HELD, QUEUED
from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# Orders to a lab with two connections, down for the first 30 s; a timeout (5 s) suspends the
# channel; the analyst, called out at once, is there a minute later and restarts it in 10 s.
SUSPEND = """
name: suspend
horizon: 10min
sample_every: 1h
flows:
  orders: {{from: ehr, to: lab, trace: t.csv}}
systems:
  lab: {{ack: constant(100ms), connections: 2, timeout: 5s}}
engine: {{cores: 4, transform: constant(1ms)}}
strategy:
  order: {order}
  on_reply: {{AE: retry, AR: dead-letter, timeout: suspend}}
staff:
  analysts: {{count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}}
faults:
  - {{kind: system-outage, target: lab, at: +0s, for: 30s}}
"""
RESTART = 5.001 + 60 + 10


def suspended(world_of: MakeWorld, tmp_path: Path, rows: str, order: str) -> World:
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    return world_of(SUSPEND.format(order=order), trace=True)


class TestPatientOrderThroughASuspension:
    def test_the_suspended_message_keeps_its_patient_s_turn(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Two orders of one patient (0 s and 1 s): the first times out at 5.001 s and
        suspends the lab; the second, set aside behind it, stays set aside through the
        suspension and goes only after the first's ACK, on the second connection."""
        w = suspended(world_of, tmp_path, "0,routine,7\n1,routine,7\n", "per-patient")
        w._start()
        w.clock.run_until(6)
        ch = w.channels["lab"]
        first, second = ch.under_way
        assert ch.blocked == 1
        assert (first.place, second.place) == (QUEUED, HELD)
        assert list(ch.blocked_q) == [first]
        assert w.count.held == 1
        w.clock.run_until(600)
        restarts = [e.time_s for e in w.events if e.kind == "channel-restarted"]
        assert restarts == [pytest.approx(RESTART)]
        assert delivered_at(w) == pytest.approx({0: RESTART + 0.1, 1: RESTART + 0.2})
        assert w.count.held == 0
        assert ch.order_violations == 0

    def test_other_patients_wait_for_the_restart_and_go_in_parallel(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Orders of other patients created during the suspension wait for the restart, then
        go behind the suspended one, two at a time."""
        rows = "0,routine,1\n10,routine,2\n20,routine,3\n"
        w = suspended(world_of, tmp_path, rows, "per-patient")
        w.run()
        done = delivered_at(w)
        assert done == pytest.approx({0: RESTART + 0.1, 1: RESTART + 0.1, 2: RESTART + 0.2})


# Per-patient order, three connections.  Patient 7's orders of 0 s and 1 s: the first times
# out in a lab outage (0-7 s) and waits out a 10 s backoff while the second is set aside behind
# it.  Patient 8's order of 7 s is poisoned: its negative ACK (7.101 s) suspends the channel.
# The analyst (there at 67.101 s) fixes it in 10 s, then restarts the channel at 87.101 s.
DIVERTED = """
name: diverted
horizon: 5min
sample_every: 1h
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(100ms), connections: 3, timeout: 5s}
engine: {cores: 4, transform: constant(1ms)}
strategy:
  order: per-patient
  retry: {backoff: fixed, first: 10s}
  on_reply: {AE: suspend, AR: dead-letter, timeout: retry}
staff:
  analysts: {count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}
faults:
  - {kind: system-outage, target: lab, at: +0s, for: 7s}
  - {kind: poison-message, target: lab, at: +6s}
"""


class TestARetryMeetingASuspendedChannel:
    def test_it_waits_for_the_restart_and_keeps_its_patient_s_turn(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Patient 7's first order ends its backoff (15.001 s) on the suspended channel: it
        waits for the restart with the poisoned order, its worker freed, and its patient's
        second order stays set aside until it is delivered (87.201 s), not sent beside it."""
        (tmp_path / "t.csv").write_text(
            "time,priority,patient\n0,routine,7\n1,routine,7\n7,routine,8\n"
        )
        w = world_of(DIVERTED, trace=True)
        w._start()
        w.clock.run_until(20)
        ch = w.channels["lab"]
        first, second, poisoned = ch.under_way
        assert ch.blocked == 1
        assert list(ch.blocked_q) == [poisoned, first]
        assert (first.place, second.place, w.count.held, w.count.backoff) == (QUEUED, HELD, 1, 0)
        assert w.lanes["lab"].idle == 3
        w.clock.run_until(300)
        restart = 7.101 + 60 + 10 + 10
        assert [e.time_s for e in w.events if e.kind == "channel-restarted"] == [
            pytest.approx(restart)
        ]
        assert delivered_at(w) == pytest.approx(
            {0: restart + 0.1, 2: restart + 0.1, 1: restart + 0.2}
        )
        assert ch.order_violations == 0
