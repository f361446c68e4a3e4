"""Poison messages, analysts, the paper fallback, clerks, alerts and the recovery surge."""

from __future__ import annotations

import pytest

from sim.experiments.run import replicate
from sim.metrics.summary import replication_summary
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

POISON = """
name: poison
horizon: 3h
sample_every: 30s
flows:
  lab-orders: {from: ehr, to: lab, rate: 600/h}
  ris-orders: {from: ehr, to: ris, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
  ris: {ack: constant(100ms), timeout: 10s}
strategy:
  queues: per-destination
  order: strict
  retry: {backoff: fixed, first: 1min}
staff:
  analysts: {count: 1, respond: 15min, fix: constant(10min), start_on_alert: false}
faults:
  - {name: bad lab order, kind: poison-message, target: lab, at: +30min}
"""


def events(world_of: MakeWorld, text: str, sets: tuple[str, ...] = ()) -> dict[str, list[float]]:
    rep = replicate(world_of(text, sets=sets).scenario, 0)
    out: dict[str, list[float]] = {}
    for e in rep.events:
        out.setdefault(e.kind, []).append(e.time_s)
    return out


class TestPoisonMessage:
    def test_poison_waits_exactly_the_analysts_response_and_fix(self, world_of: MakeWorld) -> None:
        """Fixed respond + fix after its first negative ACK, the message is resent and delivered."""
        w = world_of(POISON, trace=True).run()
        kinds = {e.kind: e for e in w.events}
        nak, fixed = kinds["poison-nak"].time_s, kinds["poison-fixed"].time_s
        assert fixed - nak == pytest.approx(900.0 + 600.0)
        uid = int(kinds["poison-fixed"].detail.split()[-1])
        assert delivered_at(w)[uid] == pytest.approx(fixed + 0.1)
        assert replication_summary(w)["staff_hours"]["analysts"] == pytest.approx(25 / 60)

    def test_poison_under_strict_blocks_only_its_channel_with_separate_queues(
        self, world_of: MakeWorld
    ) -> None:
        """With per-destination queues a strict lab channel plugs; radiology flows on."""
        w = world_of(POISON).run()
        lab = max(w.samples.columns["queue.lab"])
        ris = max(w.samples.columns["queue.ris"])
        assert lab > 200  # 25 min of lab orders behind the poison message
        assert ris < 5

    def test_poison_under_strict_starves_every_channel_with_a_shared_queue(
        self, world_of: MakeWorld
    ) -> None:
        """With one shared strict queue the poison message plugs every interface."""
        w = world_of(POISON, sets=["strategy.queues=shared"]).run()
        assert max(w.samples.columns["queue.ris"]) > 150

    def test_poison_fault_ends_when_fixed(self, world_of: MakeWorld) -> None:
        """The poison fault's end is its fix; recovery is measured from there."""
        ev = events(world_of, POISON)
        assert ev["fault-end"] == ev["poison-fixed"]
        w = world_of(POISON).run()
        s = replication_summary(w)
        assert s["recovery_time_s"] is not None
        assert s["recovery_time_s"] < 600

    def test_without_analysts_the_plug_never_clears(self, world_of: MakeWorld) -> None:
        """With no one to fix it, a strict channel stays plugged and never recovers."""
        text = POISON.replace(
            "staff:\n  analysts: {count: 1, respond: 15min, fix: constant(10min), "
            "start_on_alert: false}\n",
            "",
        )
        w = world_of(text).run()
        s = replication_summary(w)
        assert s["recovery_time_s"] is None  # the poison fault never ends
        lab = w.samples.columns["queue.lab"]
        assert lab[-1] > 1500  # every lab order since 00:30 is stuck behind it
        assert max(w.samples.columns["queue.ris"]) < 5

    def test_retry_limit_gives_the_poison_up_to_the_dead_letter_queue(
        self, world_of: MakeWorld
    ) -> None:
        """With attempts: 3 the poison message is dead-lettered and the channel moves on."""
        w = world_of(
            POISON, sets=["strategy.retry={backoff: fixed, first: 1min, attempts: 3}"]
        ).run()
        kinds = {e.kind: e.time_s for e in w.events}
        # given up after its third send (two one-minute backoffs): that ends the fault ...
        assert kinds["fault-end"] == pytest.approx(kinds["poison-nak"] + 120, abs=1)
        assert "poison-fixed" not in kinds
        # ... and after the call-out the analyst reprocesses it (no fix is spent on it first)
        assert kinds["reprocessed"] == pytest.approx(kinds["poison-nak"] + 900 + 600)
        assert w.count.dead_lettered == 0

    def test_suspend_stops_the_channel_until_an_analyst_restarts_it(
        self, world_of: MakeWorld
    ) -> None:
        """`on_reply: {AE: suspend}` stops the channel until the analyst restarts it.

        The analyst first fixes the poison message (respond 15 min + fix 10 min, priority 0),
        then restarts the channel (10 min more, no new call-out).
        """
        ev = events(world_of, POISON, ("strategy.on_reply.AE=suspend",))
        assert ev["channel-suspended"][0] == pytest.approx(1800, abs=120)
        assert ev["channel-restarted"][0] - ev["channel-suspended"][0] == pytest.approx(2100)
        assert ev["poison-fixed"][0] < ev["channel-restarted"][0]


