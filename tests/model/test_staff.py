"""Staff hours: the time people work inside the horizon, one task at a time each.

A team at rest is called out by its first task: `respond` is the delay before it starts, billed
once per call-out (the person who takes the call), not once per task or per analyst.  A task
is billed for the part of it inside the horizon.  Each dead-lettered message is reprocessed
as a task of its own (one `fix`), and a fix is never spent on a message that has already left
(dead-lettered or delivered).  Every duration here is constant, so the hours are exact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.run import replicate
from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# 15 poison messages on one channel (one armed each minute from 10 min on) under order none
# with 20 connections, so that the poisoned ones in their retries do not plug the channel:
# 15 fixes of 10 min after one 30-min call-out.
FIFTEEN = """
name: fifteen-fixes
horizon: 5h
sample_every: 1min
flows:
  orders: {{from: ehr, to: lab, rate: 600/h}}
systems:
  lab: {{ack: constant(100ms), connections: 20, timeout: 10s}}
strategy:
  order: none
  retry: {{backoff: fixed, first: 1min}}
staff:
  analysts: {{count: {count}, respond: 30min, fix: constant(10min), start_on_alert: false}}
faults:
{faults}
"""


def fifteen(count: int, minutes: list[int] | None = None) -> str:
    """The scenario above with `count` analysts and poison messages armed at `minutes`."""
    at = minutes if minutes is not None else list(range(10, 25))
    faults = "\n".join(f"  - {{kind: poison-message, target: lab, at: +{m}min}}" for m in at)
    return FIFTEEN.format(count=count, faults=faults)


def hours(w: World) -> dict[str, float]:
    """The run's staff_hours."""
    return dict(replication_summary(w)["staff_hours"])


class TestCallOut:
    @pytest.mark.parametrize("count", [1, 3, 5])
    def test_the_same_fifteen_fixes_bill_the_same_hours_whatever_the_team_size(
        self, world_of: MakeWorld, count: int
    ) -> None:
        """One 30-min call-out and 15 fixes of 10 min: 3 h, with 1, 3 or 5 analysts."""
        w = world_of(fifteen(count)).run()
        assert sum(e.kind == "poison-fixed" for e in w.events) == 15
        assert hours(w) == {"analysts": pytest.approx(3.0, abs=1e-9), "clerks": 0.0}

    def test_more_analysts_finish_sooner_for_the_same_hours(self, world_of: MakeWorld) -> None:
        """Three analysts fix in rounds of three after the call-out: 5 rounds, not 15 fixes."""
        one = world_of(fifteen(1)).run()
        three = world_of(fifteen(3)).run()
        nak = min(e.time_s for e in one.events if e.kind == "poison-nak")
        last_one = max(e.time_s for e in one.events if e.kind == "poison-fixed")
        last_three = max(e.time_s for e in three.events if e.kind == "poison-fixed")
        assert last_one == pytest.approx(nak + 1800 + 15 * 600)
        assert last_three == pytest.approx(nak + 1800 + 5 * 600)

    def test_work_after_the_team_went_back_to_rest_is_a_new_call_out(
        self, world_of: MakeWorld
    ) -> None:
        """A poison message at 10 min and one at 3 h: two call-outs, two fixes, 80 min."""
        w = world_of(fifteen(3, [10, 180])).run()
        fixed = [e.time_s for e in w.events if e.kind == "poison-fixed"]
        naks = [e.time_s for e in w.events if e.kind == "poison-nak"]
        assert fixed == [pytest.approx(t + 1800 + 600) for t in naks]
        assert hours(w)["analysts"] == pytest.approx(80 / 60, abs=1e-9)

    def test_a_team_called_by_an_alert_bills_one_call_out(self, world_of: MakeWorld) -> None:
        """With start_on_alert, the tasks wait for the alert; then one call-out and the fixes."""
        text = fifteen(3).replace("start_on_alert: false", "start_on_alert: true")
        text += "alerts:\n  - {queue: lab, oldest_older_than: 30min}\n"
        w = world_of(text).run()
        alert = next(e.time_s for e in w.events if e.kind == "alert")
        fixed = sorted(e.time_s for e in w.events if e.kind == "poison-fixed")
        assert fixed[0] == pytest.approx(alert + 1800 + 600)
        assert len(fixed) == 15
        assert hours(w)["analysts"] == pytest.approx(3.0, abs=1e-9)


