"""Determinism: the same scenario and seed give the same figures, however they are run."""

from __future__ import annotations

import json

import pytest

from sim import load_scenario, run
from tests.determinism.fingerprints import (
    COMPARED,
    FILE,
    entries,
    figures,
    figures_key,
    fingerprint,
    headlines,
    shipped,
    variant_figures,
    variant_key,
)

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


UPDATE = "EHRSIM_PURE_PYTHON=1 python -m tests.determinism.fingerprints --update"


def reviewed(key: str) -> str:
    """The reviewed fingerprint of an entry (failing with the command that writes it)."""
    expected = json.loads(FILE.read_text())
    assert key in expected, f"no fingerprint for {key}: run {UPDATE}"
    return str(expected[key])


class TestFingerprints:
    @pytest.mark.parametrize("name", shipped())
    def test_shipped_scenario_matches_its_fingerprint(self, name: str) -> None:
        """Each shipped scenario's headline figures hash to the reviewed fingerprint.

        A failure means the model's behaviour changed: if that was meant, update the
        fingerprints on purpose (see UPDATE).
        """
        figures = headlines(name)
        assert figures["messages"]["created"] > 0
        assert fingerprint(figures) == reviewed(name), (
            f"{name}: headline figures changed: {json.dumps(figures, sort_keys=True)}"
        )

    @pytest.mark.parametrize("name", shipped())
    def test_shipped_scenario_figures_match_their_fingerprint(self, name: str) -> None:
        """Latency, order-to-result, each queue's peak time, backlog-hours, wait and recovery,
        late shares and goodput of each shipped scenario hash to the reviewed fingerprint."""
        summary = figures(name)
        assert summary["latency_s"] and summary["queues"]
        for queue in summary["queues"].values():
            assert {"peak_at_s", "backlog_hours", "wait_s"} <= set(queue)
        assert fingerprint(summary) == reviewed(figures_key(name)), (
            f"{name}: figures changed (latency, waits, peak times, backlog-hours, late shares, "
            f"goodput ...); if that was meant, run {UPDATE}"
        )

    @pytest.mark.parametrize(("name", "variant"), COMPARED)
    def test_a_compare_variant_matches_its_fingerprint(self, name: str, variant: str) -> None:
        """A `compare` variant run through `sim.compare` hashes to the reviewed fingerprint,
        and differs from its base scenario (the overlay was applied)."""
        summary = variant_figures(name, variant)
        assert summary["messages"]["created"] > 0
        assert summary != {**headlines(name), **figures(name)}
        assert fingerprint(summary) == reviewed(variant_key(name, variant)), (
            f"{name} variant {variant}: figures changed; if that was meant, run {UPDATE}"
        )

    def test_every_fingerprint_names_a_shipped_scenario(self) -> None:
        """The file holds exactly the entries of the shipped scenarios and compare variants:
        none missing, no stale ones for scenarios that are gone."""
        assert set(json.loads(FILE.read_text())) == set(entries())
        assert len(entries()) == 2 * len(shipped()) + len(COMPARED)
