"""Fault kinds: the registry's rules for target, severity, 'for' and options."""

from __future__ import annotations

import pytest

from sim.scenario import FAULT_KINDS, ScenarioError, load_scenario, scenario_warnings

from .conftest import TINY, Write, messages


def faults(write: Write, *lines: str, extra: str = "") -> str:
    return TINY + extra + "faults:\n" + "".join(f"  - {line}\n" for line in lines)


def problems(write: Write, *lines: str, extra: str = "") -> list[str]:
    path = write("s.yaml", faults(write, *lines, extra=extra))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [message.removeprefix(f"{path}:") for message in messages(caught.value)]


class TestRegistry:
    def test_every_kind_of_the_format(self) -> None:
        """The registry lists exactly the fault kinds of the format's table."""
        assert list(FAULT_KINDS) == [
            "engine-stall",
            "node-crash",
            "engine-slowdown",
            "system-outage",
            "system-slowdown",
            "partition",
            "ack-loss",
            "poison-message",
            "surge",
        ]

    def test_rules_follow_the_table(self) -> None:
        """Targets, severities and 'for' follow the format's table."""
        rules = {name: (k.target, k.severity, k.has_for) for name, k in FAULT_KINDS.items()}
        assert rules == {
            "engine-stall": ("none", "optional", True),
            "node-crash": ("node", "none", True),
            "engine-slowdown": ("none", "required", True),
            "system-outage": ("systems", "none", True),
            "system-slowdown": ("systems", "required", True),
            "partition": ("systems", "none", True),
            "ack-loss": ("systems", "required", True),
            "poison-message": ("system", "none", False),
            "surge": ("flow", "required", True),
        }


class TestValidFaults:
    def test_every_kind_with_its_defaults(self, write: Write) -> None:
        """Each kind loads, with engine-stall severity 1, surge target all, node-crash node 0."""
        s = load_scenario(
            write(
                "s.yaml",
                faults(
                    write,
                    "{name: stall, kind: engine-stall, at: '09:00', for: 7h, mode: refuse, "
                    "poison_share: 0.1}",
                    "{kind: node-crash, at: +1h, for: 30min}",
                    "{kind: engine-slowdown, at: +1h, for: 1h, severity: 3}",
                    "{kind: system-outage, target: lab, at: 2026-01-05T10:00, for: 45min}",
                    "{kind: system-slowdown, at: +1h, for: 1h, severity: 4}",
                    "{kind: partition, target: [lab, ehr], at: +1h, for: 1h}",
                    "{kind: ack-loss, target: lab, at: +1h, for: 1h, severity: 0.2}",
                    "{kind: poison-message, target: lab, at: 14:00, code: AR}",
                    "{kind: surge, target: orders, at: '16:00', for: 2h, severity: 1.4}",
                    "{kind: partition, target: lab, at: +1h, for: 1h}",
                    extra="engine: {nodes: 2}\n",
                ),
            )
        )
        got = [(f.kind, f.at, f.duration, f.target, f.severity) for f in s.faults]
        assert got == [
            ("engine-stall", 32400.0, 25200.0, None, 1.0),
            ("node-crash", 3600.0, 1800.0, 0, None),
            ("engine-slowdown", 3600.0, 3600.0, None, 3.0),
            ("system-outage", 36000.0, 2700.0, "lab", None),
            ("system-slowdown", 3600.0, 3600.0, "all", 4.0),
            ("partition", 3600.0, 3600.0, ("lab", "ehr"), None),
            ("ack-loss", 3600.0, 3600.0, "lab", 0.2),
            ("poison-message", 50400.0, None, "lab", None),
            ("surge", 57600.0, 7200.0, "orders", 1.4),
            ("partition", 3600.0, 3600.0, "lab", None),
        ]
        stall, poison = s.faults[0], s.faults[7]
        assert (stall.name, stall.mode, stall.poison_share) == ("stall", "refuse", 0.1)
        assert poison.code == "AR"

    def test_null_means_absent(self, write: Write) -> None:
        """A key written as null counts as absent: defaults apply, required keys are missing."""
        s = load_scenario(
            write("s.yaml", faults(write, "{kind: engine-stall, at: +1h, for: 1h, severity: null}"))
        )
        assert s.faults[0].severity == 1.0
        assert problems(write, "{kind: surge, at: +1h, for: null, severity: 2}") == [
            "10: faults.0: 'for' is required for a surge fault: how long it lasts, e.g. for: 2h"
        ]

    def test_fault_after_the_horizon_is_accepted(self, write: Write) -> None:
        """A fault at or after the horizon loads (it simply has no effect)."""
        s = load_scenario(
            write("s.yaml", faults(write, "{kind: system-outage, target: lab, at: +5h, for: 1h}"))
        )
        assert s.faults[0].at == 18000.0 > (s.horizon or 0)


