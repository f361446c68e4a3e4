"""Per-channel strategies, and lanes that share their system's connections."""

from __future__ import annotations

from typing import Any

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Two flows to one system with one connection, per-flow queues: one M/M/1 server for both
# (lambda = 0.8/s, mu = 1/s, Wq = rho / (mu - lambda) = 4 s), not two M/M/1 queues of
# lambda = 0.4/s each (Wq = 0.67 s), which is what giving each lane its own connection makes.
PER_FLOW = """
name: per-flow
horizon: 24h
warmup: 1h
sample_every: 10s
flows:
  a: {from: ehr, to: lab, rate: 24/min}
  b: {from: ehr, to: lab, rate: 24/min}
systems:
  lab: {ack: exponential(1s), connections: 1, timeout: 1h}
engine: {cores: 16, transform: constant(1ms)}
strategy: {queues: per-flow}
"""


def _mm1_wq(lam: float, mu: float) -> float:
    return lam / (mu * (mu - lam))


class TestPerFlowLanesShareConnections:
    def test_two_flows_on_one_connection_wait_as_one_mm1_queue(self, world_of: MakeWorld) -> None:
        """Per-flow lanes to a system with one connection are one M/M/1 server, not two."""
        w = world_of(PER_FLOW).run()
        assert max(w.samples.columns["in_flight"]) == 1
        wait = w.channels["lab"].wait().mean
        assert 0.8 * _mm1_wq(0.8, 1.0) < wait < 1.2 * _mm1_wq(0.8, 1.0)

    def test_per_flow_equals_per_destination_throughput_on_two_connections(
        self, world_of: MakeWorld
    ) -> None:
        """With two connections the flows' lanes together use both, and never more."""
        w = world_of(PER_FLOW, sets=["systems.lab.connections=2"]).run()
        assert max(w.samples.columns["in_flight"]) == 2
        # M/M/2 at lambda 0.8, mu 1: Wq = 0.152 s; two lanes of 2 connections each would wait
        # about 0.02 s
        assert 0.12 < w.channels["lab"].wait().mean < 0.19

    def test_lanes_take_turns_so_a_heavy_flow_cannot_crowd_out_a_light_one(
        self, world_of: MakeWorld
    ) -> None:
        """A free connection goes to each flow's lane in turn: the light flow waits far less,

        while the channel as a whole waits exactly as one FIFO queue on the same connection
        (a work-conserving order that ignores service times keeps the total wait).
        """
        text = PER_FLOW.replace("rate: 24/min}\n  b:", "rate: 42/min}\n  b:")
        text = text.replace(
            "b: {from: ehr, to: lab, rate: 24/min}", "b: {from: ehr, to: lab, rate: 6/min}"
        )
        w = world_of(text, sets=["horizon=12h"]).run()
        fifo = world_of(text, sets=["horizon=12h", "strategy.queues=per-destination"]).run()

        def latency(world: World, fid: str) -> float:
            hists = world.flows[fid].latency
            return sum(h.total for h in hists) / sum(h.count for h in hists)

        assert latency(w, "b") < 0.6 * latency(w, "a")
        assert latency(fifo, "b") == pytest.approx(latency(fifo, "a"), rel=0.1)
        assert w.channels["lab"].wait().mean == pytest.approx(
            fifo.channels["lab"].wait().mean, rel=1e-9
        )

    def test_strict_order_holds_per_channel_whatever_the_lanes(self, world_of: MakeWorld) -> None:
        """Strict order with per-flow lanes never has two messages in flight to one system,

        and a poisoned head plugs every flow to that system, not only its own.
        """
        text = PER_FLOW.replace("{queues: per-flow}", "{queues: per-flow, order: strict}")
        text = text.replace("exponential(1s)", "exponential(200ms)")
        w = world_of(text).run()
        assert max(w.samples.columns["in_flight"]) == 1
        poisoned = world_of(
            text + "faults:\n  - {kind: poison-message, target: lab, at: +2h}\n",
            sets=["horizon=6h"],
        ).run()
        assert max(poisoned.samples.columns["in_flight"]) == 1
        for fid in ("a", "b"):
            flow = poisoned.flows[fid]
            delivered = sum(h.count for h in flow.latency)
            # about 2 h of the 6 h go through before the plug (1 h of them in the warm-up)
            assert delivered < 0.25 * flow.created, fid


# A lab under strict order and MedCom under per-patient order over 2 connections, in one world.
# The two channels are independent: their own lanes and connections (per-destination queues),
# their own random streams (arrivals, classes and patients by flow name, acks and jitter by
# system name), a transform of constant length on more cores than ever busy at once (so a
# message reaches its channel at the same moment whatever the other flows do), no replies
# between them and one fault each. So each destination's figures in the mixed world must be
# exactly, bit for bit, those of a world whose top-level strategy is that channel's.
MIXED = """
name: mixed
horizon: 8h
patients: 50
flows:
  lab-orders: {from: ehr, to: lab, rate: 1/s, priority: {stat: 0.2, routine: 0.8}}
  letters: {from: ehr, to: medcom, rate: 2/s}
systems:
  lab: {ack: exponential(300ms), timeout: 30s}
  medcom:
    ack: exponential(600ms)
    connections: 2
    timeout: 30s
    strategy: {order: per-patient}
engine: {cores: 64, transform: constant(1ms)}
strategy: {order: strict, retry: {backoff: fixed, first: 5s}}
faults:
  - {kind: system-outage, target: lab, at: +2h, for: 30min}
  - {kind: system-outage, target: medcom, at: +3h, for: 20min}
"""


