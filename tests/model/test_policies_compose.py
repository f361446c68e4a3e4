"""Channel policies compose: `breaker`, `drain`, a suspension and an engine stall together.

Whatever order the policies act in, the half-open breaker's probe is a message that is
actually sent, only a probe's own answer decides the breaker, nothing is sent while the
channel is blocked or the engine stalled, and after the last fault every channel drains.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.world import World
from sim.scenario import load_scenario
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

# The reproduction: a lab drained at 2/min behind a breaker, down for 10 minutes.
DRAINED = """
name: breaker-drain
horizon: 2h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, rate: 1/min}
systems:
  lab: {ack: constant(100ms), timeout: 5s}
strategy:
  retry: {backoff: fixed, first: 2s}
  breaker: {after: 2, open: 10s}
  drain: {rate: 2/min}
faults:
  - {kind: system-outage, target: lab, at: +30min, for: 10min}
"""


def kinds(w: World, prefix: str) -> list[tuple[float, str]]:
    """(time, kind) of the events.csv rows whose kind starts with `prefix`."""
    return [(e.time_s, e.kind) for e in w.events if e.kind.startswith(prefix)]


class TestBreakerWithDrain:
    def test_the_channel_drains_after_the_outage(self, world_of: MakeWorld) -> None:
        """The half-open probe is sent, the breaker closes after the outage and the backlog
        of the outage (about 10 orders) is gone well before the horizon."""
        w = world_of(DRAINED).run()
        ch = w.channels["lab"]
        closed = [t for t, k in kinds(w, "breaker") if k == "breaker-closed"]
        assert len(closed) == 1 and 2400 <= closed[0] < 2400 + 60
        assert ch.blocked == 0
        assert ch.backlog <= 2  # an order every minute, sent at once
        queue = w.samples.columns["queue.lab"]
        assert max(queue[90:]) <= 2  # from 1h30 on: back to normal
        assert w.count.created - w.count.delivered == ch.backlog

    def test_the_policies_act_the_same_in_either_order(self, world_of: MakeWorld) -> None:
        """Breaker then drain, or drain then breaker: the same deliveries at the same times."""
        runs = []
        for flip in (False, True):
            w = world_of(DRAINED, trace=True)
            if flip:
                w.channels["lab"].policies.reverse()
            runs.append(delivered_at(w.run()))
        assert [p.key for p in w.channels["lab"].policies] == ["breaker", "drain"]
        assert runs[0] == runs[1]
        assert len(runs[0]) > 100

    def test_after_the_breaker_closes_the_backlog_goes_at_the_drain_s_rate(
        self, world_of: MakeWorld
    ) -> None:
        """With four connections, the backlog of the outage goes at 2/min from the probe on."""
        text = DRAINED.replace("timeout: 5s}", "timeout: 5s, connections: 4}")
        w = world_of(text, trace=True).run()
        closed = next(t for t, k in kinds(w, "breaker") if k == "breaker-closed")
        after = sorted(t for t in delivered_at(w).values() if t > closed)
        gaps = [b - a for a, b in itertools.pairwise(after)][:8]
        assert gaps == pytest.approx([30.0] * 8)  # 2/min, from the probe on


class TestDrainWithSuspend:
    def test_slots_given_up_to_a_suspension_are_free_again(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Drained at 1/min, four orders hold slots at 0, 1, 2 and 3 min; the first times out
        and suspends the channel, the other three go back to wait at their slots.  At the
        restart (3 min 40 s) the token of the minute is free: the first order goes at once, and
        the others a minute apart, not after the three slots given up."""
        rows = "".join(f"{t},routine,{t + 1}\n" for t in range(4))
        (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
        text = """
        name: suspend-drain
        horizon: 1h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(100ms), connections: 4, timeout: 30s}
        strategy:
          drain: {rate: 1/min}
          on_reply: {timeout: suspend}
        staff:
          analysts: {count: 1, respond: 1min, fix: constant(130s), start_on_alert: false}
        faults:
          - {kind: system-outage, target: lab, at: +0s, for: 20s}
        """
        w = world_of(text, trace=True).run()
        restart = next(e.time_s for e in w.events if e.kind == "channel-restarted")
        assert restart == pytest.approx(220.01)
        times = sorted(delivered_at(w).values())
        assert times == pytest.approx([restart + 0.1 + 60 * i for i in range(4)])


class TestBreakerProbe:
    def test_only_the_probe_s_answer_decides_the_half_open_breaker(
        self, world_of: MakeWorld
    ) -> None:
        """Sends that were under way when it opened (a 30 s timeout, open only 10 s) come back
        while it is half-open: they do not reopen it; each reopening is the probe's timeout."""
        text = """
        name: stale
        horizon: 1h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, rate: 12/min}
        systems:
          lab: {ack: constant(100ms), connections: 8, timeout: 30s}
        strategy:
          retry: {backoff: fixed, first: 1s}
          breaker: {after: 2, open: 10s}
        faults:
          - {kind: system-outage, target: lab, at: +10min, for: 5min}
        """
        w = world_of(text).run()
        ev = kinds(w, "breaker")
        opens = [t for t, k in ev if k == "breaker-open"]
        halves = [t for t, k in ev if k == "breaker-half-open"]
        assert len(opens) >= 4
        for half, reopen in zip(halves, opens[1:], strict=False):
            assert reopen == pytest.approx(half + 30.0)  # the probe, sent at once, timed out
        closed = [t for t, k in ev if k == "breaker-closed"]
        assert len(closed) == 1 and 900 <= closed[0] <= 900 + 40 + 1
        assert w.channels["lab"].blocked == 0

    def test_a_probe_lost_in_a_crash_lets_another_probe_go(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """A memory-store crash takes the probe in flight: the breaker, half-open, sends a new
        probe when the engine is back, instead of waiting for the lost one's answer."""
        rows = "".join(f"{t},routine,{t}\n" for t in range(60, 1200, 20))
        (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
        text = """
        name: crash-probe
        horizon: 2h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(100ms), timeout: 30s}
        engine: {store: memory}
        strategy:
          retry: {backoff: fixed, first: 5s}
          breaker: {after: 1, open: 5s}
        faults:
          - {kind: system-outage, target: lab, at: +5min, for: 30min}
          - {kind: node-crash, at: "+10min", for: 1min}
        """
        w = world_of(text).run()
        ch = w.channels["lab"]
        assert ch.blocked == 0
        assert ch.backlog == 0
        assert w.count.lost >= 1
        assert w.count.delivered + w.count.lost == w.count.created


class TestStallWithDrain:
    def test_a_paced_send_waits_out_an_engine_stall(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Sends paced by the drain before a stall are not made during it: nothing is
        delivered while the engine stalls, and the four orders go at 1/min after it."""
        rows = "".join(f"{t},routine,{t + 1}\n" for t in range(4))
        (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
        text = """
        name: stall-drain
        horizon: 1h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(100ms), connections: 4, timeout: 30s}
        strategy:
          drain: {rate: 1/min}
        faults:
          - {kind: engine-stall, at: +30s, for: 10min}
        """
        w = world_of(text, trace=True).run()
        times = sorted(delivered_at(w).values())
        assert len(times) == 4
        assert times[0] < 30
        assert all(t > 630 for t in times[1:])
        gaps = [b - a for a, b in itertools.pairwise(times[1:])]
        assert gaps == pytest.approx([60.0, 60.0])


class TestBreakerWithSuspend:
    def test_a_suspended_channel_behind_a_breaker_drains_after_its_restart(
        self, world_of: MakeWorld
    ) -> None:
        """Timeouts suspend the channel and open the breaker; the analyst's restart and the
        probe's success both lift their block: the channel drains after the outage."""
        text = DRAINED + (
            "  - {kind: poison-message, target: lab, at: +50min}\n"
            "staff:\n"
            "  analysts: {count: 1, respond: 2min, fix: constant(3min), start_on_alert: false}\n"
        )
        sets = ["strategy.on_reply={AE: suspend, timeout: suspend}"]
        w = world_of(text, sets=sets).run()
        ch = w.channels["lab"]
        assert any(e.kind == "channel-suspended" for e in w.events)
        assert any(e.kind == "channel-restarted" for e in w.events)
        assert ch.blocked == 0
        assert ch.backlog <= 2
        assert max(w.samples.columns["queue.lab"][100:]) <= 2


# -- the composition property -----------------------------------------------------------------

COMPOSE = """
name: compose
horizon: 8h
sample_every: 1min
flows:
  orders: {{from: ehr, to: lab, trace: lab.csv}}
  letters: {{from: ehr, to: medcom, trace: medcom.csv}}
systems:
  lab: {{ack: constant(200ms), connections: {conn}, timeout: {timeout}}}
  medcom: {{ack: constant(500ms), connections: {conn}, timeout: {timeout}}}
engine: {{nodes: 2, cores: 2}}
strategy:
  queues: {queues}
  order: {order}
  retry: {{backoff: {backoff}, first: {first}, cap: 2min{attempts}}}
  on_reply: {{AE: {on_ae}, AR: dead-letter, timeout: {on_timeout}}}
{policies}
staff:
  analysts: {{count: 1, respond: 1min, fix: constant(10s), start_on_alert: false}}
faults:
{faults}
"""

FAULTS = {
    "outage": "  - {{kind: system-outage, target: {sid}, at: +{at}min, for: {span}min}}",
    "partition": "  - {{kind: partition, target: {sid}, at: +{at}min, for: {span}min}}",
    "stall": "  - {{kind: engine-stall, at: +{at}min, for: {span}min}}",
    "refuse": "  - {{kind: engine-stall, mode: refuse, at: +{at}min, for: {span}min}}",
    "crash": "  - {{kind: node-crash, at: +{at}min, for: {span}min}}",
    "ack-loss": (
        "  - {{kind: ack-loss, target: {sid}, at: +{at}min, for: {span}min, severity: 0.7}}"
    ),
    "slowdown": (
        "  - {{kind: system-slowdown, target: {sid}, at: +{at}min, for: {span}min, severity: 200}}"
    ),
    "poison": "  - {{kind: poison-message, target: {sid}, at: +{at}min}}",
}

fault = st.tuples(
    st.sampled_from(sorted(FAULTS)),
    st.sampled_from(["lab", "medcom"]),
    st.integers(min_value=1, max_value=25),
    st.integers(min_value=1, max_value=20),
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[str, bool]:
    """A scenario text with a random combination of policies, strategy and faults."""
    order = draw(st.sampled_from(["none", "per-patient", "strict"]))
    conn = 1 if order == "strict" else draw(st.integers(min_value=1, max_value=3))
    attempts = draw(st.sampled_from(["", ", attempts: 1", ", attempts: 3"]))
    then = draw(st.sampled_from(["park", "dead-letter"]))
    policies = []
    if draw(st.booleans()):
        after, open_s = draw(st.integers(1, 4)), draw(st.sampled_from([5, 10, 45, 120]))
        policies.append(f"  breaker: {{after: {after}, open: {open_s}s}}")
    if draw(st.booleans()):
        policies.append(f"  drain: {{rate: {draw(st.sampled_from(['2/min', '20/min', '5/s']))}}}")
    faults = [
        FAULTS[kind].format(sid=sid, at=at, span=span)
        for kind, sid, at, span in draw(st.lists(fault, min_size=1, max_size=3))
    ]
    text = COMPOSE.format(
        conn=conn,
        timeout=draw(st.sampled_from(["5s", "30s"])),
        queues=draw(st.sampled_from(["per-destination", "shared", "per-flow"])),
        order=order,
        backoff=draw(st.sampled_from(["fixed", "exponential"])),
        first=draw(st.sampled_from(["1s", "10s", "1min"])),
        attempts=f"{attempts}, then: {then}" if attempts else "",
        on_ae=draw(st.sampled_from(["retry", "park", "dead-letter", "suspend"])),
        on_timeout=draw(st.sampled_from(["retry", "park", "dead-letter", "suspend"])),
        policies="\n".join(policies),
        faults="\n".join(faults),
    )
    return text, draw(st.booleans())


@settings(
    max_examples=int(os.environ.get("COMPOSE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(worlds())
def test_every_channel_drains_after_the_last_fault(tmp_path: Path, case: tuple[str, bool]) -> None:
    """With any combination of breaker, drain, retry, on_reply, queues and order, in either
    order of the policies, every channel is unblocked and empty at the horizon, hours after
    the last fault (analysts restart, fix and reprocess, one message at a time, so a fix is
    short enough for every dead letter to fit): everything was delivered or lost."""
    text, flip = case
    (tmp_path / "lab.csv").write_text(
        "time,priority,patient\n" + "".join(f"{5 * i},routine,{i % 7}\n" for i in range(300))
    )
    (tmp_path / "medcom.csv").write_text(
        "time,priority,patient\n" + "".join(f"{7 * i},routine,{i % 5}\n" for i in range(200))
    )
    path = tmp_path / "s.yaml"
    path.write_text(text)
    w = World(load_scenario(path))
    if flip:
        for ch in w.channels.values():
            ch.policies.reverse()
    w.run()
    for sid, ch in w.channels.items():
        assert ch.blocked == 0, sid
        assert ch.backlog == 0, (sid, w.events[-5:])
    c = w.count
    assert c.created == 500
    assert c.delivered + c.lost == c.created
    assert w.queued_now() == 0 and w.in_flight_now() == 0
