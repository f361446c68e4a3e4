"""What each fault kind hits, as the format's fault table says.

System faults (`system-outage`, `partition`, `system-slowdown`, `ack-loss`) take one system, a
list, or `all`: every system under `systems` except `ehr`, which is hit only when named.  While
the fault lasts its effect is on exactly those systems, and when it ends it is gone; events.csv
names them, `;`-separated.  Engine-wide faults have no target, a node crash names its node, a
surge its flow (or `all`).  Which channels a fault acts on decides when the analysts may
reprocess a channel's dead letters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld
from tests.model.test_reprocess import CALL_OUT, FIX, make

pytestmark = pytest.mark.mutation

WORLD = """
name: targets
horizon: 1h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, rate: 60/h}
  ris-orders: {from: ehr, to: ris, rate: 60/h}
  lab-results: {from: lab, to: ehr, rate: 60/h}
systems:
  ehr: {ack: constant(100ms), timeout: 10s}
  lab: {ack: constant(100ms), timeout: 10s}
  ris: {ack: constant(100ms), timeout: 10s}
engine: {nodes: 2}
faults:
  - FAULT
"""
SYSTEMS = ("ehr", "lab", "ris")
DURING, AFTER = 30 * 60.0, 60 * 60.0  # the fault lasts from 20 to 40 min


def states(world_of: MakeWorld, fault: str) -> tuple[World, dict[float, dict[str, tuple]]]:
    """The world run with `fault` from 20 to 40 min, and each system's (down, slow, ack loss)
    during the fault and at the end."""
    w = world_of(WORLD.replace("FAULT", fault))
    seen: dict[float, dict[str, tuple]] = {}

    def look(now: float) -> None:
        if now in (DURING, AFTER):
            seen[now] = {
                sid: (w.systems[sid].down, w.systems[sid].slow, w.systems[sid].ack_loss)
                for sid in SYSTEMS
            }

    w.run(progress=look, steps=60)
    return w, seen


def fault_targets(w: World) -> list[str]:
    """events.csv's target of the fault's start and end."""
    return [e.target for e in w.events if e.kind in ("fault-start", "fault-end")]


# each row: the fault (from 20 to 40 min), the systems it hits as events.csv names them
CUT_OFF = [
    ("{kind: system-outage, target: lab, at: +20min, for: 20min}", "lab"),
    ("{kind: system-outage, target: all, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: system-outage, target: [ris, ehr], at: +20min, for: 20min}", "ris;ehr"),
    ("{kind: partition, target: all, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: partition, target: [lab], at: +20min, for: 20min}", "lab"),
]
SEVERITY = [
    ("{kind: system-slowdown, target: all, severity: 4, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: system-slowdown, severity: 4, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: system-slowdown, target: ehr, severity: 4, at: +20min, for: 20min}", "ehr"),
    ("{kind: ack-loss, target: all, severity: 0.25, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: ack-loss, severity: 0.25, at: +20min, for: 20min}", "lab;ris"),
    ("{kind: ack-loss, target: [ehr, ris], severity: 0.25, at: +20min, for: 20min}", "ehr;ris"),
]
CLEAR = (0, 1.0, 0.0)


class TestSystemFaults:
    @pytest.mark.parametrize(("fault", "text"), CUT_OFF)
    def test_outages_and_partitions_cut_off_their_targets(
        self, world_of: MakeWorld, fault: str, text: str
    ) -> None:
        """Its targets are cut off once while it lasts, the others never; all back after."""
        w, seen = states(world_of, fault)
        hit = text.split(";")
        assert seen[DURING] == {sid: (1 if sid in hit else 0, 1.0, 0.0) for sid in SYSTEMS}
        assert seen[AFTER] == dict.fromkeys(SYSTEMS, CLEAR)
        assert fault_targets(w) == [text, text]

    @pytest.mark.parametrize(("fault", "text"), SEVERITY)
    def test_slowdowns_and_ack_losses_act_on_their_targets(
        self, world_of: MakeWorld, fault: str, text: str
    ) -> None:
        """A slowdown's factor 4 or an ACK loss of 25 % on its targets only, gone after."""
        w, seen = states(world_of, fault)
        hit = text.split(";")
        effect = (0, 4.0, 0.0) if "slowdown" in fault else (0, 1.0, 0.25)
        assert seen[DURING] == {sid: effect if sid in hit else CLEAR for sid in SYSTEMS}
        assert seen[AFTER] == dict.fromkeys(SYSTEMS, CLEAR)
        assert fault_targets(w) == [text, text]