def _figures(world: World, sid: str, fid: str) -> dict[str, Any]:
    summary = replication_summary(world)
    ch = world.channels[sid]
    return {
        "queue": summary["queues"][sid],
        "latency": summary["latency_s"][fid],
        "sends": ch.sends,
        "order_violations": ch.order_violations,
    }


class TestStrategyPerChannel:
    def test_each_channel_behaves_as_it_would_alone(self, world_of: MakeWorld) -> None:
        """A strict lab and a per-patient MedCom in one world: each destination's figures are
        those of a world whose top-level strategy is that channel's."""
        mixed = world_of(MIXED).run()
        all_strict = world_of(
            MIXED, sets=["systems.medcom.strategy=null", "systems.medcom.connections=1"]
        ).run()
        all_per_patient = world_of(
            MIXED, sets=["strategy.order=per-patient", "systems.medcom.strategy=null"]
        ).run()
        assert mixed.lanes["lab"].workers == 1 and mixed.lanes["medcom"].workers == 2
        assert _figures(mixed, "lab", "lab-orders") == _figures(all_strict, "lab", "lab-orders")
        medcom = _figures(mixed, "medcom", "letters")
        assert medcom == _figures(all_per_patient, "medcom", "letters")
        # and the override matters: a strict MedCom on one connection is another channel
        strict_medcom = _figures(all_strict, "medcom", "letters")
        assert strict_medcom["queue"]["peak_backlog"] > 2 * medcom["queue"]["peak_backlog"]


# Two twin channels, each down for half an hour: a key set for the lab's channel alone must
# move the lab's figures and leave the radiology channel's exactly as they were.
TWINS = """
name: twins
horizon: 5h
patients: 20
flows:
  lab-orders: {from: ehr, to: lab, rate: 1/s, priority: {stat: 0.3, routine: 0.7}}
  ris-orders: {from: ehr, to: ris, rate: 1/s, priority: {stat: 0.3, routine: 0.7}}
systems:
  lab: {ack: exponential(400ms), connections: 2, timeout: 5s}
  ris: {ack: exponential(400ms), connections: 2, timeout: 5s}
engine: {cores: 64, transform: constant(1ms)}
strategy: {discipline: priority, retry: {backoff: fixed, first: 20s}}
faults:
  - {kind: system-outage, target: lab, at: +1h, for: 30min}
  - {kind: system-outage, target: ris, at: +1h, for: 30min}
"""


def _stat_mean(world: World) -> float:
    return float(replication_summary(world)["latency_s"]["lab-orders"]["stat"]["mean"])


def _backlog_hours(world: World) -> float:
    return float(replication_summary(world)["queues"]["lab"]["backlog_hours"])


# key, the lab's own value, the lab figure that moves, and which way (+1 up, -1 down)
OVERRIDES: list[tuple[str, str, Any, int]] = [
    # per-patient order: STAT no longer overtakes the same patient's older routine message
    ("order", "per-patient", lambda w: w.channels["lab"].order_violations, -1),
    # first come, first served: STAT waits its turn in the post-outage backlog
    ("discipline", "fifo", _stat_mean, +1),
    # a shorter retry interval sends more often into the outage
    ("retry", "{first: 2s}", lambda w: w.channels["lab"].sends, +1),
    # a timeout dead-letters the message instead of retrying it
    ("on_reply", "{timeout: dead-letter}", lambda w: len(w.channels["lab"].dead_letters), +1),
    # an open breaker stops the sends into the dead system
    ("breaker", "{after: 3, open: 5min}", lambda w: w.channels["lab"].sends, -1),
    # the backlog drains at 1.5/s against 1/s arriving, not at the connections' 5/s
    ("drain", "{rate: 90/min}", _backlog_hours, +1),
    # messages that waited 10 minutes leave for paper: less backlog
    ("expire", "{after: 10min}", _backlog_hours, -1),
]


class TestOneKeyForOneChannel:
    @pytest.mark.parametrize(
        ("key", "value", "figure", "sign"), OVERRIDES, ids=[o[0] for o in OVERRIDES]
    )
    def test_a_system_s_key_changes_its_channel_only(
        self, world_of: MakeWorld, key: str, value: str, figure: Any, sign: int
    ) -> None:
        """systems.lab.strategy.<key> moves the lab's figure its way; radiology is untouched."""
        base = world_of(TWINS).run()
        lab_only = world_of(TWINS, sets=[f"systems.lab.strategy.{key}={value}"]).run()
        assert lab_only.scenario.channel_strategy("ris") == base.scenario.strategy
        before, after = figure(base), figure(lab_only)
        assert (after - before) * sign > 0, (before, after)
        assert _figures(lab_only, "ris", "ris-orders") == _figures(base, "ris", "ris-orders")
