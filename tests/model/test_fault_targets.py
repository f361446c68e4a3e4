"""System faults hit exactly the systems they name: one, a list, or `all` (every one but ehr)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from sim.experiments.run import replicate
from sim.model.world import World
from sim.report.csvs import write_events
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Three receiving systems and the EHR, which receives results; the fault starts at +10min and
# lasts past the 20-min horizon, so at the end of the run it is still acting.
WORLD = """
name: targets
horizon: 20min
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 360/h, reply: {flow: results, after: constant(1min)}}
  results: {from: lab, to: ehr}
  images: {from: ehr, to: ris, rate: 360/h}
  letters: {from: ehr, to: medcom, rate: 360/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
  ris: {ack: constant(100ms), timeout: 30s}
  medcom: {ack: constant(100ms), timeout: 30s}
  ehr: {ack: constant(100ms), timeout: 30s}
faults:
  - {kind: KIND, target: TARGET, at: +10min, for: 1h SEVERITY}
"""

SEVERITY = {"system-slowdown": ", severity: 4", "ack-loss": ", severity: 0.5"}
SYSTEMS = ("lab", "ris", "medcom", "ehr")


def hit(world: World, kind: str) -> set[str]:
    """The systems the fault acts on at the end of the run, read off each system's state."""
    if kind in ("system-outage", "partition"):
        return {sid for sid in SYSTEMS if world.systems[sid].down > 0}
    if kind == "system-slowdown":
        return {sid for sid in SYSTEMS if world.systems[sid].slow != 1.0}
    return {sid for sid in SYSTEMS if world.systems[sid].ack_loss > 0}


def text(kind: str, target: str) -> str:
    return (
        WORLD.replace("KIND", kind)
        .replace("TARGET", target)
        .replace(" SEVERITY", SEVERITY.get(kind, ""))
    )


KINDS = ["system-outage", "partition", "system-slowdown", "ack-loss"]


class TestWhatIsHit:
    @pytest.mark.parametrize("kind", KINDS)
    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            ("ris", {"ris"}),
            ("[lab, medcom]", {"lab", "medcom"}),
            ("all", {"lab", "ris", "medcom"}),
            ("[ehr, ris]", {"ehr", "ris"}),
        ],
    )
    def test_a_system_a_list_or_all(
        self, world_of: MakeWorld, kind: str, target: str, expected: set[str]
    ) -> None:
        """The fault acts on exactly the systems named; `all` leaves ehr alone."""
        w = world_of(text(kind, target)).run()
        assert hit(w, kind) == expected

    def test_an_outage_of_all_cuts_the_senders_off_too(self, world_of: MakeWorld) -> None:
        """Under `all` the lab's results wait in its outbox, the EHR's orders do not."""
        w = world_of(text("system-outage", "all")).run()
        assert w.senders["lab"].down == 1 and len(w.senders["lab"].outbound) > 0
        assert w.senders["ehr"].down == 0 and len(w.senders["ehr"].outbound) == 0

    def test_an_outage_ends_on_every_system_it_hit(self, world_of: MakeWorld) -> None:
        """At its end the outage is undone on each system of the list: nothing stays down."""
        w = world_of(text("system-outage", "[lab, ehr]").replace("for: 1h", "for: 5min")).run()
        assert all(w.systems[sid].down == 0 for sid in SYSTEMS)
        assert all(sender.down == 0 for sender in w.senders.values())

    def test_an_outage_of_an_ehr_that_receives_nothing(self, world_of: MakeWorld) -> None:
        """An EHR with no `systems` entry can be cut off: its orders wait in its outbox."""
        one_way = """
        name: one-way
        horizon: 20min
        flows:
          orders: {from: ehr, to: lab, rate: 360/h}
        systems:
          lab: {ack: constant(100ms)}
        faults:
          - {kind: system-outage, target: ehr, at: +10min, for: 1h}
        """
        w = world_of(one_way).run()
        assert w.senders["ehr"].down == 1
        assert len(w.senders["ehr"].outbound) == pytest.approx(60, abs=25)


class TestEventsCsv:
    @pytest.mark.parametrize(
        ("kind", "target", "expected"),
        [
            ("system-outage", "ris", "ris"),
            ("partition", "[lab, ehr]", "lab;ehr"),
            ("system-slowdown", "all", "lab;ris;medcom"),
            ("ack-loss", "all", "lab;ris;medcom"),
        ],
    )
    def test_target_lists_the_systems_hit(
        self, world_of: MakeWorld, tmp_path: Path, kind: str, target: str, expected: str
    ) -> None:
        """events.csv's target of a fault's start and end lists the systems hit, by ';'."""
        scenario = world_of(text(kind, target).replace("for: 1h", "for: 5min")).scenario
        rep = replicate(scenario, 0)
        write_events(tmp_path / "events.csv", [rep], datetime(2026, 1, 5))
        with (tmp_path / "events.csv").open(newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["kind"] in ("fault-start", "fault-end")]
        assert [(r["kind"], r["target"]) for r in rows] == [
            ("fault-start", expected),
            ("fault-end", expected),
        ]
