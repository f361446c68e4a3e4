"""The circuit breaker step by step: exact events.csv rows in small worlds of constant times.

The contract (`strategy.breaker`): per destination, open after `after` consecutive failures
for `open`, then half-open with one probe.  Sends are 1 ms after creation (the transform),
a send to a system that is down fails after its `timeout` (5 s), a failed send is retried a
minute later (holding its connection: the lab has 8), and a send to a system that is up is
ACKed 100 ms later.
"""

from __future__ import annotations

import pytest

from sim.model.world import World
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

WORLD = """
name: breaker
horizon: 10min
sample_every: 1min
flows:
  orders:
    from: ehr
    to: lab
    trace: [{trace}]
systems:
  lab: {{ack: constant(100ms), timeout: 5s, connections: 8}}
engine: {{cores: 8, transform: constant(1ms){store}}}
strategy:
  retry: {{backoff: fixed, first: 1min}}
  breaker: {{after: {after}, open: 10s}}
{on_reply}faults:
{faults}
{staff}"""


def world(
    make: MakeWorld,
    times: list[float],
    faults: list[str],
    *,
    after: int = 2,
    store: str = "",
    on_reply: str = "",
    staff: str = "",
) -> World:
    trace = ", ".join(
        f"{{time: {t:g}, priority: routine, patient: {i + 1}}}" for i, t in enumerate(times)
    )
    text = WORLD.format(
        trace=trace,
        after=after,
        store=f", store: {store}" if store else "",
        faults="\n".join(f"  - {f}" for f in faults),
        on_reply=f"  on_reply: {on_reply}\n" if on_reply else "",
        staff=staff,
    )
    return make(text, trace=True).run()


def breaker_rows(w: World) -> list[tuple[float, str, str, str]]:
    """The breaker's rows of events.csv: (time, kind, target, detail), times rounded to 1 µs."""
    return [
        (round(e.time_s, 6), e.kind, e.target, e.detail)
        for e in w.events
        if e.kind.startswith("breaker")
    ]


def outage(at: float, span: float) -> str:
    return f"{{kind: system-outage, target: lab, at: +{at:g}s, for: {span:g}s}}"


class TestConsecutiveFailures:
    def test_it_opens_at_the_after_th_consecutive_failure_and_not_before(
        self, world_of: MakeWorld
    ) -> None:
        """`after: 2`.  The first answer is a failure (1.001 s sent, 6.001 s timed out): one
        failure does not open it.  Successes in between (the retry at 66 s, an order at 30 s)
        start the count again, so the failure of 106 s is again the first, and the one of
        107 s the second: it opens then, for 10 s, and the next send (the retry of 166 s) is
        the probe, whose ACK closes it."""
        w = world(
            world_of,
            [1, 30, 101, 102],
            [outage(0, 20), outage(100, 20)],
        )
        assert breaker_rows(w) == [
            (107.001, "breaker-open", "lab", "for 10 s"),
            (117.001, "breaker-half-open", "lab", ""),
            (166.101, "breaker-closed", "lab", ""),
        ]
        assert delivered_at(w) == pytest.approx({0: 66.101, 1: 30.101, 2: 166.101, 3: 167.101})
        assert w.channels["lab"].blocked == 0

    def test_a_failure_after_a_success_is_the_first_again(self, world_of: MakeWorld) -> None:
        """`after: 2`, two failures with a success between them (the order of 30 s): never
        two in a row, so the breaker never opens."""
        w = world(world_of, [1, 30, 101], [outage(0, 20), outage(100, 20)])
        assert breaker_rows(w) == []
        assert delivered_at(w) == pytest.approx({0: 66.101, 1: 30.101, 2: 166.101})

    def test_the_count_starts_afresh_when_the_probe_closes_it(self, world_of: MakeWorld) -> None:
        """`after: 2`: opened at 7.001 s, closed by the probe (the retry of 66 s) at 66.101 s.
        A second outage from 66.5 s: the retry of 67 s fails first (72.001 s), the order of
        68 s second (73.001 s): it opens at the second failure after closing, not the first."""
        w = world(world_of, [1, 2, 68], [outage(0, 20), outage(66.5, 20)])
        assert breaker_rows(w) == [
            (7.001, "breaker-open", "lab", "for 10 s"),
            (17.001, "breaker-half-open", "lab", ""),
            (66.101, "breaker-closed", "lab", ""),
            (73.001, "breaker-open", "lab", "for 10 s"),
            (83.001, "breaker-half-open", "lab", ""),
            (132.101, "breaker-closed", "lab", ""),
        ]
        assert delivered_at(w) == pytest.approx({0: 66.101, 1: 132.101, 2: 133.101})


