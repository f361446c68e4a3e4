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
