"""An analyst's reprocessing, seen from the channel: dead letters come back bound here.

A reprocessed message counts in its destination's backlog again from that moment (the backlog
integral, `backlog_hours`, runs on), starts its retry count afresh (`retry.attempts` sends
again), and is listed once in `under_way`.  Reprocessing a message that is not dead-lettered
does nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.metrics.summary import replication_summary
from sim.model.message import DEAD_LETTERED, DELIVERED
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# One lab connection; sends that time out after 10 s are given up after `attempts` sends.
BASE = """
name: reprocess-channel
horizon: 10min
sample_every: 1h
flows:
  orders: {{from: ehr, to: lab, trace: t.csv}}
systems:
  lab: {{ack: constant(100ms), timeout: 10s}}
engine: {{cores: 4, transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: 10s, attempts: {attempts}, then: dead-letter}}
faults:
{faults}
"""


def make(
    world_of: MakeWorld,
    tmp_path: Path,
    times: tuple[float, ...],
    attempts: int,
    faults: str,
    sets: tuple[str, ...] = (),
) -> World:
    """The world above, one order per creation time (patients 1, 2, ...)."""
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(times))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    return world_of(BASE.format(attempts=attempts, faults=faults), sets=sets, trace=True)


def at(w: World, when: float, action: object) -> None:
    """Call `action()` at simulated time `when`."""
    w.env.timeout(when).callbacks.append(lambda _ev: action())  # type: ignore[operator]


class TestBacklogIntegral:
    def test_reprocessed_messages_count_in_the_backlog_from_their_return(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Orders of 0 s and 1 s are dead-lettered in a lab outage (at 10.001 s and 20.001 s:
        the second waits for the one connection);
        an order of 160 s waits in an engine stall (150-300 s); both dead letters are
        reprocessed at 200 s into the stall, and all three go at 300 s, 100 ms apart.

        Backlog: 1 on [0, 1), 2 to 10.001, 1 to 20.001, 0 to 160, 1 to 200, 3 to 300.1, 2 to
        300.2, 1 to 300.3: 1 + 18.002 + 10 + 40 + 300.3 + 0.2 + 0.1 = 369.602 message-seconds.
        """
        faults = (
            "  - {kind: system-outage, target: lab, at: +0s, for: 100s}\n"
            "  - {kind: engine-stall, at: +150s, for: 150s}"
        )
        w = make(world_of, tmp_path, (0, 1, 160), attempts=1, faults=faults)
        ch = w.channels["lab"]
        returned: list[int] = []
        at(w, 200, lambda: returned.append(ch.reprocess()))
        w.run()
        assert returned == [2]
        assert ch.area == pytest.approx(369.602)
        summary = replication_summary(w)
        assert summary["queues"]["lab"]["backlog_hours"] == pytest.approx(369.602 / 3600)
        assert summary["messages"]["dead_lettered"] == 0
        assert summary["messages"]["delivered"] == 3
        assert ch.backlog == 0

    def test_a_reprocessing_can_make_a_new_peak(self, world_of: MakeWorld, tmp_path: Path) -> None:
        """The backlog of 3 from 200 s is the lab's peak (it was 2 before), and the engine's:
        the peak figures count every message bound to a queue, back from the dead letters or
        not."""
        faults = (
            "  - {kind: system-outage, target: lab, at: +0s, for: 100s}\n"
            "  - {kind: engine-stall, at: +150s, for: 150s}"
        )
        w = make(world_of, tmp_path, (0, 1, 160), attempts=1, faults=faults)
        at(w, 200, w.channels["lab"].reprocess)
        summary = replication_summary(w.run())
        assert summary["queues"]["lab"]["peak_backlog"] == 3
        assert summary["queues"]["lab"]["peak_at_s"] == pytest.approx(200.0)
        assert summary["peak_backlog"] == 3
        assert w.count.peak_at == pytest.approx(200.0)

    def test_a_reprocessing_back_to_the_peak_leaves_its_time(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Orders of 0 s and 1 s make the engine's peak of 2 at 1 s; both are dead-lettered in
        the outage and reprocessed at 200 s, back to 2 bound messages: the peak is the same, so
        its time stays the first time it was reached."""
        faults = "  - {kind: system-outage, target: lab, at: +0s, for: 100s}"
        w = make(world_of, tmp_path, (0, 1), attempts=1, faults=faults)
        returned: list[int] = []
        at(w, 200, lambda: returned.append(w.channels["lab"].reprocess()))
        w.run()
        assert returned == [2]
        assert w.count.peak_outstanding == 2
        assert w.count.peak_at == pytest.approx(1.0)

    def test_the_backlog_right_after_a_reprocessing(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """At 250 s the integral stands at 69.002 (up to 200 s, as above), and the three orders
        are bound here: it grows by 3 a second from 200 s."""
        faults = (
            "  - {kind: system-outage, target: lab, at: +0s, for: 100s}\n"
            "  - {kind: engine-stall, at: +150s, for: 150s}"
        )
        w = make(world_of, tmp_path, (0, 1, 160), attempts=1, faults=faults)
        ch = w.channels["lab"]
        at(w, 200, ch.reprocess)
        w._start()
        w.clock.run_until(250)
        assert ch.backlog == 3
        assert [m.uid for m in ch.under_way] == [0, 1, 2]  # each once, the oldest first
        assert w.count.outstanding == 3
        assert w.count.dead_lettered == 0
        assert ch.area == pytest.approx(1 + 18.002 + 10 + 40)
        ch.close_area(250)
        assert ch.area == pytest.approx(1 + 18.002 + 10 + 40 + 3 * 50)

    def test_a_crash_loses_each_reprocessed_message_once(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """The oldest order, reprocessed while it still heads the channel's list of messages
        bound here, is listed there once: a memory-store crash at 250 s loses three orders."""
        faults = (
            "  - {kind: system-outage, target: lab, at: +0s, for: 100s}\n"
            "  - {kind: engine-stall, at: +150s, for: 150s}\n"
            "  - {kind: node-crash, at: +250s, for: 1min}"
        )
        sets = ("engine.store=memory",)
        w = make(world_of, tmp_path, (0, 1, 160), attempts=1, faults=faults, sets=sets)
        at(w, 200, w.channels["lab"].reprocess)
        s = replication_summary(w.run())["messages"]
        assert (s["created"], s["lost"], s["delivered"], s["dead_lettered"]) == (3, 3, 0, 0)
        assert w.flows["orders"].lost == 3
        assert w.channels["lab"].backlog == 0


class TestRetryCountStartsAfresh:
    def test_a_reprocessed_message_has_all_its_attempts_again(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Two sends, 10 s apart, then dead-lettered (at 30.001 s); reprocessed at 100 s into
        the same outage, the order is sent twice again (100 s, 120 s) and dead-lettered at
        130 s: 4 sends in all, not 3."""
        faults = "  - {kind: system-outage, target: lab, at: +0s, for: 1h}"
        w = make(world_of, tmp_path, (0,), attempts=2, faults=faults)
        ch = w.channels["lab"]
        at(w, 100, ch.reprocess)
        w._start()
        w.clock.run_until(115)
        assert w.count.dead_lettered == 0
        assert w.count.backoff == 1
        w.clock.run_until(600)
        assert ch.sends == 4
        assert w.count.sends == 4
        assert w.count.dead_lettered == 1
        assert ch.dead_letters[0].tries == 2
        assert w.trace is not None
        dead = [t for t, _u, _f, _c, ev, *_ in w.trace if ev == "dead-lettered"]
        assert dead == [pytest.approx(30.001), pytest.approx(130.0)]


class TestOnlyDeadLetters:
    def test_reprocessing_a_message_that_is_not_dead_lettered_does_nothing(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Asked to reprocess a delivered order, or one still in its retries, the channel
        returns 0 and changes nothing; asked for a dead letter, it takes that one only."""
        faults = "  - {kind: system-outage, target: lab, at: +5s, for: 1h}"
        w = make(world_of, tmp_path, (0, 10, 20), attempts=2, faults=faults)
        ch = w.channels["lab"]
        w._start()
        w.clock.run_until(45)  # order 2 dead-lettered at 40.001 s, order 3 being sent
        first, second, third = (m for m in ch.under_way)
        assert first.place == DELIVERED
        assert second.place == DEAD_LETTERED
        backlog, area = ch.backlog, ch.area
        assert ch.reprocess(first) == 0
        assert ch.reprocess(third) == 0
        assert (ch.backlog, ch.area, w.count.dead_lettered) == (backlog, area, 1)
        assert ch.dead_letters == [second]
        assert ch.reprocess(second) == 1
        assert ch.dead_letters == []
        assert ch.backlog == backlog + 1
        assert w.count.dead_lettered == 0
