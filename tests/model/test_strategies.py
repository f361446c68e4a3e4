"""The strategy catalogue on small worlds: each does what it claims."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.experiments.run import replicate
from sim.metrics.summary import replication_summary
from sim.strategies import DISCIPLINES
from sim.strategies.housekeeping import HOUSEKEEPING
from sim.strategies.policies import POLICIES
from tests.model.conftest import MakeWorld, delivered_at

pytestmark = pytest.mark.mutation

ONE = """
name: strategies
horizon: 2h
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 2/s}
systems:
  lab: {ack: exponential(400ms), timeout: 1h}
engine: {cores: 8, transform: constant(1ms)}
"""


class TestRegistries:
    def test_every_strategy_of_the_format_is_registered_by_its_yaml_name(self) -> None:
        """Disciplines, policies and housekeeping rules are found by the names the YAML uses."""
        assert set(DISCIPLINES) == {"fifo", "priority", "lifo", "codel", "fair"}
        assert set(POLICIES) == {"breaker", "drain"}
        assert set(HOUSEKEEPING) == {"expire"}


class TestLifo:
    def test_lifo_serves_the_newest_first(self, world_of: MakeWorld, tmp_path: object) -> None:
        """Three messages waiting behind a busy connection leave newest first."""
        text = """
        name: lifo
        horizon: 1h
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(10s), timeout: 1h}
        engine: {cores: 4, transform: constant(1ms)}
        strategy: {discipline: lifo}
        """
        import pathlib

        pathlib.Path(str(tmp_path), "t.csv").write_text(
            "time,priority,patient\n0,routine,1\n1,routine,2\n2,routine,3\n3,routine,4\n"
        )
        w = world_of(text, trace=True).run()
        order = sorted(delivered_at(w), key=lambda uid: delivered_at(w)[uid])
        assert order == [0, 3, 2, 1]


class TestCoDel:
    CODEL = "strategy.discipline={codel: {target: 5s, interval: 1min}}"

    def test_codel_sheds_under_sustained_overload(self, world_of: MakeWorld) -> None:
        """At 2.5x the channel's capacity for an hour, CoDel sheds and keeps waits near target."""
        w = world_of(ONE, sets=[self.CODEL, "flows.orders.rate=5/s"]).run()
        assert w.count.shed > 1000
        fifo = world_of(ONE, sets=["flows.orders.rate=5/s"]).run()
        assert fifo.count.shed == 0
        assert w.channels["lab"].wait().mean < 0.05 * fifo.channels["lab"].wait().mean

    def test_codel_does_not_shed_a_short_burst(self, world_of: MakeWorld) -> None:
        """A 20-second burst at 10x builds a queue that drains within the interval: no shedding."""
        text = ONE + "faults: [{kind: surge, at: +1h, for: 20s, severity: 10}]\n"
        w = world_of(text, sets=[self.CODEL, "systems.lab.ack=exponential(100ms)"]).run()
        assert w.count.shed == 0
        assert max(w.samples.columns["queue.lab"]) > 50  # there was a queue


class TestFair:
    def test_fair_shares_a_channel_by_weight(self, world_of: MakeWorld) -> None:
        """Under overload, a heavy and a light flow get sends in the ratio of their weights."""
        text = """
        name: fair
        horizon: 1h
        flows:
          heavy: {from: ehr, to: lab, rate: 20/s}
          light: {from: ehr, to: lab, rate: 20/s}
        systems:
          lab: {ack: constant(100ms), timeout: 1h}
        engine: {cores: 8, transform: constant(1ms)}
        strategy: {discipline: {fair: {weights: {heavy: 3, light: 1}}}}
        """
        w = world_of(text).run()
        heavy = w.flows["heavy"].latency[2].count
        light = w.flows["light"].latency[2].count
        assert heavy / light == pytest.approx(3.0, rel=0.02)
        assert heavy + light == pytest.approx(10 * 3600, rel=0.01)  # the channel stays busy


BREAKER = """
name: breaker
horizon: 2h
sample_every: 10s
flows:
  orders: {from: ehr, to: lab, rate: 1/s}
systems:
  lab: {ack: constant(100ms), connections: 4, timeout: 5s}
strategy:
  retry: {backoff: fixed, first: 2s}
  breaker: {after: 5, open: 1min}
faults:
  - {kind: system-outage, target: lab, at: +30min, for: 10min}
"""


class TestBreaker:
    def test_breaker_opens_and_half_opens_at_the_configured_times(
        self, world_of: MakeWorld
    ) -> None:
        """Five failures open it; a minute later one probe goes; after the outage it closes."""
        rep = replicate(world_of(BREAKER).scenario, 0)
        ev = [(e.time_s, e.kind) for e in rep.events if e.kind.startswith("breaker")]
        opens = [t for t, k in ev if k == "breaker-open"]
        halves = [t for t, k in ev if k == "breaker-half-open"]
        closed = [t for t, k in ev if k == "breaker-closed"]
        assert 1800 < opens[0] < 1800 + 15  # five timeouts of sends started in the outage
        assert halves[0] == pytest.approx(opens[0] + 60)
        assert all(h == pytest.approx(o + 60) for o, h in zip(opens, halves, strict=False))
        assert len(closed) == 1 and 2400 <= closed[0] < 2400 + 75
        assert rep.summary["messages"]["delivered"] >= rep.summary["messages"]["created"] - 3

    def test_breaker_sends_fewer_messages_into_a_dead_system(self, world_of: MakeWorld) -> None:
        """With the breaker open, messages wait instead of timing out against the dead system."""
        with_breaker = world_of(BREAKER).run()
        without = world_of(BREAKER, sets=["strategy.breaker=null"]).run()
        assert with_breaker.count.sends - with_breaker.count.delivered < 0.25 * (
            without.count.sends - without.count.delivered
        )