class TestBadFaults:
    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            (
                "{kind: meltdown, at: +1h, for: 1h}",
                "10: faults.0.kind: 'meltdown' is not a fault "
                "kind; write one of: engine-stall, node-crash, engine-slowdown, system-outage, "
                "system-slowdown, partition, ack-loss, poison-message, surge",
            ),
            (
                "{kind: system-outag, target: lab, at: +1h, for: 1h}",
                "10: faults.0.kind: "
                "'system-outag' is not a fault kind; write one of: engine-stall, node-crash, "
                "engine-slowdown, system-outage, system-slowdown, partition, ack-loss, "
                "poison-message, surge; did you mean 'system-outage'?",
            ),
            (
                "{kind: system-outage, at: +1h, for: 1h}",
                "10: faults.0: 'target' is required for a system-outage fault: the system it "
                "hits, a list of systems or 'all'",
            ),
            (
                "{kind: system-outage, target: lab, at: +1h, for: 0s}",
                "10: faults.0.for: '0s' is zero; a duration here must be positive",
            ),
            (
                "{kind: system-outage, target: lab, at: +1h, for: -1h}",
                "10: faults.0.for: '-1h' is negative; a duration must be positive",
            ),
            (
                "{kind: poison-message, target: lab, at: +1h, for: 1h}",
                "10: faults.0.for: a "
                "poison-message fault takes no 'for': it lasts until an analyst fixes it or the "
                "retry policy gives the message up",
            ),
            (
                "{kind: engine-stall, at: +1h, for: 1h, severity: 1.5}",
                "10: faults.0.severity: "
                "1.5 is too large: the severity of an engine-stall fault is the share of channel "
                "capacity lost (1 = nothing moves), at most 1",
            ),
            (
                "{kind: engine-stall, at: +1h, for: 1h, severity: 0}",
                "10: faults.0.severity: 0 must be above zero",
            ),
            (
                "{kind: ack-loss, target: lab, at: +1h, for: 1h}",
                "10: faults.0: 'severity' is "
                "required for an ack-loss fault: the share of ACKs lost (e.g. 0.2)",
            ),
            (
                "{kind: node-crash, at: +1h, for: 1h, severity: 2}",
                "10: faults.0.severity: a node-crash fault takes no severity",
            ),
            (
                "{kind: node-crash, target: 2, at: +1h, for: 1h}",
                "10: faults.0.target: there is "
                "no node 2: engine.nodes is 1 (nodes are numbered from 0 to 0)",
            ),
            (
                "{kind: node-crash, target: lab, at: +1h, for: 1h}",
                "10: faults.0.target: a "
                "node-crash fault targets a node index (0, 1, ...), not 'lab'",
            ),
            (
                "{kind: surge, target: order, at: +1h, for: 1h, severity: 2}",
                "10: faults.0.target: "
                "there is no flow 'order'; name a flow or 'all'; did you mean 'orders'?",
            ),
            (
                "{kind: partition, target: [lab, lbb], at: +1h, for: 1h}",
                "10: faults.0.target.1: "
                "'lbb' is not a system listed under 'systems' (listed: lab, ehr); did you mean "
                "'lab'?",
            ),
            (
                "{kind: engine-slowdown, target: lab, at: +1h, for: 1h, severity: 2}",
                "10: faults.0.target: an engine-slowdown fault takes no target",
            ),
            (
                "{kind: surge, at: +1h, for: 1h, severity: 2, code: AE}",
                "10: faults.0.code: 'code' "
                "does not apply to a surge fault (only to poison-message)",
            ),
            (
                "{kind: poison-message, target: lab, at: +1h, code: XX}",
                "10: faults.0.code: 'XX' is not a reply code; write one of: AE, AR",
            ),
            (
                "{kind: system-outage, target: lab, for: 1h}",
                "10: faults.0: 'at' is required: when it starts, e.g. at: '09:00' or at: +9h",
            ),
            (
                "{kind: system-outage, target: lab, at: +1h, fro: 1h}",
                "10: faults.0: 'for' is "
                "required for a system-outage fault: how long it lasts, e.g. for: 2h",
            ),
            (
                "[system-outage, lab]",
                "10: faults.0: expected a mapping (key: value lines), found a list",
            ),
            (
                "{kind: surge, at: +1h, for: 1h, severity: .inf}",
                "10: faults.0.severity: inf is not a finite number",
            ),
        ],
    )
    def test_rule_broken(self, write: Write, line: str, expected: str) -> None:
        """Each rule of a kind is checked and named at the fault's key."""
        found = problems(write, line)
        assert expected in found
        if "fro:" not in line:
            assert found == [expected]

    def test_misspelt_fault_key(self, write: Write) -> None:
        """A misspelt 'for' is both an unknown key and a missing one."""
        assert problems(write, "{kind: system-outage, target: lab, at: +1h, fro: 1h}") == [
            "10: faults.0.fro: unknown key 'fro'; did you mean 'for'?",
            "10: faults.0: 'for' is required for a system-outage fault: how long it lasts, e.g. "
            "for: 2h",
        ]


class TestWarnings:
    def test_late_faults_and_idle_flows(self, write: Write) -> None:
        """A fault after the horizon and a flow that carries nothing are warned about."""
        text = faults(
            write,
            "{kind: system-outage, target: lab, at: +1h, for: 30min}",
            "{kind: system-outage, target: lab, at: +30h, for: 1h}",
        ).replace(
            "  results: {from: lab, to: ehr}\n",
            "  results: {from: lab, to: ehr}\n  idle: {from: lab, to: ehr}\n",
        )
        s = load_scenario(write("s.yaml", text))
        assert scenario_warnings(s) == [
            "faults.1: the system-outage at +30h starts at or after the horizon (2h), so it has "
            "no effect",
            "flows.idle: has no rate or trace and no flow replies on it, so it carries no messages",
        ]
