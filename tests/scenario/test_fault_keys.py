"""Every fault key does something for the kinds and modes that take it, and is an error elsewhere.

The tables below are written from the contract's fault table (shared/design/scenario-format.md,
"Faults, fallback, staff, alerts, hypotheses"), not read from the code's registry, so that a
registry that drifts from the format fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load_scenario

from .conftest import TINY, Write, messages

KEYS = ("name", "at", "for", "target", "severity", "mode", "poison_share", "code")
"""Every key a fault may carry (besides `kind`)."""

BASE: dict[str, dict[str, str]] = {
    "engine-stall": {"at": "+1h", "for": "1h"},
    "node-crash": {"at": "+1h", "for": "1h"},
    "engine-slowdown": {"at": "+1h", "for": "1h", "severity": "3"},
    "system-outage": {"at": "+1h", "for": "1h", "target": "lab"},
    "system-slowdown": {"at": "+1h", "for": "1h", "severity": "4"},
    "partition": {"at": "+1h", "for": "1h", "target": "lab"},
    "ack-loss": {"at": "+1h", "for": "1h", "severity": "0.2"},
    "poison-message": {"at": "+1h", "target": "lab"},
    "surge": {"at": "+1h", "for": "1h", "severity": "1.4"},
}
"""The smallest valid fault of each kind: its required keys."""

USES: dict[str, frozenset[str]] = {
    # stall: severity is the share of capacity lost; mode hold/refuse; poison_share
    "engine-stall": frozenset({"name", "at", "for", "severity", "mode", "poison_share"}),
    # crash: a node index as target, repaired after `for`; no severity
    "node-crash": frozenset({"name", "at", "for", "target"}),
    # slowdown: a factor on transform time; engine-wide, so no target
    "engine-slowdown": frozenset({"name", "at", "for", "severity"}),
    "system-outage": frozenset({"name", "at", "for", "target"}),
    "system-slowdown": frozenset({"name", "at", "for", "target", "severity"}),
    "partition": frozenset({"name", "at", "for", "target"}),
    "ack-loss": frozenset({"name", "at", "for", "target", "severity"}),
    # poison: no `for` (it ends on a fix or when the message leaves), a reply code
    "poison-message": frozenset({"name", "at", "target", "code"}),
    "surge": frozenset({"name", "at", "for", "target", "severity"}),
}
"""Which keys each kind uses (the contract's table)."""

VALUE: dict[str, str] = {
    "name": "x",
    "at": "+1h",
    "for": "1h",
    "severity": "0.5",
    "mode": "hold",
    "poison_share": "0.1",
    "code": "AR",
}
"""A valid value of each key, where the kind uses it."""

TARGET: dict[str, str] = {"node-crash": "0", "surge": "orders"}
"""A valid target per kind (a system for the others; `lab` where the kind takes none)."""


def fault_text(kind: str, keys: dict[str, str], extra: str = "") -> str:
    """TINY with one fault of `kind` with `keys`; its line is 10."""
    inner = ", ".join([f"kind: {kind}", *(f"{k}: {v}" for k, v in keys.items())])
    return TINY + extra + "faults:\n" + f"  - {{{inner}}}\n"


def problems_of(path: Path) -> list[str]:
    """The problems load_scenario reports for a file (file name stripped), or []."""
    try:
        load_scenario(path)
    except ScenarioError as err:
        return [m.removeprefix(f"{path}:") for m in messages(err)]
    return []


ONE_WAY = """\
name: one-way
horizon: 2h
flows:
  orders: {from: ehr, to: lab, rate: 100/h}
systems:
  lab: {ack: constant(50ms)}
"""
"""The EHR only sends: it has no entry under `systems`."""

CELLS = [(kind, key) for kind in BASE for key in KEYS if key not in BASE[kind]]


class TestKindsByKeys:
    def test_the_table_covers_every_kind_of_the_registry(self) -> None:
        """The tables name exactly the registry's fault kinds."""
        from sim.scenario import FAULT_KINDS

        assert set(BASE) == set(USES) == set(FAULT_KINDS)

    @pytest.mark.parametrize(("kind", "key"), CELLS, ids=[f"{k}-{x}" for k, x in CELLS])
    def test_an_added_key_is_used_or_refused(self, write: Write, kind: str, key: str) -> None:
        """A key the kind uses loads; any other key is one error at that key, never ignored."""
        value = TARGET.get(kind, "lab") if key == "target" else VALUE[key]
        path = write("s.yaml", fault_text(kind, {**BASE[kind], key: value}))
        found = problems_of(path)
        if key in USES[kind]:
            assert found == []
        else:
            assert len(found) == 1, found
            assert found[0].startswith(f"10: faults.0.{key}: "), found

    @pytest.mark.parametrize("kind", list(BASE))
    def test_each_required_key_is_required(self, write: Write, kind: str) -> None:
        """Leaving out any key of the smallest fault is an error naming that key."""
        for key in BASE[kind]:
            keys = {k: v for k, v in BASE[kind].items() if k != key}
            found = problems_of(write("s.yaml", fault_text(kind, keys)))
            assert len(found) == 1 and found[0].startswith("10: faults.0: "), (key, found)
            assert f"'{key}' is required" in found[0], (key, found)


class TestStallModes:
    @pytest.mark.parametrize(
        ("mode", "extra", "ok"),
        [
            ("hold", "severity: 0.5", True),
            ("hold", "severity: 1", True),
            ("refuse", "severity: 1", True),
            ("refuse", "severity: 0.5", False),
            ("refuse", "severity: 0.999", False),
            ("refuse", "severity: null", True),
            ("refuse", "poison_share: 0.1", True),
            ("hold", "poison_share: 0.1", True),
        ],
    )
    def test_refuse_takes_no_partial_severity(
        self, write: Write, mode: str, extra: str, ok: bool
    ) -> None:
        """`mode: refuse` stops accepting outright, so a severity below 1 is an error."""
        key, value = extra.split(": ")
        keys = {"at": "+1h", "for": "1h", "mode": mode, key: value}
        found = problems_of(write("s.yaml", fault_text("engine-stall", keys)))
        if ok:
            assert found == []
        else:
            assert found == [
                f"10: faults.0.severity: {value} has no meaning with mode: refuse, which "
                "stops accepting outright (severity 1); leave severity out, or use mode: hold "
                "to lose a share of the capacity"
            ]


class TestSystemTargets:
    @pytest.mark.parametrize("kind", ["system-outage", "system-slowdown", "partition", "ack-loss"])
    @pytest.mark.parametrize(
        ("target", "resolved"),
        [("lab", "lab"), ("[lab, ehr]", ("lab", "ehr")), ("all", "all"), ("[ehr]", ("ehr",))],
    )
    def test_a_system_a_list_or_all(
        self, write: Write, kind: str, target: str, resolved: object
    ) -> None:
        """Every system fault but poison-message takes a system, a list of systems or `all`."""
        keys = {**BASE[kind], "target": target}
        scenario = load_scenario(write("s.yaml", fault_text(kind, keys)))
        assert scenario.faults[0].target == resolved

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            (
                "all",
                "10: faults.0.target: a poison-message fault targets one system id, not 'all'",
            ),
            (
                "[lab, ehr]",
                "10: faults.0.target: a poison-message fault targets one system id, not a list",
            ),
        ],
    )
    def test_poison_takes_one_system(self, write: Write, target: str, expected: str) -> None:
        """A poison message is one message on one channel: no list, no `all`."""
        keys = {**BASE["poison-message"], "target": target}
        assert problems_of(write("s.yaml", fault_text("poison-message", keys))) == [expected]

    @pytest.mark.parametrize("kind", ["system-outage", "partition", "ack-loss"])
    def test_an_unknown_system_in_a_list_is_named(self, write: Write, kind: str) -> None:
        """Each system of a list is checked, at its index."""
        keys = {**BASE[kind], "target": "[lab, lbb]"}
        assert problems_of(write("s.yaml", fault_text(kind, keys))) == [
            "10: faults.0.target.1: 'lbb' is not a system listed under 'systems' "
            "(listed: lab, ehr); did you mean 'lab'?"
        ]

    @pytest.mark.parametrize(
        ("kind", "target", "where"),
        [
            ("poison-message", "ris", "target"),
            ("system-slowdown", "ris", "target"),
            ("ack-loss", "[lab, ris]", "target.1"),
        ],
    )
    def test_a_receiver_fault_on_a_system_nothing_is_sent_to_is_refused(
        self, write: Write, kind: str, target: str, where: str
    ) -> None:
        """Poison, slowdown and lost ACKs act on what a system receives: it must receive."""
        text = TINY + "  ris: {ack: constant(50ms)}\n"  # a system that no flow goes to
        keys = {**BASE[kind], "target": target}
        assert problems_of(write("s.yaml", fault_text(kind, keys).replace(TINY, text))) == [
            f"11: faults.0.{where}: no flow goes to 'ris', so {'an' if kind[0] == 'a' else 'a'} "
            f"{kind} fault on it would change nothing; name a system some flow's 'to' is"
        ]

    def test_an_outage_of_an_ehr_that_receives_nothing_loads(self, write: Write) -> None:
        """An outage also holds a system's own outbox, so it may name a pure sender."""
        text = fault_text("system-outage", {**BASE["system-outage"], "target": "[ehr, lab]"})
        text = text.replace(TINY, ONE_WAY)
        assert problems_of(write("s.yaml", text)) == []

    def test_a_system_named_twice_is_refused(self, write: Write) -> None:
        """A list names each system once (twice would, say, square a slowdown's factor)."""
        keys = {**BASE["system-slowdown"], "target": "[lab, ehr, lab]"}
        assert problems_of(write("s.yaml", fault_text("system-slowdown", keys))) == [
            "10: faults.0.target.2: 'lab' is named twice; name each system once"
        ]

    def test_an_empty_list_is_refused(self, write: Write) -> None:
        """An empty list hits nothing: an error, not a fault that does nothing."""
        keys = {**BASE["system-outage"], "target": "[]"}
        found = problems_of(write("s.yaml", fault_text("system-outage", keys)))
        assert len(found) == 1 and found[0].startswith("10: faults.0.target: "), found