# each row: a fault, its target in events.csv
OTHER_TARGETS = [
    ("{kind: engine-stall, at: +20min, for: 20min}", ""),
    ("{kind: engine-slowdown, severity: 2, at: +20min, for: 20min}", ""),
    ("{kind: node-crash, at: +20min, for: 20min}", "0"),
    ("{kind: node-crash, target: 1, at: +20min, for: 20min}", "1"),
    ("{kind: surge, severity: 2, at: +20min, for: 20min}", "all"),
    ("{kind: surge, target: ris-orders, severity: 2, at: +20min, for: 20min}", "ris-orders"),
]


class TestOtherTargets:
    @pytest.mark.parametrize(("fault", "text"), OTHER_TARGETS)
    def test_events_name_the_target_as_written(
        self, world_of: MakeWorld, fault: str, text: str
    ) -> None:
        """No target for engine-wide faults; the node index; the surge's flow or `all`."""
        w, _ = states(world_of, fault)
        assert fault_targets(w) == [text, text]

    def test_a_poison_message_names_its_system_and_ends_when_its_message_leaves(
        self, world_of: MakeWorld
    ) -> None:
        """Dead-lettered at its first NAK (`on_reply: {AE: dead-letter}`), the poisoned message
        ends the fault then: start and end name radiology."""
        text = WORLD.replace("FAULT", "{kind: poison-message, target: ris, at: +20min}")
        w = world_of(text, sets=["strategy.on_reply.AE=dead-letter"]).run()
        assert fault_targets(w) == ["ris", "ris"]
        assert w.count.dead_lettered == 1
        nak = next(e.time_s for e in w.events if e.kind == "poison-nak")
        end = next(e.time_s for e in w.events if e.kind == "fault-end")
        assert 1200.0 < nak == end


# each row: a fault, whether it acts on the lab's, radiology's and the EHR's channel
ACTS_ON = [
    ("{kind: system-outage, target: all, at: +1h, for: 1h}", True, True, False),
    ("{kind: system-outage, target: [ehr], at: +1h, for: 1h}", False, False, True),
    ("{kind: partition, target: all, at: +1h, for: 1h}", True, True, False),
    ("{kind: ack-loss, target: all, severity: 0.5, at: +1h, for: 1h}", True, True, False),
    ("{kind: ack-loss, severity: 0.5, at: +1h, for: 1h}", True, True, False),
    ("{kind: ack-loss, target: [ehr, lab], severity: 0.5, at: +1h, for: 1h}", True, False, True),
    ("{kind: system-slowdown, severity: 2, at: +1h, for: 1h}", True, True, False),
    ("{kind: system-slowdown, target: [ehr], severity: 2, at: +1h, for: 1h}", False, False, True),
    ("{kind: poison-message, target: lab, at: +1h}", True, False, False),
    ("{kind: surge, target: ris-orders, severity: 2, at: +1h, for: 1h}", False, True, False),
]

# faults acting on the lab channel from 15 to 40 min, over the lab outage (10 to 20 min) of
# tests/model/test_reprocess.py: its dead letters are reprocessed once they have ended
DELAYING = [
    "{kind: system-outage, target: all, at: +15min, for: 25min}",
    "{kind: partition, target: all, at: +15min, for: 25min}",
    "{kind: ack-loss, severity: 0.5, at: +15min, for: 25min}",
    "{kind: ack-loss, target: all, severity: 0.5, at: +15min, for: 25min}",
]


class TestActsOnChannel:
    @pytest.mark.parametrize(("fault", "lab", "ris", "ehr"), ACTS_ON)
    def test_which_channels_a_fault_acts_on(
        self, world_of: MakeWorld, fault: str, lab: bool, ris: bool, ehr: bool
    ) -> None:
        """`all` is every channel but the EHR's; a named system's channel only."""
        w = world_of(WORLD.replace("FAULT", fault))
        f = w.faults[0]
        assert f.acts_on_channel(w, "lab", ["orders"]) is lab
        assert f.acts_on_channel(w, "ris", ["ris-orders"]) is ris
        assert f.acts_on_channel(w, "ehr", ["lab-results"]) is ehr

    @pytest.mark.parametrize("fault", DELAYING)
    def test_reprocessing_waits_for_a_fault_on_all_systems(
        self, world_of: MakeWorld, tmp_path: Path, fault: str
    ) -> None:
        """The lab's dead letters wait until 40 min, when the fault on `all` ends."""
        w = make(world_of, tmp_path, more=f"  - {fault}").run()
        done = [e.time_s for e in w.events if e.kind == "reprocessed"]
        assert done[0] == pytest.approx(2400 + CALL_OUT + FIX)
