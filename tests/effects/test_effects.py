"""Every key of the scenario format has an effect, and the effect goes the way the contract says.

The table (``table_*.py``) lists, for every leaf key of the JSON Schema, every enum option and
every fault kind's keys, a small world, a baseline and a change, and the figures that must move;
``engine.py`` runs both sides on the same seed and checks. The completeness tests walk the
schema, so that a key cannot land without its row. Rows of known defects are strict xfails:
when the defect is fixed they pass, fail as XPASS, and their mark must go.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.effects.engine import Lab, Row, verify
from tests.effects.keys import (
    FAULT_COMMON,
    expected_fault_keys,
    expected_keys,
    expected_options,
)
from tests.effects.table_channel import ROWS as CHANNEL
from tests.effects.table_engine import ROWS as ENGINE
from tests.effects.table_faults import ROWS as FAULTS
from tests.effects.table_people import ROWS as PEOPLE
from tests.effects.table_strategy import ROWS as STRATEGY
from tests.effects.table_traffic import ROWS as TRAFFIC
from tests.effects.worlds import FILES, WORLDS

pytestmark = pytest.mark.mutation

ROWS: list[Row] = [*TRAFFIC, *ENGINE, *STRATEGY, *FAULTS, *PEOPLE, *CHANNEL]


def _ids(rows: list[Row]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for r in rows:
        seen[r.label] += 1
        out.append(r.label if seen[r.label] == 1 else f"{r.label}#{seen[r.label]}")
    return out


def _params(rows: list[Row]) -> list[object]:
    out: list[object] = []
    for r, ident in zip(rows, _ids(rows), strict=True):
        marks = [pytest.mark.xfail(strict=True, reason=r.defect)] if r.defect else []
        out.append(pytest.param(r, id=ident, marks=marks))
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """The worlds, written once; runs are shared between rows with the same baseline."""
    return Lab(tmp_path_factory.mktemp("effects"), WORLDS, FILES)


@pytest.mark.parametrize("r", _params(ROWS))
def test_key_has_its_effect(lab: Lab, r: Row) -> None:
    """Changing the key moves the figures the contract says, the way it says."""
    verify(lab, r)


class TestCompleteness:
    def test_every_key_of_the_schema_has_a_row(self) -> None:
        """Each leaf key of the schema has a row."""
        covered = {r.key for r in ROWS}
        missing = sorted(expected_keys() - covered)
        assert not missing, "keys without an effect row:\n  " + "\n  ".join(missing)

    def test_every_row_names_a_key_that_exists(self) -> None:
        """A row's key is a key of the schema or a discipline parameter."""
        unknown = sorted({r.key for r in ROWS} - expected_keys())
        assert not unknown, "rows naming keys the format does not have:\n  " + "\n  ".join(unknown)

    def test_every_option_has_a_row(self) -> None:
        """Each enum value (fault kinds, disciplines, modes, actions...) has a row of its own."""
        covered = {(r.key, r.option) for r in ROWS if r.option is not None}
        missing = sorted(expected_options() - covered)
        assert not missing, "options without an effect row:\n  " + "\n  ".join(
            f"{key}: {option}" for key, option in missing
        )

    def test_every_option_named_by_a_row_exists(self) -> None:
        """A row's option is an enum value of its key (no row for a value that is not)."""
        options = expected_options()
        unknown = sorted(
            (r.key, r.option)
            for r in ROWS
            if r.option is not None and (r.key, r.option) not in options
        )
        assert not unknown, f"rows naming options that do not exist: {unknown}"

    def test_every_key_of_every_fault_kind_has_a_row(self) -> None:
        """Severity, target, for and the options mean something per kind: one row for each."""
        covered = {(r.key, r.fault) for r in ROWS if r.fault is not None}
        missing = sorted(expected_fault_keys() - covered)
        assert not missing, "fault keys without an effect row:\n  " + "\n  ".join(
            f"{key} of {kind}" for key, kind in missing
        )
        for key in FAULT_COMMON:
            assert f"faults[].{key}" in {r.key for r in ROWS}

    def test_every_row_changes_the_key_it_names(self) -> None:
        """A row's change assigns its key (or a mapping or list holding it): no mislabelled rows."""
        wrong = [r.label for r in ROWS if r.change and not any(_sets(a, r.key) for a in r.change)]
        assert not wrong, f"rows whose change does not set their key: {wrong}"

    def test_worlds_are_used(self) -> None:
        """Every world of worlds.py serves a row (no dead worlds)."""
        used = {w for r in ROWS for w in (r.world, r.world2) if w}
        assert set(WORLDS) <= used, sorted(set(WORLDS) - used)


def _sets(assignment: str, key: str) -> bool:
    """Whether ``--set`` assignment writes ``key`` (a schema path) or a value holding it."""
    path = assignment.partition("=")[0].strip().split(".")
    parts: list[str] = []
    for i, part in enumerate(path):
        if part.isdigit():
            parts[-1] += "[]"
        elif i > 0 and path[i - 1] in ("flows", "systems", "compare"):
            parts.append("*")
        else:
            parts.append(part)
    written = ".".join(parts)
    inside = written.startswith(key + ".")  # a part of a mapping-valued leaf (deadline.stat)
    return key == written or inside or key.startswith((written + ".", written + "[]"))