FALLBACK = """
name: fallback
horizon: 6h
sample_every: 1min
flows:
  lab-orders:
    from: ehr
    to: lab
    rate: 600/h
    priority: {stat: 0.5, routine: 0.5}
    deadline: {stat: 1h, routine: 8h}
    reply: {flow: lab-results, after: constant(30min)}
  lab-results: {from: lab, to: ehr}
  ris-orders:
    from: ehr
    to: ris
    rate: 600/h
    reply: {flow: ris-results, after: constant(30min)}
  ris-results: {from: ris, to: ehr}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
  ris: {ack: constant(100ms), timeout: 10s}
  ehr: {ack: constant(50ms), connections: 2, timeout: 10s}
strategy: {retry: {backoff: fixed, first: 30s}}
fallback:
  trigger_after: 20min
  share: {stat: 1.0, urgent: 1.0, routine: 0.0}
  phone_delay: 15min
  duplicate_risk: 0.0
staff:
  clerks: {count: 20, back_entry: constant(3min), reconcile: constant(90s)}
faults:
  - {kind: system-outage, target: lab, at: +1h, for: 2h}
"""


class TestFallback:
    def test_fallback_triggers_per_interface(self, world_of: MakeWorld) -> None:
        """Only the silent interface goes on paper, about trigger_after into the outage."""
        ev = events(world_of, FALLBACK)
        assert ev["fallback-on"] == [pytest.approx(3600 + 1200, abs=61)]
        rep = replicate(world_of(FALLBACK).scenario, 0)
        # the EHR is silent too (no lab results), but results are not ordered on paper
        assert {e.target for e in rep.events if e.kind.startswith("fallback")} == {"lab"}
        assert len(ev["fallback-off"]) == 1
        w = world_of(FALLBACK).run()
        assert w.count.on_paper == pytest.approx(0.5 * 600 * (2 - 1 / 3), rel=0.15)

    def test_back_entry_adds_the_configured_work(self, world_of: MakeWorld) -> None:
        """Clerks spend back_entry per paper order: 3 min each."""
        w = world_of(FALLBACK).run()
        s = replication_summary(w)
        assert s["staff_hours"]["clerks"] == pytest.approx(w.count.on_paper * 3 / 60)
        assert s["people_recovery_time_s"] is not None

    def test_paper_orders_get_their_results_exactly_a_phone_delay_after_the_lab(
        self, world_of: MakeWorld
    ) -> None:
        """A paper STAT order's result reaches the clinician at turnaround + phone_delay, exactly.

        The lab is down from 1 h to the horizon and the warm-up is 1 h, so no electronic lab
        order created after the warm-up ever gets a result: every STAT order-to-result time
        counted is a paper order's, and each is turnaround (constant 30 min) + phone_delay.
        """
        sets = ["faults.0.for=5h", "warmup=1h"]
        for phone_delay, expected in (("15min", 1800.0 + 900.0), ("40min", 1800.0 + 2400.0)):
            w = world_of(FALLBACK, sets=[*sets, f"fallback.phone_delay={phone_delay}"]).run()
            stat = w.flows["lab-orders"].o2r[0]
            assert w.count.on_paper > 100
            # the paper orders phoned before the horizon, i.e. all but the last `expected` s
            assert 0.5 * w.count.on_paper < stat.count < w.count.on_paper
            assert stat.min == pytest.approx(expected, abs=1e-6)
            assert stat.max == pytest.approx(expected, abs=1e-6)
            assert stat.mean == pytest.approx(expected, abs=1e-6)

    def test_duplicates_need_reconciling(self, world_of: MakeWorld) -> None:
        """Paper orders also sent electronically are reconciled by clerks (90 s each)."""
        w = world_of(FALLBACK, sets=["fallback.duplicate_risk=1.0"]).run()
        s = replication_summary(w)
        paper = w.count.on_paper
        assert s["staff_hours"]["clerks"] == pytest.approx(paper * (3 + 1.5) / 60, rel=0.02)