class TestHorizon:
    @pytest.mark.parametrize("horizon", ["50min", "70min"])
    def test_work_is_billed_only_up_to_the_horizon(self, world_of: MakeWorld, horizon: str) -> None:
        """A 30-min call-out and a 20-min fix from about 30 min on, cut at 50 or 70 min."""
        text = fifteen(1, [30]).replace("horizon: 5h", f"horizon: {horizon}")
        text = text.replace("fix: constant(10min)", "fix: constant(20min)")
        w = world_of(text).run()
        nak = next(e.time_s for e in w.events if e.kind == "poison-nak")
        assert nak + 1800 + 1200 > w.end  # the fix would end after the horizon
        assert hours(w)["analysts"] == pytest.approx((w.end - nak) / 3600, abs=1e-9)


# Four orders sent during a 10-min lab outage are dead-lettered after one send each; once the
# outage is over the analysts reprocess them (call-out 5 min, 2 min per message).
DEAD_LETTERS = """
name: dead-letters
horizon: 2h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
engine: {transform: constant(1ms)}
strategy:
  retry: {backoff: fixed, first: 1min, attempts: 1, then: dead-letter}
staff:
  analysts: {count: 1, respond: 5min, fix: constant(2min), start_on_alert: false}
faults:
  - {kind: system-outage, target: lab, at: +10min, for: 10min}
"""
CREATED = (660, 720, 780, 840)


def dead_letter_world(world_of: MakeWorld, tmp_path: Path, sets: tuple[str, ...] = ()) -> World:
    """The world above, its orders created at CREATED (s)."""
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(CREATED))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    return world_of(DEAD_LETTERS, sets=sets, trace=True)


class TestDeadLetters:
    def test_each_dead_letter_is_a_task_of_its_own(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Reprocessed one by one, 2 min each after the 5-min call-out at the outage's end."""
        w = dead_letter_world(world_of, tmp_path).run()
        done = [e.time_s for e in w.events if e.kind == "reprocessed"]
        assert done == [pytest.approx(1200 + 300 + 120 * k) for k in (1, 2, 3, 4)]
        assert w.count.delivered == len(CREATED)
        assert hours(w)["analysts"] == pytest.approx((300 + 4 * 120) / 3600, abs=1e-9)

    def test_two_analysts_share_the_dead_letters_for_the_same_hours(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Two analysts take two messages at a time; the hours do not change."""
        w = dead_letter_world(world_of, tmp_path, ("staff.analysts.count=2",)).run()
        done = [e.time_s for e in w.events if e.kind == "reprocessed"]
        assert done == [pytest.approx(t) for t in (1620, 1620, 1740, 1740)]
        assert hours(w)["analysts"] == pytest.approx((300 + 4 * 120) / 3600, abs=1e-9)


POISON_GIVEN_UP = """
name: poison-given-up
horizon: 3h
sample_every: 30s
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
strategy:
  order: none
  retry: {backoff: fixed, first: 1min, attempts: 3, then: dead-letter}
staff:
  analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: false}
faults:
  - {kind: poison-message, target: lab, at: +30min}
"""


class TestNoWastedFix:
    def test_no_fix_is_spent_on_a_message_already_dead_lettered(self, world_of: MakeWorld) -> None:
        """The poison message is given up 2 min after its first NAK: the analyst reaching it
        after the call-out reprocesses it (one fix) instead of fixing it and then reprocessing
        it (two)."""
        rep = replicate(world_of(POISON_GIVEN_UP).scenario, 0)
        kinds: dict[str, list[float]] = {}
        for e in rep.events:
            kinds.setdefault(e.kind, []).append(e.time_s)
        nak = kinds["poison-nak"][0]
        assert "poison-fixed" not in kinds
        assert kinds["reprocessed"] == [pytest.approx(nak + 900 + 600)]
        assert rep.summary["staff_hours"]["analysts"] == pytest.approx(25 / 60, abs=1e-9)
        assert rep.summary["messages"]["dead_lettered"] == 0
