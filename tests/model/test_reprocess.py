"""Analysts reprocess parked and dead-lettered messages, once the faults on their channel are over.

Each parked or dead-lettered message is a task of its own (one `fix`).  A message is put back
only if it is still parked (or dead-lettered) when an analyst reaches it: one that returned on
its own after `retry.first` is not touched.  Reprocessing a channel's messages waits while a
fault acting on that channel is under way (its system's faults, the engine-wide faults, surges
on its flows), never for unrelated faults.  Analysts fix poison messages first, then restart
suspended channels, then reprocess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Four lab orders sent during a 10-min lab outage fail once each and are parked or
# dead-lettered; the analysts (called out for 5 min) take 2 min per message.
BASE = """
name: reprocess
horizon: 3h
sample_every: 1min
flows:
  orders: {{from: ehr, to: lab, trace: t.csv}}
  ris-orders: {{from: ehr, to: ris, rate: 60/h}}
systems:
  lab: {{ack: constant(100ms), timeout: 10s}}
  ris: {{ack: constant(100ms), timeout: 10s}}
engine: {{transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: {first}, attempts: 1, then: {then}}}
staff:
  analysts: {{count: 1, respond: 5min, fix: constant(2min), start_on_alert: false}}
faults:
  - {{kind: system-outage, target: lab, at: +10min, for: 10min}}
{more}
"""
CREATED = (660, 720, 780, 840)
OUTAGE_END = 1200.0
CALL_OUT = 300.0
FIX = 120.0


def make(
    world_of: MakeWorld,
    tmp_path: Path,
    *,
    then: str = "dead-letter",
    first: str = "1min",
    more: str = "",
    sets: tuple[str, ...] = (),
) -> World:
    """The world above, its lab orders created at CREATED (s)."""
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(CREATED))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    text = BASE.format(then=then, first=first, more=more)
    return world_of(text, sets=sets, trace=True)


def times(w: World, kind: str) -> list[float]:
    """When events of one kind happened."""
    return [e.time_s for e in w.events if e.kind == kind]


def lab_delivered(w: World) -> list[float]:
    """When the lab orders were delivered, in time order."""
    assert w.trace is not None
    return sorted(
        t for t, _uid, flow, _c, ev, *_ in w.trace if flow == "orders" and ev == "delivered"
    )


class TestParked:
    def test_analysts_reprocess_parked_messages(self, world_of: MakeWorld, tmp_path: Path) -> None:
        """Parked for 2 h, the four orders are put back one by one after the outage instead."""
        w = make(world_of, tmp_path, then="park", first="2h").run()
        done = times(w, "reprocessed")
        expected = [OUTAGE_END + CALL_OUT + FIX * k for k in (1, 2, 3, 4)]
        assert done == [pytest.approx(t) for t in expected]
        assert lab_delivered(w) == [pytest.approx(t + 0.1) for t in expected]
        assert w.count.parked == 0

    def test_a_message_that_returned_on_its_own_is_not_reprocessed(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Parked for 3 min, each order returns on its own before the analyst reaches it: no
        reprocessing and no fix spent, only the call-out; each is delivered on its return."""
        w = make(world_of, tmp_path, then="park", first="3min").run()
        assert times(w, "reprocessed") == []
        assert w.count.parked == 0
        # each order is parked again every 3 min 10 s during the outage, and is parked when it
        # ends (so the analysts are called out); it comes back within 3 min of the end
        assert lab_delivered(w) == [pytest.approx(t) for t in (1220.1, 1230.1, 1290.1, 1350.1)]
        hours = replication_summary(w)["staff_hours"]["analysts"]
        assert hours == pytest.approx(CALL_OUT / 3600, abs=1e-9)

    def test_fixes_and_restarts_go_before_reprocessing(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """A poison message suspends radiology during the call-out for the lab's dead letters:
        the analyst fixes it, restarts the channel, then reprocesses the dead letters."""
        poison = "  - {kind: poison-message, target: ris, at: +20min}"
        sets = ("flows.ris-orders.rate=3600/h", "strategy.on_reply.AE=suspend")
        w = make(world_of, tmp_path, more=poison, sets=sets).run()
        nak = times(w, "poison-nak")[0]
        assert OUTAGE_END < nak < OUTAGE_END + CALL_OUT
        assert times(w, "poison-fixed") == [pytest.approx(OUTAGE_END + CALL_OUT + FIX)]
        assert times(w, "channel-restarted") == [pytest.approx(OUTAGE_END + CALL_OUT + 2 * FIX)]
        done = times(w, "reprocessed")
        assert done == [pytest.approx(OUTAGE_END + CALL_OUT + FIX * k) for k in (3, 4, 5, 6)]


# Each row: a fault added to the lab outage (10-20 min) and when the reprocessing of the lab's
# dead letters may start: at 20 min when the fault does not act on the lab channel, at 40 min
# when it does (it lasts from 15 to 40 min).
UNRELATED = [
    "{kind: system-outage, target: ris, at: +15min, for: 25min}",
    "{kind: partition, target: [ris], at: +15min, for: 25min}",
    "{kind: system-slowdown, target: ris, severity: 3, at: +15min, for: 25min}",
    "{kind: ack-loss, target: ris, severity: 0.5, at: +15min, for: 25min}",
    "{kind: surge, target: ris-orders, severity: 2, at: +15min, for: 25min}",
    # acts on the lab, but only from 1 h on: nothing is under way when the outage ends
    "{kind: system-slowdown, target: lab, severity: 2, at: +1h, for: 30min}",
]
RELATED = [
    "{kind: partition, target: [lab, ris], at: +15min, for: 25min}",
    "{kind: system-slowdown, target: all, severity: 2, at: +15min, for: 25min}",
    "{kind: ack-loss, target: lab, severity: 0.5, at: +15min, for: 25min}",
    "{kind: surge, target: all, severity: 2, at: +15min, for: 25min}",
    "{kind: surge, target: orders, severity: 2, at: +15min, for: 25min}",
    "{kind: engine-slowdown, severity: 2, at: +15min, for: 25min}",
    "{kind: engine-stall, at: +15min, for: 25min}",
    "{kind: node-crash, at: +15min, for: 25min}",
]


class TestWaitForFaultsOnTheChannel:
    @pytest.mark.parametrize("fault", UNRELATED)
    def test_an_unrelated_fault_does_not_delay_reprocessing(
        self, world_of: MakeWorld, tmp_path: Path, fault: str
    ) -> None:
        """Dead letters are reprocessed right after the lab outage, whatever else happens."""
        w = make(world_of, tmp_path, more=f"  - {fault}").run()
        assert times(w, "reprocessed")[0] == pytest.approx(OUTAGE_END + CALL_OUT + FIX)

    @pytest.mark.parametrize("fault", RELATED)
    def test_a_fault_on_the_channel_delays_reprocessing_until_it_ends(
        self, world_of: MakeWorld, tmp_path: Path, fault: str
    ) -> None:
        """A fault acting on the lab channel and under way when the outage ends: wait for it."""
        w = make(world_of, tmp_path, more=f"  - {fault}").run()
        assert times(w, "reprocessed")[0] == pytest.approx(2400 + CALL_OUT + FIX)

    def test_parked_messages_wait_for_the_faults_on_their_channel_too(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Parked orders are put back once the lab outage and a surge on `all` have ended."""
        fault = "  - {kind: surge, target: all, severity: 2, at: +15min, for: 25min}"
        w = make(world_of, tmp_path, then="park", first="2h", more=fault).run()
        assert times(w, "reprocessed")[0] == pytest.approx(2400 + CALL_OUT + FIX)


# Each row: a fault, whether it acts on the lab channel (flow `orders`), whether on radiology's
# (flow `ris-orders`), and whether on the EHR's inbound channel (`all` leaves the EHR out).
ACTS_ON = [
    ("{kind: system-outage, target: ris, at: +1h, for: 1h}", False, True, False),
    ("{kind: partition, target: [lab, ris], at: +1h, for: 1h}", True, True, False),
    ("{kind: system-slowdown, target: all, severity: 2, at: +1h, for: 1h}", True, True, False),
    ("{kind: system-slowdown, target: lab, severity: 2, at: +1h, for: 1h}", True, False, False),
    ("{kind: ack-loss, target: ris, severity: 0.5, at: +1h, for: 1h}", False, True, False),
    ("{kind: surge, target: all, severity: 2, at: +1h, for: 1h}", True, True, True),
    ("{kind: surge, target: orders, severity: 2, at: +1h, for: 1h}", True, False, False),
    ("{kind: surge, target: ris-orders, severity: 2, at: +1h, for: 1h}", False, True, False),
    ("{kind: engine-slowdown, severity: 2, at: +1h, for: 1h}", True, True, True),
    ("{kind: engine-stall, at: +1h, for: 1h}", True, True, True),
    ("{kind: node-crash, at: +1h, for: 1h}", True, True, True),
    ("{kind: poison-message, target: ris, at: +1h}", False, True, False),
]


class TestActsOnChannel:
    @pytest.mark.parametrize(("fault", "lab", "ris", "ehr"), ACTS_ON)
    def test_which_channels_a_fault_acts_on(
        self,
        world_of: MakeWorld,
        tmp_path: Path,
        fault: str,
        lab: bool,
        ris: bool,
        ehr: bool,
    ) -> None:
        """A system fault acts on its targets' channels, a surge on its flows' channels, an
        engine-wide fault on every channel."""
        w = make(world_of, tmp_path, more=f"  - {fault}")
        f = w.faults[1]
        assert f.acts_on_channel(w, "lab", ["orders"]) is lab
        assert f.acts_on_channel(w, "ris", ["ris-orders"]) is ris
        assert f.acts_on_channel(w, "ehr", ["results"]) is ehr


class TestParkedAgain:
    def test_a_resubmitted_message_parked_again_keeps_its_new_park_time(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Put back at 27 min into a second outage (26-60 min), the order is parked again for
        30 min: the first park's timer (41 min) no longer moves it, so it is sent 4 times:
        11 min, 27 min (analyst), 57 min (its own return), 67 min (analyst, after the outage)."""
        (tmp_path / "t.csv").write_text("time,priority,patient\n660,routine,1\n")
        text = BASE.format(then="park", first="30min", more="").replace(
            "ris-orders: {from: ehr, to: ris, rate: 60/h}", "ris-orders: {from: ehr, to: ris}"
        )
        text += "  - {kind: system-outage, target: lab, at: +26min, for: 34min}\n"
        w = world_of(text, trace=True).run()
        assert times(w, "reprocessed") == [pytest.approx(1620), pytest.approx(4020)]
        assert lab_delivered(w) == [pytest.approx(4020.1)]
        assert w.count.sends == 4
