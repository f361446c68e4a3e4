"""Determinism: the same scenario and seed give the same figures, however they are run."""

from __future__ import annotations

import json

import pytest

from sim import load_scenario, run
from tests.determinism.fingerprints import FILE, fingerprint, headlines, shipped

SMALL = "theory/mm1"


class TestWorkers:
    def test_replications_in_workers_give_the_same_summary(self) -> None:
        """Three replications on one process or on two workers give identical summaries."""
        scenario = load_scenario(SMALL, sets=["horizon=1h30m", "warmup=10min"])
        one = run(scenario, replications=3, jobs=1).summary
        two = run(scenario, replications=3, jobs=2).summary
        assert json.dumps(one) == json.dumps(two)
        assert one["replications"] == 3 and one["ci95"]

    def test_replication_zero_is_the_same_in_a_longer_run(self) -> None:
        """Replication 0 of a run with three replications is a run with one."""
        scenario = load_scenario(SMALL, sets=["horizon=1h30m", "warmup=10min"])
        single = run(scenario, replications=1).replications[0].summary
        first = run(scenario, replications=3).replications[0].summary
        assert single == first


class TestFingerprints:
    @pytest.mark.parametrize("name", shipped())
    def test_shipped_scenario_matches_its_fingerprint(self, name: str) -> None:
        """Each shipped scenario's headline figures hash to the reviewed fingerprint.

        A failure means the model's behaviour changed: if that was meant, update the
        fingerprints on purpose (python -m tests.determinism.fingerprints --update).
        """
        expected = json.loads(FILE.read_text())
        figures = headlines(name)
        assert figures["messages"]["created"] > 0
        assert name in expected, f"no fingerprint for {name}: run the --update command"
        assert fingerprint(figures) == expected[name], (
            f"{name}: headline figures changed: {json.dumps(figures, sort_keys=True)}"
        )

    def test_every_fingerprint_names_a_shipped_scenario(self) -> None:
        """No stale fingerprints are left for scenarios that are gone."""
        assert set(json.loads(FILE.read_text())) == set(shipped())
