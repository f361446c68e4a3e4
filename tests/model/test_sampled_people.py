"""The people's work and the late orders sampled over time (timeseries.csv's people.* and
late.* columns): which columns a world has, and that they count what they say."""

from __future__ import annotations

import pytest

from sim.metrics.summary import replication_summary
from tests.model.conftest import MakeWorld
from tests.model.test_people import FALLBACK, POISON

pytestmark = pytest.mark.mutation

STUCK = """
name: stuck
horizon: 4h
sample_every: 1min
flows:
  lab-orders:
    from: ehr
    to: lab
    rate: 600/h
    priority: {stat: 0.5, routine: 0.5}
    deadline: {stat: 1h}
    reply: {flow: lab-results, after: constant(30min)}
  lab-results: {from: lab, to: ehr}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
  ehr: {ack: constant(50ms), connections: 2, timeout: 10s}
strategy: {retry: {backoff: fixed, first: 30s}}
faults:
  - {kind: system-outage, target: lab, at: +1h, for: 5h}
"""
"""The lab is down from 1 h on: its results wait in its outbox, so every STAT order placed from
30 min before the outage (its result due after the outage began) is late an hour after it was
placed, and no result ever says so."""


def _columns(names: dict[str, object], prefix: str) -> list[str]:
    return [name for name in names if name.startswith(prefix)]


class TestLateOrders:
    def test_an_order_is_late_once_its_deadline_passes_without_a_result(
        self, world_of: MakeWorld
    ) -> None:
        """late.stat at t counts the STAT orders placed from 30 min before the outage up to
        t - 1 h (their results never come), not the late results that arrived by t (none)."""
        w = world_of(STUCK, trace=True).run()
        assert w.trace is not None
        stat = [
            t
            for t, _uid, flow, cls, ev, *_ in w.trace
            if ev == "created" and cls == "stat" and flow == "lab-orders"
        ]
        late = w.samples.columns["late.stat"]
        times = w.samples.time_s
        checked = 0
        for t, value in zip(times, late, strict=True):
            # a result made in the last instants before the outage may or may not get out
            surely = sum(1800.0 + 1.0 <= c <= t - 3600.0 for c in stat)
            perhaps = sum(1800.0 - 1.0 <= c <= t - 3600.0 for c in stat)
            assert surely <= value <= perhaps, t
            checked += surely > 0
        assert checked > 60 and late[-1] > 500
        assert sum(f.late[0] for f in w.flows.values()) == late[-1]  # the end agrees

    def test_the_last_sample_is_summary_json_s_late_figure(self, world_of: MakeWorld) -> None:
        """At the horizon each class's column equals the summary's late count (results that
        came late and orders never answered alike); classes without a deadline get none."""
        w = world_of(FALLBACK, sets=["fallback.duplicate_risk=0.3"]).run()
        summary = replication_summary(w)
        cols = w.samples.columns
        assert _columns(cols, "late.") == ["late.stat", "late.routine"]
        assert w.samples.time_s[-1] == w.end
        assert cols["late.stat"][-1] == summary["late"]["stat"] > 0
        assert cols["late.routine"][-1] == summary["late"]["routine"]
        assert all(a <= b for a, b in zip(cols["late.stat"], cols["late.stat"][1:], strict=False))


class TestPeopleColumns:
    def test_a_world_samples_only_the_people_it_has(self, world_of: MakeWorld) -> None:
        """Analysts only: their two columns; a fallback with clerks: paper and clerks."""
        analysts = world_of(POISON).run().samples.columns
        assert _columns(analysts, "people.") == ["people.analyst_tasks", "people.analysts_busy"]
        clerks = world_of(FALLBACK).run().samples.columns
        assert _columns(clerks, "people.") == [
            "people.paper_held",
            "people.back_entry",
            "people.reconcile",
            "people.clerks_busy",
        ]

    def test_paper_orders_are_held_then_back_entered_by_the_clerks(
        self, world_of: MakeWorld
    ) -> None:
        """The paper pile grows while the lab is on paper and holds every paper order at the
        switch back; the next minute 20 clerks have taken 20 of them (3 min each)."""
        w = world_of(FALLBACK, sets=["fallback.duplicate_risk=0.0"]).run()
        cols, times = w.samples.columns, list(w.samples.time_s)
        off = next(e.time_s for e in w.events if e.kind == "fallback-off")
        i = times.index(off)
        held = cols["people.paper_held"]
        assert held[i] == max(held) == w.count.on_paper > 100
        assert held[i + 1] == 0
        assert cols["people.back_entry"][i + 1] == w.count.on_paper - 20
        assert cols["people.clerks_busy"][i + 1] == 20
        assert max(cols["people.back_entry"][:i]) == 0
        assert max(cols["people.reconcile"]) == 0  # no duplicate to reconcile

    def test_duplicates_wait_in_the_reconciliation_queue(self, world_of: MakeWorld) -> None:
        """Every paper order also sent electronically is reconciled when delivered: with 2
        clerks the reconciliations queue up behind the back-entry."""
        sets = ["fallback.duplicate_risk=1.0", "staff.clerks.count=2"]
        cols = world_of(FALLBACK, sets=sets).run().samples.columns
        assert max(cols["people.reconcile"]) > 50
        assert max(cols["people.clerks_busy"]) == 2

    def test_an_analyst_is_busy_from_the_call_to_the_fix(self, world_of: MakeWorld) -> None:
        """One analyst answers the poison message's call (15 min) and fixes it (10 min): busy
        exactly then; the task waits in the queue during the call-out only."""
        w = world_of(POISON).run()
        nak = next(e.time_s for e in w.events if e.kind == "poison-nak")
        fixed = next(e.time_s for e in w.events if e.kind == "poison-fixed")
        cols = w.samples.columns
        for t, busy, tasks in zip(
            w.samples.time_s,
            cols["people.analysts_busy"],
            cols["people.analyst_tasks"],
            strict=True,
        ):
            assert busy == (1 if nak <= t < fixed else 0), t
            assert tasks == (1 if nak <= t < nak + 900.0 else 0), t