CRASH = "{kind: node-crash, at: +1h, for: 30min}"


class TestActiveActiveNeedsTwoNodes:
    AA_ONE = "engine: {nodes: 1, failover: {mode: active-active}}\n"

    def test_a_crash_with_one_active_active_node_is_refused(self, write: Write) -> None:
        """Active-active with one node has no survivor to carry on: refused with the fix."""
        path = write("s.yaml", fault_text("node-crash", BASE["node-crash"], extra=self.AA_ONE))
        assert problems_of(path) == [
            "11: faults.0: a node-crash with engine.failover.mode active-active needs a "
            "surviving node, but engine.nodes is 1; write `nodes: 2` or `mode: active-passive`"
        ]

    @pytest.mark.parametrize(
        "engine",
        [
            "engine: {nodes: 2, failover: {mode: active-active}}\n",
            "engine: {nodes: 1, failover: {mode: active-passive}}\n",
            "engine: {nodes: 1}\n",
        ],
    )
    def test_the_suggested_fixes_load(self, write: Write, engine: str) -> None:
        """Two active-active nodes, or one active-passive node, load."""
        path = write("s.yaml", fault_text("node-crash", BASE["node-crash"], extra=engine))
        assert problems_of(path) == []

    def test_without_a_crash_the_combination_loads(self, write: Write) -> None:
        """The failover mode only matters to a node-crash."""
        path = write("s.yaml", TINY + self.AA_ONE)
        assert problems_of(path) == []


class TestValidateExits2:
    @pytest.mark.parametrize(
        ("fault", "engine", "fragment"),
        [
            (CRASH, "engine: {failover: {mode: active-active}}\n", "`nodes: 2` or"),
            (
                "{kind: engine-stall, at: +1h, for: 1h, mode: refuse, severity: 0.5}",
                "",
                "has no meaning with mode: refuse",
            ),
        ],
    )
    def test_validate_names_file_line_and_fix(
        self, write: Write, fault: str, engine: str, fragment: str
    ) -> None:
        """`ehrsim validate` exits 2 and names the file, the fault's line and the fix."""
        path = write("s.yaml", TINY + engine + "faults:\n  - " + fault + "\n")
        line = 10 + (1 if engine else 0)
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, result.output
        assert f"s.yaml:{line}: faults.0" in result.output
        assert fragment in result.output
        assert "Traceback" not in result.output
