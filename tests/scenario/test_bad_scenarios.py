"""Bad scenario files: each mistake is reported at its file and line, with how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario

from .conftest import TINY, Write, messages


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return messages(caught.value)


def tiny_with(old: str, new: str) -> str:
    assert old in TINY
    return TINY.replace(old, new)


class TestOneMistakeEach:
    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                "rate: 100/h",
                "rate: 25OO/h",
                "4: flows.orders.rate: '25OO/h' is not a rate; write e.g. '2500/h'",
            ),
            (
                "horizon: 2h",
                "horizon: 2",
                "2: horizon: 2 has no unit, and a plain number is ambiguous; write e.g. '2s' or "
                "'2min'",
            ),
            (
                "rate: 100/h",
                "rate: -100/h",
                "4: flows.orders.rate: '-100/h' is negative; a rate must be positive",
            ),
            (
                "rate: 100/h",
                "rate: 100/h, priority: {stat: 0.5, routine: 0.4}",
                "4: flows.orders.priority: the shares add up to 0.9, not 1; e.g. {stat: 0.2, "
                "urgent: 0.1, routine: 0.7}",
            ),
            (
                "horizon: 2h",
                "horizon: 2h\nreplicatons: 3",
                "3: replicatons: unknown key 'replicatons'; did you mean 'replications'?",
            ),
            (
                "horizon: 2h",
                "horizon: 2h\ncolour: blue",
                "3: colour: unknown key 'colour'; the keys here are: name, title, partial, seed, "
                "start, horizon, warmup, replications, profile, week, sample_every, limits, "
                "patients, flows, engine, systems, strategy, compare, faults, fallback, staff, "
                "alerts, hypotheses",
            ),
            (
                "to: lab,",
                "to: labb,",
                "4: flows.orders.to: 'labb' is not a system listed under 'systems' (listed: lab, "
                "ehr); did you mean 'lab'?",
            ),
            (
                "  lab: {ack: exponential(100ms)}",
                "  lab: [1, 2]",
                "7: systems.lab: expected a mapping (key: value lines), found a list",
            ),
            (
                "  lab: {ack: exponential(100ms)}",
                "  lab: {ack: exponential(.nan)}",
                "7: systems.lab.ack: exponential's mean: '.nan' is not a duration; write e.g. "
                "'250ms', '30s', '20min', '6h', '2d' or '1h30m'",
            ),
            (
                "horizon: 2h",
                "horizon: 2h\nseed: .inf",
                "3: seed: expected a whole number of 0 or more, found inf",
            ),
            (
                "horizon: 2h",
                "horizon: 2h\nprofile: [" + "1, " * 23 + ".nan]",
                "3: profile.23: nan is not a finite number",
            ),
            (
                "reply: {flow: results,",
                "reply: {flow: result,",
                "4: flows.orders.reply.flow: there is no flow 'result' for the results to travel "
                "on; did you mean 'results'?",
            ),
            (
                "  ehr: {ack: constant(50ms)}",
                "  ehr: {ack: constant(50ms), connections: yes}",
                "8: systems.ehr.connections: expected a whole number of 1 or more, found 'yes'",
            ),
            (
                "horizon: 2h",
                "horizon: 2h\npartial: yes",
                "3: partial: 'yes' is not true or false; write true or false",
            ),
            (
                "name: tiny",
                "name: tiny run",
                "1: name: 'tiny run' is not a valid name; use letters, digits and '-' (it names "
                "the results folder), e.g. 'december-2017'",
            ),
        ],
    )
    def test_mistake_is_named_at_its_line(
        self, write: Write, old: str, new: str, expected: str
    ) -> None:
        """One mistake in the tiny scenario gives exactly one problem at its file and line."""
        path = write("s.yaml", tiny_with(old, new))
        assert problems(path) == [f"{path}:{expected}"]

    def test_missing_required_key_is_at_its_parent(self, write: Write) -> None:
        """A missing key is reported at the line of the mapping that lacks it."""
        path = write("s.yaml", tiny_with("lab: {ack: exponential(100ms)}", "lab: {connections: 2}"))
        assert problems(path) == [
            f"{path}:7: systems.lab: 'ack' is required: the time from filing to ACK, e.g. "
            "ack: lognormal(150ms, 80ms)"
        ]

    def test_null_horizon_is_missing(self, write: Write) -> None:
        """horizon: null is as good as no horizon."""
        path = write("s.yaml", tiny_with("horizon: 2h", "horizon:"))
        assert problems(path) == [
            f"{path}:1: 'horizon' is required: how long to simulate, e.g. horizon: 24h"
        ]

    def test_missing_top_level_keys(self, write: Write) -> None:
        """A scenario without name, horizon and flows gets one problem for each, at line 1."""
        path = write("s.yaml", "systems:\n  ehr: {ack: constant(50ms)}\n")
        assert problems(path) == [
            f"{path}:1: 'name' is required: the scenario's id, used for its results folder, "
            "e.g. name: december-2017",
            f"{path}:1: 'horizon' is required: how long to simulate, e.g. horizon: 24h",
            f"{path}:1: 'flows' is required: the message streams to simulate",
        ]


class TestManyMistakes:
    def test_every_problem_is_reported_in_line_order(self, write: Write) -> None:
        """A file with many mistakes lists all of them, each at its own line."""
        path = write(
            "bad.yaml",
            """\
            name: tiny
            horizon: 2
            flows:
              orders:
                from: ehr
                to: labb
                rat: 100/h
                priority: {stat: 0.5, routine: 0.4}
                reply: {flow: result, after: exponential(30)}
              results: {from: lab, to: ehr, rate: 25OO/h}
            systems:
              lab: {ack: exponential(100ms), connections: -1}
              ehr: {ack: 50ms}
            faults:
              - {kind: surge, at: 14:00}
              - {kind: system-outage, target: labx, at: "+1h", for: 1h, mode: hold}
            strategy: [1, 2]
            """,
        )
        assert problems(path) == [
            f"{path}:2: horizon: 2 has no unit, and a plain number is ambiguous; write e.g. '2s' "
            "or '2min'",
            f"{path}:6: flows.orders.to: 'labb' is not a system listed under 'systems' (listed: "
            "lab, ehr); did you mean 'lab'?",
            f"{path}:7: flows.orders.rat: unknown key 'rat'; did you mean 'rate'?",
            f"{path}:8: flows.orders.priority: the shares add up to 0.9, not 1; e.g. {{stat: "
            "0.2, urgent: 0.1, routine: 0.7}",
            f"{path}:9: flows.orders.reply.after: exponential's mean: '30' has no unit, and a "
            "plain number is ambiguous; write e.g. '30s' or '30min'",
            f"{path}:9: flows.orders.reply.flow: there is no flow 'result' for the results to "
            "travel on; did you mean 'results'?",
            f"{path}:10: flows.results.rate: '25OO/h' is not a rate; write e.g. '2500/h'",
            f"{path}:12: systems.lab.connections: -1 is too small; write a whole number of 1 or "
            "more",
            f"{path}:13: systems.ehr.ack: '50ms' is a duration, not a distribution; write "
            "'constant(50ms)' for a fixed time or 'exponential(50ms)' for a random one with that "
            "mean",
            f"{path}:15: faults.0: 'for' is required for a surge fault: how long it lasts, e.g. "
            "for: 2h",
            f"{path}:15: faults.0: 'severity' is required for a surge fault: the factor on the "
            "arrival rate (e.g. 1.4)",
            f"{path}:16: faults.1.mode: 'mode' does not apply to a system-outage fault (only to "
            "engine-stall)",
            f"{path}:16: faults.1.target: 'labx' is not a system listed under 'systems' (listed: "
            "lab, ehr); did you mean 'lab'?",
            f"{path}:17: strategy: expected a mapping (key: value lines), found a list",
        ]

    def test_error_text_is_one_line_per_problem(self, write: Write) -> None:
        """str(ScenarioError) is one line per problem, as the CLI prints it."""
        path = write("s.yaml", tiny_with("rate: 100/h", "rate: 25OO/h").replace("2h", "2"))
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        assert str(caught.value).splitlines() == messages(caught.value)
        assert len(caught.value.problems) == 2
        first = caught.value.problems[0]
        assert (first.file, first.line, first.path) == (str(path), 2, "horizon")


class TestHypothesisMetrics:
    def test_a_misspelt_metric_gets_a_did_you_mean_and_nothing_else(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        """An unknown metric is one problem at its line, with the registered name nearest it."""
        from sim.scenario import ScenarioError, load_scenario

        path = tmp_path / "h.yaml"
        path.write_text(
            "name: tiny\nhorizon: 2h\nflows:\n  orders: {from: ehr, to: lab, rate: 100/h}\n"
            "systems:\n  lab: {ack: exponential(100ms)}\nhypotheses:\n"
            "  - {metric: recovery_time, below: 3h}\n"
            "  - {metric: queues.lab.peak_backlog, below: 100}\n"
        )
        import pytest

        with pytest.raises(ScenarioError) as err:
            load_scenario(path)
        assert str(err.value) == (
            f"{path}:8: hypotheses.0.metric: 'recovery_time' is not a metric of summary.json; "
            "did you mean 'recovery_time_s'?"
        )
