"""The recovery hold: a queue has recovered at the first sample at or below its normal level
that stays there for 15 minutes, not at a brief dip (format, Results: recovery time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.metrics.recovery import HOLD, recover

pytestmark = pytest.mark.mutation

STEP = 60.0


def samples(values: dict[float, float], end: float) -> tuple[list[float], list[float]]:
    """One sample a minute from 0 to `end`: the given values, 0 elsewhere."""
    times = [STEP * i for i in range(int(end / STEP) + 1)]
    return times, [values.get(t, 0.0) for t in times]


class TestRecoverFromSamples:
    def test_the_hold_is_fifteen_minutes(self) -> None:
        """The contract's hold is 15 minutes."""
        assert HOLD == 900.0

    def test_a_brief_dip_is_not_recovery(self) -> None:
        """At normal from 1260 s for 4 min, above again, then at normal for good from 1620 s.

        The fault ends at 1200 s; the normal level is the floor, 5 (the backlog was 0 before
        the fault), so the recovery time is 1620 - 1200 = 420 s, not the dip's 60 s.
        """
        up = {1200.0: 80.0, 1560.0: 40.0, 1500.0: 6.0}
        times, values = samples(up, 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert r.level == 5.0
        assert r.time_s == 420.0
        assert r.reason == ""
        assert r.phases == ((0.0, "stable"), (1200.0, "degraded"), (1620.0, "stable"))

    def test_a_dip_of_fourteen_minutes_is_not_recovery(self) -> None:
        """A dip that lasts 14 min (samples 1260 to 2040 s) does not count; the next stay does."""
        times, values = samples({1200.0: 80.0, 2100.0: 30.0}, 4 * 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert r.time_s == 2160.0 - 1200.0

    def test_a_stay_of_fifteen_minutes_is_recovery(self) -> None:
        """Samples at normal from 1260 s through 2160 s (15 min) are a recovery at 1260 s."""
        times, values = samples({1200.0: 80.0, 2220.0: 30.0}, 4 * 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert r.time_s == 60.0

    def test_a_stay_cut_short_by_the_horizon_is_not_recovery(self) -> None:
        """Back at normal 10 min before the horizon: not yet recovered, with the reason."""
        times, values = samples({t: 80.0 for t in range(1200, 3000, 60)}, 3600.0)
        r = recover(times, values, 0.0, 600.0, 1200.0)
        assert r.time_s is None
        assert r.reason == (
            "backlog never back at its normal level (5) for 15 min before the horizon"
        )


DIP = """\
name: dip
horizon: 1h
sample_every: 1min
flows:
  orders: {from: ehr, to: lab, trace: t.csv}
systems:
  lab: {ack: constant(1s), timeout: 1h}
engine: {cores: 4, transform: constant(1ms)}
faults:
  - {kind: engine-stall, at: +10min, for: 10min}
"""


def test_a_world_whose_queue_dips_then_rises_recovers_the_second_time(tmp_path: Path) -> None:
    """A drained stall backlog, then a burst: the recovery time is the drain after the burst.

    The lab files one message a second.  50 orders arrive during the stall (10 to 20 min) and
    drain by 1250 s, so the sample at 1260 s is at normal (the floor, 5); a burst of 100 orders
    at 1500.5 s raises the backlog above it at the 1560 s sample and has drained by 1600.5 s,
    so the queue is back to normal for good at the 1620 s sample: 1620 - 1200 = 420 s.
    """
    rows = [f"{700 + i},routine,{i + 1}" for i in range(50)]
    rows += [f"1500.5,routine,{100 + i}" for i in range(100)]
    (tmp_path / "t.csv").write_text("time,priority,patient\n" + "\n".join(rows) + "\n")
    (tmp_path / "s.yaml").write_text(DIP)
    result = run(load_scenario(tmp_path / "s.yaml"))
    rep = result.replications[0]
    lab = dict(zip(rep.samples.time_s, rep.samples.columns["queue.lab"], strict=True))
    assert lab[1200.0] == 50 and lab[1260.0] == 0  # the dip ...
    assert lab[1560.0] > 5 and lab[1620.0] == 0  # ... the burst, and the recovery
    assert result.summary["queues"]["lab"]["recovery_time_s"] == pytest.approx(420.0)
    assert result.summary["recovery_time_s"] == pytest.approx(420.0)
