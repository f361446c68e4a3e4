"""A fault still on at the horizon: no queue has recovered, and none is "recovering".

Recovery is counted "from the end of the last fault (a poison message ends when it is fixed or
given up)" (format, Results).  A fault whose `for` runs past the horizon, or a poison message
nobody fixed or gave up, has not ended: recovery_time_s is null, events.csv gives the reason
"the horizon ends before the last fault does", and no "recovering" phase is written (before
this test, both came out as if the fault had ended at the horizon: a "recovering" row at the
horizon and the reason "backlog never back at its normal level").  A fault ending exactly at
the horizon has ended.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario
from sim.experiments.run import ReplicationResult, replicate

pytestmark = pytest.mark.mutation

OUTAGE = """
name: unended
horizon: 1h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
systems:
  lab: {ack: constant(100ms), timeout: 10s}
faults:
  - {kind: system-outage, target: lab, at: +30min, for: FOR}
"""
HORIZON = "the horizon ends before the last fault does"
NEVER = "backlog never back at its normal level (5) for 15 min before the horizon"


def run(tmp_path: Path, text: str) -> ReplicationResult:
    """One replication of a scenario text."""
    (tmp_path / "s.yaml").write_text(text)
    return replicate(load_scenario(tmp_path / "s.yaml"), 0)


def lab_rows(rep: ReplicationResult) -> list[tuple[float, str, str]]:
    """The lab's phase and not-recovered rows of events.csv."""
    return [
        (e.time_s, e.kind, e.detail)
        for e in rep.events
        if e.target == "lab" and e.kind in ("phase", "not-recovered")
    ]


def test_an_outage_past_the_horizon_has_not_ended(tmp_path: Path) -> None:
    rep = run(tmp_path, OUTAGE.replace("FOR", "2h"))
    assert rep.summary["recovery_time_s"] is None
    assert rep.summary["queues"]["lab"]["recovery_time_s"] is None
    assert lab_rows(rep) == [(1860.0, "phase", "degraded"), (3600.0, "not-recovered", HORIZON)]


def test_an_outage_ending_at_the_horizon_has_ended(tmp_path: Path) -> None:
    """The outage ends at 3600 s, the last sample: recovering from then, with no 15 minutes
    left to recover in."""
    rep = run(tmp_path, OUTAGE.replace("FOR", "30min"))
    assert rep.summary["recovery_time_s"] is None
    assert lab_rows(rep) == [
        (1860.0, "phase", "degraded"),
        (3600.0, "phase", "recovering"),
        (3600.0, "not-recovered", NEVER),
    ]


def test_an_outage_ending_before_the_horizon_recovers(tmp_path: Path) -> None:
    """Ends at 2400 s; the lab has drained its 10 min of orders by the next sample."""
    rep = run(tmp_path, OUTAGE.replace("FOR", "10min"))
    assert rep.summary["recovery_time_s"] == 60.0
    assert lab_rows(rep) == [
        (1860.0, "phase", "degraded"),
        (2400.0, "phase", "recovering"),
        (2460.0, "phase", "stable"),
    ]


def test_a_poison_message_nobody_fixes_has_not_ended(tmp_path: Path) -> None:
    """No analysts: the poison message plugs the strict lab channel to the horizon."""
    text = OUTAGE.replace(
        "{kind: system-outage, target: lab, at: +30min, for: FOR}",
        "{kind: poison-message, target: lab, at: +30min}",
    ).replace("faults:", "strategy: {order: strict, retry: {backoff: fixed, first: 1min}}\nfaults:")
    rep = run(tmp_path, text)
    assert rep.summary["recovery_time_s"] is None
    rows = lab_rows(rep)
    assert [kind for _, kind, _ in rows] == ["phase", "not-recovered"]
    assert rows[0][2] == "degraded"
    assert rows[1] == (3600.0, "not-recovered", HORIZON)
