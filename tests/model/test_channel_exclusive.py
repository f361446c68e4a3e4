"""A strict channel on a shared queue (`queues: shared`, `order: strict`): one message in flight
per channel, and a worker that takes another message for it waits, holding that worker, until
the one in flight is done; then the waiting message is sent at once, on its own worker.  When
the channel is suspended, the waiting messages go back to wait for the restart, behind the
failed one, and their workers are free for the other channels.
"""

from __future__ import annotations

import pytest

from sim.model.message import QUEUED, WAITING
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# One shared queue, two workers (a connection to each system); the lab ACKs in 4 s, RIS in 1 s;
# the engine waits 5 s for an ACK.
# Lab orders at 0 s (uid 0), 1 s (1) and 30 s (3); a RIS order at 2 s (2).
SHARED = """
name: exclusive
horizon: 5min
sample_every: 1min
flows:
  lab-orders:
    from: ehr
    to: lab
    trace:
      - {{time: 0, priority: routine, patient: 1}}
      - {{time: 1, priority: routine, patient: 2}}
      - {{time: 30, priority: routine, patient: 3}}
  ris-orders: {{from: ehr, to: ris, trace: [{{time: 2, priority: routine, patient: 4}}]}}
systems:
  lab: {{ack: constant(4s), timeout: 5s}}
  ris: {{ack: constant(1s), timeout: 5s}}
engine: {{cores: 4, transform: constant(1ms)}}
strategy:
  queues: shared
  order: strict
  on_reply: {{AE: retry, AR: dead-letter, timeout: suspend}}
staff:
  analysts: {{count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}}
faults:
{faults}
"""


class TestOneInFlight:
    def test_a_second_lab_order_waits_on_its_worker_and_goes_when_the_first_is_acked(
        self, world_of: MakeWorld
    ) -> None:
        """The lab order of 1 s takes the second worker and waits on it (the RIS order finds
        none free); at 4.001 s the first is ACKed: the second is sent on its worker, the RIS
        order on the first's. The lab order of 30 s finds the lab free and goes at once."""
        w = world_of(SHARED.format(faults="  []"), trace=True)
        w._start()
        w.clock.run_until(3)
        lab = w.channels["lab"]
        first, second = lab.under_way
        assert lab.owner is first
        assert list(lab.waiters) == [second]
        assert (second.place, w.count.waiting, w.lanes["shared"].idle) == (WAITING, 1, 0)
        w.clock.run_until(5)
        assert lab.owner is second
        assert (len(lab.waiters), w.count.waiting) == (0, 0)
        w.clock.run_until(300)
        w.end = w.env.now
        w._close()
        assert delivered_at(w) == pytest.approx({0: 4.001, 1: 8.001, 2: 5.001, 3: 34.001})
        assert lab.owner is None


class TestSuspendedWhileOthersWait:
    def test_the_waiting_order_waits_for_the_restart_and_frees_its_worker(
        self, world_of: MakeWorld
    ) -> None:
        """The lab is down for 20 s: its first order times out at 5.001 s and suspends it.
        The order waiting on the second worker goes back to wait behind it and frees its
        worker, so the RIS order goes at once (ACKed at 6.001 s). After the restart
        (75.001 s) the three lab orders go one at a time, 4 s each."""
        faults = "  - {kind: system-outage, target: lab, at: +0s, for: 20s}"
        w = world_of(SHARED.format(faults=faults), trace=True)
        w._start()
        w.clock.run_until(5.5)
        lab = w.channels["lab"]
        first, second = lab.under_way
        assert (lab.blocked, lab.owner, list(lab.blocked_q)) == (1, None, [first, second])
        assert (first.place, second.place, w.count.waiting) == (QUEUED, QUEUED, 0)
        w.clock.run_until(300)
        w.end = w.env.now
        w._close()  # checks conservation, waiting messages included
        restart = 5.001 + 60 + 10
        assert delivered_at(w) == pytest.approx(
            {2: 6.001, 0: restart + 4, 1: restart + 8, 3: restart + 12}
        )
        assert w.count.sends == 5
