"""The Python API the CLI and the notebooks use: `sim.load_scenario`, `sim.plan`, `sim.run`."""

from __future__ import annotations

import pickle

import pytest

import sim

SMALL = ["horizon=1h30m", "warmup=10min"]


class TestPublicSurface:
    def test_the_public_names_are_exactly_the_documented_ones(self) -> None:
        """`sim.__all__` lists the API and every name in it exists."""
        assert set(sim.__all__) == {
            "Calibration", "CalibrationError", "CapacityResult", "Comparison", "Executor",
            "MetastabilityResult", "Plan", "ReplicationResult", "RunResult", "ScenarioError",
            "SweepResult", "__version__", "calibrate", "compare", "find_capacity",
            "find_metastability", "load_scenario", "open_executor", "plan", "run", "sweep",
        }  # fmt: skip
        for name in sim.__all__:
            assert hasattr(sim, name)


class TestRun:
    def test_summary_has_the_contract_structure(self) -> None:
        """One run gives summary.json's keys, conservation, and no CI with one replication."""
        result = sim.run(sim.load_scenario("theory/mm1", sets=SMALL))
        s = result.summary
        for key in ("format_version", "scenario", "seed", "replications", "complete",
                    "messages", "staff_hours", "queues", "latency_s", "order_to_result_s",
                    "late", "late_share", "medcom_later_than_24h", "peak_backlog",
                    "retry_amplification", "goodput_share", "order_violations",
                    "recovery_time_s", "people_recovery_time_s", "recovered_share",
                    "time_to_detect_s", "hypotheses", "ci95"):  # fmt: skip
            assert key in s, key
        m = s["messages"]
        assert m["created"] == sum(
            m[k]
            for k in (
                "delivered",
                "queued_at_end",
                "in_flight_at_end",
                "dead_lettered",
                "expired",
                "shed",
                "lost",
            )
        )
        assert s["format_version"] == 1 and s["ci95"] == {}
        assert s["recovery_time_s"] is None  # no faults
        assert result.complete and result.stop_reason == ""

    def test_replications_give_means_and_intervals(self) -> None:
        """With three replications the figures are means and ci95 mirrors them."""
        result = sim.run(sim.load_scenario("theory/mm1", sets=SMALL), replications=3)
        s = result.summary
        assert s["replications"] == 3 and s["format_version"] == 1
        lo, hi = s["ci95"]["queues"]["server"]["wait_s"]["mean"]
        values = [r.summary["queues"]["server"]["wait_s"]["mean"] for r in result.replications]
        assert lo <= sum(values) / 3 <= hi
        assert s["queues"]["server"]["wait_s"]["mean"] == pytest.approx(sum(values) / 3, abs=1e-6)

    def test_hypotheses_are_judged_on_the_mean(self) -> None:
        """A hypothesis that cannot hold is reported failed with its value."""
        scenario = sim.load_scenario(
            "theory/mm1", sets=[*SMALL, "hypotheses=[{metric: peak_backlog, below: 1}]"]
        )
        result = sim.run(scenario)
        (hyp,) = result.summary["hypotheses"]
        assert hyp["metric"] == "peak_backlog" and hyp["passed"] is False
        assert hyp["value"] == result.summary["peak_backlog"] > 1
        assert result.failed_hypotheses == [hyp]


class TestPlan:
    def test_plan_gives_each_channel_its_load(self) -> None:
        """The pre-run plan of M/M/3 at 24/s and 100 ms: rho 0.8, drain 30/s."""
        p = sim.plan(sim.load_scenario("theory/mm3"))
        (server,) = p.channels
        assert server.rate == pytest.approx(24.0)
        assert server.drain == pytest.approx(30.0)
        assert server.rho == pytest.approx(0.8)
        assert p.overloaded == []
        assert p.messages == pytest.approx(24.0 * 3.5 * 3600)

    def test_replies_count_in_the_plan(self) -> None:
        """Results follow their orders: the EHR channel's rate is orders x mean results."""
        p = sim.plan(sim.load_scenario("baseline-weekday"))
        by = {c.system: c for c in p.channels}
        assert by["ehr"].rate > by["labka"].rate * 2


class TestReplicationResults:
    def test_a_result_pickles_to_about_its_raw_numbers(self) -> None:
        """What a worker sends back: its samples at their arrays' own bytes, little else.

        Eight bytes a time and one a small backlog (lists of Python numbers pickled to nine
        and two, and took about ten times as long to pickle and unpickle).
        """
        scenario = sim.load_scenario("theory/mm1", sets=["horizon=6h", "warmup=10min"])
        rep = sim.run(scenario).replications[0]
        samples = rep.samples
        raw = samples.time_s.itemsize * len(samples.time_s)
        raw += sum(col.itemsize * len(col) for col in samples.columns.values())
        assert {col.typecode for col in samples.columns.values()} == {"b"}
        assert len(pickle.dumps(samples, protocol=pickle.HIGHEST_PROTOCOL)) < raw + 1024
        assert len(pickle.dumps(rep, protocol=pickle.HIGHEST_PROTOCOL)) < raw + 8 * 1024

    def test_results_come_back_from_workers_as_they_were_made(self) -> None:
        """Samples, events and latency rows from two workers equal those made in-process."""
        scenario = sim.load_scenario("theory/mm1", sets=SMALL)
        one = sim.run(scenario, replications=2, jobs=1).replications
        two = sim.run(scenario, replications=2, jobs=2).replications
        for a, b in zip(one, two, strict=True):
            assert a.samples == b.samples
            assert a.samples.time_s.typecode == b.samples.time_s.typecode == "d"
            assert a.events == b.events and a.latency_rows == b.latency_rows
            assert a.summary == b.summary
