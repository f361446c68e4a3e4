"""An engine stall (`mode: hold`) stops new sends: what is under way finishes, and what comes
due meanwhile (a patient's next order released by an ACK, a retry whose backoff ends, a
strict channel's next message) waits, still bound to its destination, and goes when the stall
ends.
"""

from __future__ import annotations

from collections import deque

import pytest

from sim.model.message import QUEUED, WAITING
from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# Per-patient order.  Patient 1's lab orders of 0 s (ACKed at 2.001 s, during the stall of
# 1-20 s) and 0.5 s (set aside behind it); a RIS order of 0.2 s, RIS being down for 30 s:
# it times out at 5.201 s and its 10 s backoff ends in the stall.  Sampled every second.
STALL = """
name: stall
horizon: 2min
sample_every: 1s
flows:
  lab-orders:
    from: ehr
    to: lab
    trace:
      - {time: 0, priority: routine, patient: 1}
      - {time: 0.5, priority: routine, patient: 1}
  ris-orders: {from: ehr, to: ris, trace: [{time: 0.2, priority: routine, patient: 2}]}
systems:
  lab: {ack: constant(2s), connections: 2, timeout: 5s}
  ris: {ack: constant(100ms), timeout: 5s}
engine: {cores: 4, transform: constant(1ms)}
strategy:
  order: per-patient
  retry: {backoff: fixed, first: 10s}
faults:
  - {kind: engine-stall, at: +1s, for: 19s}
  - {kind: system-outage, target: ris, at: +0s, for: 30s}
"""


def stalled(world_of: MakeWorld) -> World:
    w = world_of(STALL, trace=True)
    w._start()
    return w


class TestWhatComesDueInAStall:
    def test_it_waits_bound_to_its_destination_and_goes_after_the_stall(
        self, world_of: MakeWorld
    ) -> None:
        """At 16 s the lab order of 0.5 s (released at 2.001 s) waits to be sent, and so
        does the RIS order (its backoff ended at 15.201 s, on its worker); both are the oldest
        of their destinations.  At 20 s both are sent: the lab order is ACKed at 22 s, the
        RIS order times out (RIS is down until 30 s) and is ACKed after its next backoff."""
        w = stalled(world_of)
        w.clock.run_until(16)
        lab, ris = w.channels["lab"], w.channels["ris"]
        (second,), (scan,) = list(lab.under_way), list(ris.under_way)  # the first has left
        assert (second.place, scan.place) == (QUEUED, WAITING)
        assert list(w.lanes["lab"].ready) == [second]
        assert list(w.lanes["ris"].resume) == [scan]
        assert (lab.oldest_age(16), ris.oldest_age(16)) == (pytest.approx(15.5), 15.8)
        w.clock.run_until(120)
        w.end = w.env.now
        w._close()
        assert delivered_at(w) == pytest.approx({0: 2.001, 2: 22.0, 1: 35.1})
        assert (w.count.sends, w.count.delivered) == (5, 3)  # RIS: 0.201 s, 20 s, 35 s


# A shared strict queue (two workers); the lab's first order (ACK 4 s) is ACKed in a stall.
STRICT = """
name: strict-stall
horizon: 2min
sample_every: 1s
flows:
  lab-orders:
    from: ehr
    to: lab
    trace:
      - {time: 0, priority: routine, patient: 1}
      - {time: 1, priority: routine, patient: 2}
  ris-orders: {from: ehr, to: ris, trace: [{time: 2, priority: routine, patient: 3}]}
systems:
  lab: {ack: constant(4s), timeout: 5s}
  ris: {ack: constant(1s), timeout: 5s}
engine: {cores: 4, transform: constant(1ms)}
strategy: {queues: shared, order: strict}
faults:
  - {kind: engine-stall, at: +3s, for: 7s}
"""


class TestStrictNextInAStall:
    def test_the_next_message_of_a_strict_channel_waits_for_the_stall_s_end(
        self, world_of: MakeWorld
    ) -> None:
        """The lab order of 1 s waits on the second worker; the first is ACKed at 4.001 s,
        in the stall: the second becomes the lab's one in flight, but is sent only at 10 s
        (ACKed at 14 s), and the RIS order on the freed worker then too (11 s)."""
        w = world_of(STRICT, trace=True)
        w._start()
        w.clock.run_until(6)
        lab = w.channels["lab"]
        (second,) = lab.under_way  # the first has left
        assert lab.owner is second
        assert list(w.lanes["shared"].resume) == [second]
        w.clock.run_until(120)
        w.end = w.env.now
        w._close()
        assert delivered_at(w) == pytest.approx({0: 4.001, 1: 14.0, 2: 11.0})


# The lab (two connections, ACK 2 s, timeout 2.5 s) is down until 3 s: the order of 0 s times
# out at 2.501 s and its 3 s backoff ends in the stall (5-20 s).  The order of 4.5 s, sent
# before the stall, is poisoned: its negative ACK (6.501 s) suspends the channel.  The
# analyst, there at 66.501 s, fixes it (76.501 s) and restarts the channel (86.501 s).
SUSPENDED_IN_STALL = """
name: suspended-in-stall
horizon: 3min
sample_every: 1s
flows:
  orders:
    from: ehr
    to: lab
    trace:
      - {time: 0, priority: routine, patient: 1}
      - {time: 4.5, priority: routine, patient: 2}
systems:
  lab: {ack: constant(2s), connections: 2, timeout: 2500ms}
engine: {cores: 4, transform: constant(1ms)}
strategy:
  retry: {backoff: fixed, first: 3s}
  on_reply: {AE: suspend, AR: dead-letter, timeout: retry}
staff:
  analysts: {count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}
faults:
  - {kind: system-outage, target: lab, at: +0s, for: 3s}
  - {kind: poison-message, target: lab, at: +4s}
  - {kind: engine-stall, at: +5s, for: 15s}
"""


class TestSuspendedDuringAStall:
    def test_a_retry_held_by_the_stall_waits_for_the_restart(self, world_of: MakeWorld) -> None:
        """When the stall ends the retry held since 5.501 s meets a suspended channel: it
        waits behind the poisoned order, its connection free, and both go at the restart."""
        w = world_of(SUSPENDED_IN_STALL, trace=True)
        w._start()
        w.clock.run_until(10)
        lab = w.channels["lab"]
        first, poisoned = lab.under_way
        assert (lab.blocked, first.place, list(w.lanes["lab"].resume)) == (1, WAITING, [first])
        w.clock.run_until(21)
        assert list(lab.blocked_q) == [poisoned, first]
        assert (first.place, w.lanes["lab"].idle, w.lanes["lab"].resume) == (QUEUED, 2, deque())
        w.clock.run_until(180)
        w.end = w.env.now
        w._close()
        restart = 6.501 + 60 + 10 + 10
        assert delivered_at(w) == pytest.approx({0: restart + 2, 1: restart + 2})