class TestAlerts:
    def test_an_alert_fires_at_the_first_sample_past_its_threshold(
        self, world_of: MakeWorld
    ) -> None:
        """The depth alert fires at the first sample where the backlog exceeds it."""
        text = FALLBACK + "alerts:\n  - {queue: lab, depth_above: 100}\n"
        w = world_of(text).run()
        alert = next(e for e in w.events if e.kind == "alert")
        col = w.samples.columns["queue.lab"]
        first = next(t for t, v in zip(w.samples.time_s, col, strict=True) if v > 100)
        assert alert.time_s == first
        assert replication_summary(w)["time_to_detect_s"] == pytest.approx(first - 3600)

    def test_age_alert_and_start_on_alert(self, world_of: MakeWorld) -> None:
        """An age alert calls the analysts; without one they never start."""
        text = POISON.replace("start_on_alert: false", "start_on_alert: true")
        no_alert = events(world_of, text)
        assert "poison-fixed" not in no_alert
        with_alert = events(world_of, text + "alerts:\n  - {queue: any, oldest_older_than: 5min}\n")
        assert with_alert["alert"][0] >= 1800 + 300
        assert with_alert["poison-fixed"][0] - with_alert["alert"][0] == pytest.approx(1500)


SURGE = """
name: surge
horizon: 6h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, rate: 6/s}
systems:
  lab: {ack: constant(50ms), connections: 64, capacity: 10/s, timeout: 5s}  # 64 > 10/s x 5 s
engine: {cores: 8, transform: constant(1ms)}
faults:
  - {kind: engine-stall, at: +1h, for: 1h}
"""


class TestRecoverySurge:
    def test_aggressive_retry_never_recovers(self, world_of: MakeWorld) -> None:
        """Immediate retries keep the slow system full of timed-out work: a metastable failure."""
        w = world_of(SURGE, sets=["strategy.retry={backoff: immediate}"]).run()
        s = replication_summary(w)
        assert s["recovery_time_s"] is None
        assert s["goodput_share"] < 0.5
        assert s["messages"]["duplicates"] > 10000

    def test_jittered_backoff_recovers(self, world_of: MakeWorld) -> None:
        """Exponential backoff with full jitter lets the system drain the surge and recover."""
        w = world_of(
            SURGE,
            sets=["strategy.retry={backoff: exponential, first: 30s, cap: 10min, jitter: full}"],
        ).run()
        s = replication_summary(w)
        assert s["recovery_time_s"] is not None
        assert s["recovery_time_s"] < 3 * 3600