class TestDrain:
    def test_drain_limit_caps_the_send_rate(self, world_of: MakeWorld) -> None:
        """After a stall, 8 connections drain at most `rate` messages per second."""
        text = ONE.replace("connections", "x") + (
            "faults: [{kind: engine-stall, at: +30min, for: 30min}]\n"
        )
        text = text.replace("lab: {ack: exponential(400ms), timeout: 1h}",
                            "lab: {ack: constant(50ms), connections: 8, timeout: 1h}")  # fmt: skip
        w = world_of(text, sets=["strategy.drain={rate: 5/s}"], trace=True).run()
        times = np.array(sorted(delivered_at(w).values()))
        after = times[(times > 3600) & (times < 3600 + 600)]
        assert len(after) == pytest.approx(5 * 600, rel=0.01)
        free = world_of(text, trace=True).run()
        times = np.array(sorted(delivered_at(free).values()))
        assert ((times > 3600) & (times < 3600 + 60)).sum() > 3000


class TestExpire:
    WORLD = """
    name: expire
    horizon: 4h
    sample_every: 1min
    flows:
      orders:
        from: ehr
        to: lab
        rate: 600/h
        deadline: {routine: 8h}
        reply: {flow: results, after: constant(30min)}
      results: {from: lab, to: ehr}
    systems:
      lab: {ack: constant(100ms), timeout: 10s}
      ehr: {ack: constant(50ms), timeout: 10s}
    strategy: {expire: {after: 20min, to: paper}, retry: {backoff: fixed, first: 30s}}
    staff:
      clerks: {count: 20, back_entry: constant(2min)}
    faults:
      - {kind: system-outage, target: lab, at: +1h, for: 1h}
    """

    @pytest.mark.parametrize("after", [1200.0, 1260.0])
    def test_expire_moves_old_messages_to_paper(self, world_of: MakeWorld, after: float) -> None:
        """Messages that waited longer than `after` during the outage leave the queue as expired.

        The lab is cut off from 1 h to 2 h: orders to it and the results it produces (which
        wait in its outbox) wait.  Expiry is checked at every sample (1 min), the last one at
        7200 s, when the outage has just ended, so the messages created in (3600, 7200 - after)
        s expire, but for at most five that are no longer waiting then (the order held by the
        connection, four results on the transform's cores): a minute's change of `after` moves
        about 20 messages.
        """
        w = world_of(self.WORLD, sets=[f"strategy.expire.after={after:g}s"], trace=True).run()
        s = replication_summary(w)
        assert w.trace is not None
        created = {uid: t for t, uid, _flow, _cls, event, *_ in w.trace if event == "created"}
        expired = {uid for _t, uid, _flow, _cls, event, *_ in w.trace if event == "expired"}
        old = {uid for uid, t in created.items() if 3600 < t < 7200 - after}
        assert len(old) > 600
        assert expired <= old
        assert len(old - expired) <= 5
        assert s["messages"]["expired"] == len(expired)
        assert s["messages"]["on_paper"] == 0  # no fallback section: only expiry makes paper
        assert s["staff_hours"]["clerks"] == pytest.approx(s["messages"]["expired"] * 2 / 60)
        assert s["order_to_result_s"]["orders"]["routine"]["late"] == 0

    def test_each_message_expires_at_the_first_sample_past_its_age_limit(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """A held message expires at the first sample at which it has waited longer than `after`.

        The engine is stalled (hold) from 10 min to 70 min; with `after` 20 min and a sample
        each minute, the messages created at 700 s, 730.5 s and 2900 s expire at 1920 s,
        1980 s and 4140 s; the one created at 3050 s is still young at 4200 s, when the stall
        ends, and is delivered; the one created at 0 s was delivered before the stall.
        """
        text = """
        name: expire-exact
        horizon: 2h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(100ms), timeout: 10s}
        engine: {cores: 1, transform: constant(10ms)}
        strategy: {expire: {after: 20min, to: paper}}
        faults:
          - {kind: engine-stall, at: +10min, for: 1h}
        """
        (tmp_path / "t.csv").write_text(
            "time,priority,patient\n0,routine,1\n700,routine,2\n730.5,routine,3\n"
            "2900,routine,4\n3050,routine,5\n"
        )
        w = world_of(text, trace=True).run()
        assert w.trace is not None
        expired = {uid: t for t, uid, _flow, _cls, event, *_ in w.trace if event == "expired"}
        assert expired == {1: 1920.0, 2: 1980.0, 3: 4140.0}
        assert delivered_at(w) == pytest.approx({0: 0.11, 4: 4200.1})  # transformed, then held
        assert w.count.expired == 3