class TestHalfOpen:
    def test_it_opens_and_closes_again_and_only_the_probe_decides(
        self, world_of: MakeWorld
    ) -> None:
        """The first cycle as above; then a 100 s outage from 200 s: opened at 207.001 s by two
        failures, half-open at 217.001 s.  The retry of 266 s is the probe: it times out and
        reopens the breaker; the retry of 267 s, blocked behind the probe, is the next probe
        at 281 s and reopens it too; the retry of 331 s, after the outage, closes it."""
        w = world(
            world_of,
            [1, 30, 101, 102, 201, 202],
            [outage(0, 20), outage(100, 20), outage(200, 100)],
        )
        assert breaker_rows(w) == [
            (107.001, "breaker-open", "lab", "for 10 s"),
            (117.001, "breaker-half-open", "lab", ""),
            (166.101, "breaker-closed", "lab", ""),
            (207.001, "breaker-open", "lab", "for 10 s"),
            (217.001, "breaker-half-open", "lab", ""),
            (271.001, "breaker-open", "lab", "for 10 s"),
            (281.001, "breaker-half-open", "lab", ""),
            (286.001, "breaker-open", "lab", "for 10 s"),
            (296.001, "breaker-half-open", "lab", ""),
            (331.101, "breaker-closed", "lab", ""),
        ]
        done = delivered_at(w)
        assert done[4] == pytest.approx(331.101)
        assert done[5] == pytest.approx(346.101)
        assert w.channels["lab"].blocked == 0

    def test_a_probe_lost_in_a_crash_makes_the_next_send_the_probe(
        self, world_of: MakeWorld
    ) -> None:
        """`after: 1`, the lab down for 100 s.  The first failure opens the breaker (6.001 s);
        half-open from 16.001 s, the retry of 66 s is the probe, lost in a memory-store crash
        at 68 s.  The order of 90 s is then the probe: it times out and reopens the breaker;
        the order of 120 s, after the outage, is the next probe and closes it."""
        w = world(
            world_of,
            [1, 90, 120],
            [outage(0, 100), "{kind: node-crash, at: +68s, for: 10s}"],
            after=1,
            store="memory",
        )
        assert breaker_rows(w) == [
            (6.001, "breaker-open", "lab", "for 10 s"),
            (16.001, "breaker-half-open", "lab", ""),
            (95.001, "breaker-open", "lab", "for 10 s"),
            (105.001, "breaker-half-open", "lab", ""),
            (120.101, "breaker-closed", "lab", ""),
        ]
        assert w.count.lost == 1
        assert delivered_at(w) == pytest.approx({1: 155.101, 2: 120.101})


class TestWithSuspension:
    def test_the_channel_waits_for_the_restarts_and_the_probe(self, world_of: MakeWorld) -> None:
        """`on_reply: {timeout: suspend}`, the lab down for 100 s.  The order of 1 s times out
        and suspends the channel (6.001 s); the order of 2 s, sent before, times out next: the
        second failure opens the breaker on the suspended channel, and suspends it again.  The
        breaker's half-open (17.001 s) does not lift the suspensions: nothing is sent until the
        analyst's second restart (186.001 s: respond 1 min, then a 1 min fix per restart); the
        first send then, the order that failed last, is the probe and closes the breaker."""
        staff = (
            "staff:\n"
            "  analysts: {count: 1, respond: 1min, fix: constant(1min), start_on_alert: false}\n"
        )
        w = world(
            world_of, [1, 2, 30], [outage(0, 100)], on_reply="{timeout: suspend}", staff=staff
        )
        rows = [
            (round(e.time_s, 6), e.kind)
            for e in w.events
            if e.kind.startswith(("breaker", "channel"))
        ]
        assert rows == [
            (6.001, "channel-suspended"),
            (7.001, "breaker-open"),
            (7.001, "channel-suspended"),
            (17.001, "breaker-half-open"),
            (126.001, "channel-restarted"),
            (186.001, "channel-restarted"),
            (186.101, "breaker-closed"),
        ]
        assert delivered_at(w) == pytest.approx({1: 186.101, 0: 186.201, 2: 186.201})
        assert w.channels["lab"].blocked == 0
