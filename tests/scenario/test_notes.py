"""Warnings about valid scenarios: each case the format names, located at file:line."""

from __future__ import annotations

from pathlib import Path

from sim.scenario import (
    load_scenario,
    load_variants_with_warnings,
    load_with_warnings,
    scenario_warnings,
    validate_files,
)

from .conftest import TINY, Write

FAULTS = (
    TINY
    + """\
faults:
  - {name: lab down, kind: system-outage, target: lab, at: +1h, for: 30min}
  - {kind: surge, at: +2h, for: 1h, severity: 2}
"""
)
"""TINY (horizon 2h) with an outage inside the horizon (line 10) and a surge at it (line 11)."""


def lines(problems: list[object]) -> list[str]:
    return [str(problem) for problem in problems]


class TestCases:
    def test_a_fault_at_the_horizon_is_named(self, write: Write) -> None:
        """A fault starting exactly at the horizon is warned about, by index, kind and time."""
        s = load_scenario(write("s.yaml", FAULTS))
        assert scenario_warnings(s) == [
            "faults.1: the surge at +2h starts at or after the horizon (2h), so it has no effect"
        ]

    def test_a_named_fault_cut_by_the_horizon(self, write: Write) -> None:
        """A fault that runs past the horizon is warned about with its name and end."""
        s = load_scenario(write("s.yaml", FAULTS), sets=["horizon=80min", "faults=[]"])
        assert scenario_warnings(s) == []
        s = load_scenario(write("s.yaml", FAULTS), sets=["horizon=80min"])
        assert scenario_warnings(s) == [
            "faults.0: the system-outage 'lab down' at +1h lasts until +90min, past the horizon "
            "(80min): the run ends during the fault, so no queue can recover from it "
            "(recovery_time_s is null)",
            "faults.1: the surge at +2h starts at or after the horizon (80min), so it has no "
            "effect",
        ]

    def test_a_fault_ending_at_the_horizon(self, write: Write) -> None:
        """A fault that ends exactly at the horizon leaves no time to recover: warned too."""
        s = load_scenario(write("s.yaml", FAULTS), sets=["horizon=90min", "faults.1.at=+3h"])
        assert scenario_warnings(s)[0].startswith(
            "faults.0: the system-outage 'lab down' at +1h lasts until +90min, past the horizon "
            "(90min)"
        )

    def test_a_fault_ending_before_the_horizon_is_quiet(self, write: Write) -> None:
        """A fault inside the horizon and a poison message (no 'for') give no warning."""
        text = TINY + (
            "faults:\n  - {kind: system-outage, target: lab, at: +1h, for: 30min}\n"
            "  - {kind: poison-message, target: lab, at: +90min}\n"
            "staff: {analysts: {start_on_alert: false}}\n"
        )
        assert scenario_warnings(load_scenario(write("s.yaml", text))) == []

    def test_start_on_alert_without_alerts(self, write: Write) -> None:
        """Analysts or a fallback that start on an alert, with no alert defined, are warned of."""
        text = TINY + ("staff: {analysts: {count: 1}}\nfallback: {start_on_alert: true}\n")
        assert scenario_warnings(load_scenario(write("s.yaml", text))) == [
            "staff.analysts: start_on_alert is true but no alerts are defined, so the analysts "
            "are never called (add alerts, or set start_on_alert: false)",
            "fallback: start_on_alert is true but no alerts are defined, so the fallback never "
            "starts (add alerts, or set start_on_alert: false)",
        ]
        alerted = text + "alerts:\n  - {queue: any, depth_above: 100}\n"
        assert scenario_warnings(load_scenario(write("s.yaml", alerted))) == []


class TestLocated:
    def test_warnings_carry_the_file_and_line(self, write: Write) -> None:
        """Each warning names the file and the line of the key it is about."""
        path = write("s.yaml", FAULTS)
        scenario, warnings = load_with_warnings(path)
        assert scenario.name == "tiny"
        assert lines(warnings) == [
            f"{path}:11: faults.1: the surge at +2h starts at or after the horizon (2h), so it "
            "has no effect"
        ]

    def test_variants_warn_once_and_say_which(self, write: Write) -> None:
        """A variant names itself in its own warnings; one the baseline shares is given once."""
        text = FAULTS + (
            "compare:\n  wide: {systems: {lab: {connections: 2}}}\n  short: {horizon: 30min}\n"
        )
        path = write("s.yaml", text)
        scenarios, warnings = load_variants_with_warnings(path)
        assert list(scenarios) == ["baseline", "wide", "short"]
        assert lines(warnings) == [
            f"{path}:11: faults.1: the surge at +2h starts at or after the horizon (2h), so it "
            "has no effect",
            f"{path}:10: faults.0: the system-outage 'lab down' at +1h starts at or after the "
            "horizon (30min), so it has no effect (variant 'short')",
            f"{path}:11: faults.1: the surge at +2h starts at or after the horizon (30min), so "
            "it has no effect (variant 'short')",
        ]

    def test_validate_files_reports_warnings_beside_errors(
        self, write: Write, tmp_path: Path
    ) -> None:
        """validate_files gives each file its error (or None) and its warnings."""
        good = write("good.yaml", FAULTS)
        bad = write("bad.yaml", FAULTS.replace("rate: 100/h", "rate: 100"))
        part = write("part.yaml", "partial: true\nseed: 3\n")
        results = validate_files([good, bad, part])
        assert [r.error is None for r in results] == [True, False, True]
        assert lines(list(results[0].warnings)) == [
            f"{good}:11: faults.1: the surge at +2h starts at or after the horizon (2h), so it "
            "has no effect"
        ]
        assert results[1].warnings == () and results[2].warnings == ()
