"""A poison-message fault ends when its message is fixed or leaves for good, by any exit.

The format: "a poison message ends when it is fixed or given up". Whatever takes the poisoned
message out of the engine (dead-letter, `expire`, CoDel's shedding, a node crash with a memory
store) ends the fault then, so that the queues' recovery is measured from that moment.
"""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Light load on two systems; the lab's next message after 1 h is poisoned (answered AE).
WORLD = """
name: poison-exits
horizon: 3h
warmup: 10min
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: ARRIVALS}
  images: {from: ehr, to: ris, rate: 360/h}
systems:
  lab: {ack: constant(100ms), timeout: 30s}
  ris: {ack: constant(100ms), timeout: 30s}
engine: ENGINE
strategy: STRATEGY
faults:
  - {name: poison, kind: poison-message, target: lab, at: +1h}
"""

EXITS = {
    # parked between tries (a waiting place), it expires 20 min after its creation
    "expired": (
        "360/h",
        "{}",
        "{on_reply: {AE: park}, retry: {first: 30s}, expire: {after: 20min}}",
        "",
    ),
    # three tries, then the dead-letter queue
    "dead-lettered": ("360/h", "{}", "{retry: {attempts: 3, then: dead-letter}}", ""),
    # a stall builds a standing queue; CoDel sheds what waited too long, the poison among them
    "shed": (
        "3600/h",
        "{}",
        "{on_reply: {AE: park}, retry: {first: 30s}, discipline: {codel: {target: 5s}}}",
        "  - {kind: engine-stall, at: +1h1min, for: 10min}\n",
    ),
    # retried for ever until the node holding it crashes with a memory store
    "lost": (
        "360/h",
        "{store: memory}",
        "{}",
        "  - {kind: node-crash, at: +1h20min, for: 5min}\n",
    ),
}


def poisoned_world(make: MakeWorld, exit_: str) -> World:
    rate, engine, strategy, extra = EXITS[exit_]
    text = (
        WORLD.replace("ARRIVALS", rate)
        .replace("ENGINE", engine)
        .replace("STRATEGY", strategy)
        .rstrip("\n")
        + "\n"
        + extra
    )
    return make(text, trace=True).run()


@pytest.mark.parametrize("exit_", list(EXITS))
class TestEveryExitEndsTheFault:
    def test_the_fault_ends_when_the_message_leaves(self, world_of: MakeWorld, exit_: str) -> None:
        """The fault's end is the moment its message left the engine, by this exit."""
        w = poisoned_world(world_of, exit_)
        fault = w.faults[0]
        msg = fault.extra_msg
        assert msg is not None
        assert w.trace is not None
        left = [t for t, uid, _f, _c, event, *_ in w.trace if uid == msg.uid and event == exit_]
        assert len(left) == 1
        assert fault.resolved == left[0]
        ends = [e for e in w.events if e.kind == "fault-end" and e.detail == "poison"]
        assert [(e.time_s, e.target) for e in ends] == [(left[0], "lab")]

    def test_the_queues_recover(self, world_of: MakeWorld, exit_: str) -> None:
        """With the fault over, every queue recovers; one that never grew at once."""
        w = poisoned_world(world_of, exit_)
        summary = replication_summary(w)
        assert summary["recovery_time_s"] is not None
        assert summary["queues"]["ris"]["recovery_time_s"] is not None


class TestExpire:
    def test_recovery_is_measured_from_the_expiry(self, world_of: MakeWorld) -> None:
        """The lab and ris queues never grew: both are back at once after the expiry."""
        w = poisoned_world(world_of, "expired")
        summary = replication_summary(w)
        assert w.count.expired == 1
        assert summary["recovery_time_s"] == pytest.approx(0.0, abs=10.0)
        assert summary["queues"]["ris"]["recovery_time_s"] == pytest.approx(0.0, abs=10.0)
        fault = w.faults[0]
        assert fault.resolved is not None
        assert fault.resolved == pytest.approx(fault.extra_msg.created + 1200.0, abs=10.0)

    def test_a_fixed_message_is_not_ended_twice(self, world_of: MakeWorld) -> None:
        """A poison an analyst fixes ends at the fix; it is delivered, not given up."""
        rate, engine, strategy, _ = EXITS["expired"]
        text = (
            WORLD.replace("ARRIVALS", rate).replace("ENGINE", engine).replace("STRATEGY", strategy)
            + "staff: {analysts: {count: 1, respond: 1min, fix: constant(2min), "
            "start_on_alert: false}}\n"
        )
        w = world_of(text, trace=True).run()
        ends = [e.time_s for e in w.events if e.kind == "fault-end"]
        fixed = [e.time_s for e in w.events if e.kind == "poison-fixed"]
        assert len(ends) == 1 and ends == fixed
        assert w.count.expired == 0
