"""The last hour of a replication, as the metastability map reads it: the backlog samples of
that hour, the messages created and delivered in it, and a run left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiments.last_hour import last_hour_of, run_last_hour_task
from sim.experiments.run import replicate
from sim.experiments.sweep import Task
from sim.scenario import load_scenario

WORLD = str(Path(__file__).parent / "data" / "metastable.yaml")


@pytest.mark.parametrize("duration", ["3s", "30s"])
def test_the_last_hour_is_the_runs_own_samples_and_counts(duration: str) -> None:
    """Over the hour, the backlog (every message under way) changes by what was created less
    what was delivered: in this world nothing is given up, so exactly. 3 s recovers, 30 s
    tips the world into the metastable state (see tests/test_metastability_world.py)."""
    scenario = load_scenario(WORLD, [f"faults.0.for={duration}"])
    outcome = run_last_hour_task(Task(scenario, 0))
    last = last_hour_of(outcome)
    assert last is not None
    assert last.times == tuple(float(t) for t in range(15 * 60, 75 * 60 + 1, 60))
    rep = replicate(scenario, 0)
    total = rep.samples.columns["total"]
    assert last.backlog == tuple(float(b) for b in total[-61:])
    assert last.backlog[-1] - last.backlog[0] == last.arrivals - last.goodput
    assert 7000 < last.arrivals < 7400  # 2/s for an hour
    if duration == "3s":
        assert last.goodput == pytest.approx(last.arrivals, abs=40)
    else:
        assert last.goodput == 0  # no send is ACKed in time: every one is wasted


def test_the_probe_leaves_the_replication_as_ehrsim_run_runs_it() -> None:
    scenario = load_scenario(WORLD, ["faults.0.for=30s"])
    outcome = run_last_hour_task(Task(scenario, 1))
    assert outcome["summary"] == replicate(scenario, 1).summary
    assert outcome["complete"] is True and outcome["stop_reason"] == ""


def test_a_replication_stopped_at_a_guard_has_no_last_hour() -> None:
    scenario = load_scenario(WORLD, ["faults.0.for=30s", "limits.queued=2000"])
    outcome = run_last_hour_task(Task(scenario, 0))
    assert outcome["complete"] is False
    assert outcome["last_hour"] is None and last_hour_of(outcome) is None
