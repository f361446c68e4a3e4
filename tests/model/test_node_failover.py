"""Node crashes never stop a world for good: every crash is undone by its repair."""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# λ = 0.5/s to one fast system; the engine's nodes crash and are repaired; 4 h in all.
CRASH = """
name: crash
horizon: 4h
warmup: 10min
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 1800/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
engine: {nodes: NODES, cores: 8, transform: constant(1ms), failover: {mode: MODE}}
faults:
FAULTS
"""


def world(make: MakeWorld, nodes: int, mode: str, *faults: str) -> World:
    text = (
        CRASH.replace("NODES", str(nodes))
        .replace("MODE", mode)
        .replace("FAULTS", "".join(f"  - {f}\n" for f in faults))
    )
    return make(text)


def outbound_at(w: World, t: float) -> int:
    """The EHR's outbound queue at sample time `t` (where a refusing engine leaves orders)."""
    return int(w.samples.columns["outbound.ehr"][w.samples.time_s.index(t)])


class TestActiveActiveWithOneNode:
    def test_a_world_built_past_validation_recovers(self, world_of: MakeWorld) -> None:
        """Active-active with one node (refused by validation) still comes back at the repair."""
        w = world(world_of, 2, "active-active", "{kind: node-crash, at: +1h, for: 30min}")
        engine = w.scenario.engine.model_copy(update={"nodes": 1})
        scenario = w.scenario.model_copy(update={"engine": engine})  # bypasses validation
        w = World(scenario).run()
        assert outbound_at(w, 5390.0) > 800  # down: nothing is accepted while it lasts
        assert outbound_at(w, 6000.0) == 0
        assert [e.kind for e in w.events if e.kind.startswith("node")] == [
            "node-crash",
            "node-repaired",
            "node-active",
        ]
        assert w.count.delivered >= w.count.created - 5
        assert replication_summary(w)["recovery_time_s"] is not None


class TestEveryNodeDown:
    def test_active_active_stops_when_the_last_node_dies(self, world_of: MakeWorld) -> None:
        """With both active-active nodes down nothing is accepted; the first repair restarts."""
        w = world(
            world_of,
            2,
            "active-active",
            "{kind: node-crash, target: 0, at: +1h, for: 1h}",
            "{kind: node-crash, target: 1, at: +1h10min, for: 20min}",
        )
        w.run()
        assert outbound_at(w, 4100.0) == 0  # one survivor carries on
        assert outbound_at(w, 5390.0) > 500  # 1h10 to 1h30: no node at all
        assert outbound_at(w, 6000.0) == 0  # node 1 is back
        assert w.count.delivered >= w.count.created - 5
        assert replication_summary(w)["recovery_time_s"] is not None


class TestOverlappingCrashesOfOneNode:
    @pytest.mark.parametrize(("nodes", "mode"), [(1, "active-passive"), (2, "active-active")])
    def test_the_node_is_back_after_the_last_repair(
        self, world_of: MakeWorld, nodes: int, mode: str
    ) -> None:
        """Two crashes of one node overlap: it is down until the later repair, then back."""
        w = world(
            world_of,
            nodes,
            mode,
            "{kind: node-crash, target: 0, at: +1h, for: 1h}",
            "{kind: node-crash, target: 0, at: +1h30min, for: 1h}",
        )
        w.run()
        node_events = [(e.kind, e.time_s) for e in w.events if e.kind.startswith("node")]
        assert node_events == [
            ("node-crash", 3600.0),
            ("node-repaired", 9000.0),
            *([("node-active", 9000.0)] if nodes == 1 else []),
        ]
        if nodes == 1:
            assert outbound_at(w, 8400.0) > 500  # 2h20: the second crash still lasts
        assert 0 in w.live_nodes and w.engine.nodes == list(range(nodes))
        assert outbound_at(w, 9600.0) == 0
        assert w.engine.refusing == 0 and all(not lane.paused for lane in w.lanes.values())
        assert w.count.delivered >= w.count.created - 5
        assert replication_summary(w)["recovery_time_s"] is not None
