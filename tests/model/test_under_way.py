"""`Channel.under_way` holds each message bound to a channel once, in creation order.

A dead-lettered message that an analyst reprocesses comes back to its channel.  The walks of
`under_way` (a `memory` node crash, the `expire` rule, the MedCom 24 h count at the end, the
oldest age) must then see it exactly once, in its place by age.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.metrics.summary import replication_summary
from sim.model.world import World
from tests.model.conftest import MakeWorld

pytestmark = pytest.mark.mutation

# Four orders created during a lab outage are dead-lettered after one send each; at 21 min
# they are reprocessed into an engine stall, so they wait again (as does the order of 25 min).
BASE = """
name: under-way
horizon: {horizon}
sample_every: {sample}
flows:
  orders: {{from: ehr, to: {to}, trace: t.csv}}
systems:
  {to}: {{ack: constant(100ms), timeout: 30s}}
engine: {{store: memory, cores: 4, transform: constant(1ms)}}
strategy:
  retry: {{backoff: fixed, first: 10s, attempts: 1, then: dead-letter}}
{extra}
faults:
  - {{kind: system-outage, target: {to}, at: +5min, for: 10min}}
  - {{kind: engine-stall, at: +20min, for: {stall}}}
{more}
"""
TIMES = (60, 360, 420, 480, 540, 1080, 1500)
"""Creation times: one before the outage, four in it, one after it, one in the stall."""
DEAD = 4
REPROCESS_AT = 1260.0


def world(
    world_of: MakeWorld,
    tmp_path: Path,
    *,
    to: str = "lab",
    horizon: str = "2h",
    sample: str = "1h",
    stall: str = "70min",
    extra: str = "",
    more: str = "",
    times: tuple[int, ...] = TIMES,
) -> World:
    """The world above, with the dead letters reprocessed at 21 min (an analyst's action)."""
    rows = "".join(f"{t},routine,{i + 1}\n" for i, t in enumerate(times))
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
    text = BASE.format(to=to, horizon=horizon, sample=sample, stall=stall, extra=extra, more=more)
    w = world_of(text)
    ch = w.channels[to]

    def reprocess(_ev: object) -> None:
        assert len(ch.dead_letters) == DEAD
        assert ch.reprocess() == DEAD

    w.env.timeout(REPROCESS_AT).callbacks.append(reprocess)
    return w


def listed(w: World, sid: str) -> list[int]:
    """The uids in a channel's under_way, in its order."""
    return [m.uid for m in w.channels[sid].under_way]


class TestReprocessedOnce:
    def test_a_reprocessed_message_is_listed_once_in_creation_order(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """After reprocessing, under_way lists every message once, oldest first."""
        w = world(world_of, tmp_path)
        w._start()
        w.clock.run_until(REPROCESS_AT + 1)
        uids = listed(w, "lab")
        assert len(uids) == len(set(uids))
        assert uids == sorted(uids)

    def test_a_memory_crash_loses_a_reprocessed_message_once(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """A memory-store crash after reprocessing loses the 4 reprocessed orders and the
        waiting one: exactly 5 lost, conservation holds."""
        crash = "  - {kind: node-crash, at: +30min, for: 5min}"
        w = world(world_of, tmp_path, more=crash).run()
        s = replication_summary(w)["messages"]
        assert s["lost"] == DEAD + 1
        assert w.flows["orders"].lost == DEAD + 1
        assert s["delivered"] == 2
        assert s["dead_lettered"] == 0
        assert s["created"] == s["delivered"] + s["lost"] + s["queued_at_end"]

    def test_expire_expires_a_reprocessed_message_once(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """At the 1 h sample the 4 reprocessed orders and the waiting one expire, once each."""
        w = world(world_of, tmp_path, extra="  expire: {after: 10min, to: paper}").run()
        s = replication_summary(w)["messages"]
        assert s["expired"] == DEAD + 1
        assert w.expired_to_paper == DEAD + 1
        assert s["delivered"] == 2
        assert s["created"] == s["delivered"] + s["expired"]

    def test_the_medcom_count_counts_a_reprocessed_letter_once(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Letters still waiting 24 h after creation at the end are counted once each."""
        w = world(world_of, tmp_path, to="medcom", horizon="26h", stall="30h").run()
        s = replication_summary(w)
        assert s["messages"]["queued_at_end"] == DEAD + 1
        assert s["medcom_later_than_24h"] == DEAD + 1


class TestReprocessedInItsPlace:
    """The dead letters left under_way (sampled every minute, they were at its head) before
    a younger order, created in the stall at 20.5 min, joined it."""

    TIMES = (60, 360, 420, 480, 540, 1080, 1230)

    def test_oldest_age_sees_a_reprocessed_message(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Right after reprocessing, the oldest message bound to the lab is the order of 6 min."""
        w = world(world_of, tmp_path, sample="1min", times=self.TIMES)
        w._start()
        w.clock.run_until(REPROCESS_AT + 30)
        assert w.channels["lab"].oldest_age(w.env.now) == pytest.approx(REPROCESS_AT + 30 - 360)

    def test_expire_reaches_a_reprocessed_message_behind_a_younger_one(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """The reprocessed orders (older than 10 min) expire at the first sample after 21 min,
        though a younger order (1.5 min old then) waits too."""
        w = world(
            world_of,
            tmp_path,
            sample="1min",
            times=self.TIMES,
            extra="  expire: {after: 10min, to: paper}",
        )
        w._start()
        w.clock.run_until(REPROCESS_AT + 61)
        assert w.count.expired == DEAD
        w.clock.run_until(7200)
        w.end = w.env.now
        w._close()
        assert w.count.expired == DEAD + 1


class TestParkedAndReturned:
    def test_a_parked_message_that_returned_is_lost_once_in_a_crash(
        self, world_of: MakeWorld, tmp_path: Path
    ) -> None:
        """Orders parked in an outage and back in the queue many times are each lost once."""
        rows = "".join(f"{60 * i},routine,{i}\n" for i in range(1, 11))
        (tmp_path / "t.csv").write_text("time,priority,patient\n" + rows)
        text = """
        name: parked
        horizon: 1h
        sample_every: 1min
        flows:
          orders: {from: ehr, to: lab, trace: t.csv}
        systems:
          lab: {ack: constant(100ms), timeout: 5s}
        engine: {store: memory}
        strategy:
          retry: {backoff: fixed, first: 20s, attempts: 1, then: park}
        faults:
          - {kind: system-outage, target: lab, at: +3min, for: 1h}
          - {kind: node-crash, at: +20min, for: 5min}
        """
        w = world_of(text).run()
        assert w.count.delivered == 2
        assert w.count.lost == 8
        uids = listed(w, "lab")
        assert len(uids) == len(set(uids))
