"""Hostile scenario files: loading either succeeds or raises ScenarioError, never anything else.

Random and mutated documents (wrong types, wrong units, missing and extra keys, huge, tiny and
negative numbers, NaN, inf, unicode, deep nesting, very long values), raw text and raw bytes are
written to a file and loaded. Every problem must name a file and a line (``--set`` values name
the option instead), and read as our message, not pydantic's. A document that loads must also
survive ``dump_yaml`` unchanged. Run longer with ``HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import (
    BASELINE,
    Document,
    ScenarioError,
    build,
    dump_yaml,
    load_document,
    load_scenario,
    load_variants,
    validate_paths,
)

from .conftest import HYPOTHESIS_PROFILE, TINY

PROFILE = settings.get_profile(HYPOTHESIS_PROFILE)

BASE: dict[str, Any] = {
    "name": "hostile",
    "title": "Hostile",
    "seed": 3,
    "start": "2017-12-06T00:00",
    "horizon": "6h",
    "warmup": "30min",
    "profile": "lab",
    "week": [1, 1, 1, 1, 1, 0.6, 0.6],
    "limits": {"messages": 1000, "wall": "1min"},
    "flows": {
        "orders": {
            "from": "ehr",
            "to": "lab",
            "rate": "100/h",
            "priority": {"stat": 0.2, "urgent": 0.1, "routine": 0.7},
            "deadline": {"stat": "1h"},
            "reply": {"flow": "results", "count": 2, "after": {"stat": "lognormal(45min, 10min)"}},
        },
        "results": {"from": "lab", "to": "ehr"},
    },
    "engine": {"nodes": 2, "failover": {"mode": "active-active"}, "transform": "gamma(1s, 0.5)"},
    "systems": {
        "lab": {"ack": "exponential(100ms)", "connections": 2, "capacity": "40/s"},
        "ehr": {"ack": "constant(50ms)"},
    },
    "strategy": {
        "queues": "shared",
        "discipline": {"fair": {"weights": {"orders": 2}}},
        "retry": {"backoff": "exponential", "attempts": 5},
        "breaker": {"after": 3, "open": "1min"},
    },
    "compare": {"codel": {"strategy": {"discipline": {"codel": {"target": "5s"}}}}},
    "faults": [
        {"kind": "engine-stall", "at": "09:00", "for": "1h", "mode": "refuse"},
        {"kind": "poison-message", "target": "lab", "at": "+2h"},
        {"kind": "node-crash", "target": 1, "at": "+3h", "for": "5min"},
        {"kind": "surge", "at": "10:00", "for": "1h", "severity": 1.5},
    ],
    "fallback": {"share": {"stat": 0.9}},
    "staff": {"analysts": {"count": 2}},
    "alerts": [{"queue": "lab", "depth_above": 10}],
    "hypotheses": [{"metric": "recovery_time_s", "below": "3h"}],
}

TRICKY = [
    "2h", "-5s", "0s", "1e400s", "20", "1h30m", "30s1h", "100/h", "25OO/h", "0/h", "-1/h",
    "14:00", "25:00", "+9h", "+-1h", "2017-12-06T09:30", "2017-12-06T09:30+01:00", "yesterday",
    "exponential(30min)", "lognormal(1s)", "lognormal(1s, 0s)", "gamma(1s, nan)",
    "uniform(2s, 1s)", "empirical(missing.csv)", "empirical(/dev/null)", "empirical()", "f(",
    "constant(1e-320s)", "nan", ".inf", "ehr", "lab", "orders", "results", "all", "any", "stat",
    "routine", "fifo", "codel", "strict", "per-patient", "shared", "engine-stall", "surge",
    "partition", "node-crash", "poison-message", "yes", "", "lab orders", "a.b", "x\x00y",
    "Ærø-sygehus", "日本語", "\u202e", "\t", "--set", "compare", "baseline", "../../etc/passwd",
]  # fmt: skip
KEYS = sorted(
    {
        *BASE,
        *BASE["flows"]["orders"],
        *BASE["systems"]["lab"],
        *BASE["strategy"],
        "for", "target", "severity", "kind", "at", "mode", "code", "poison_share", "trace",
        "extends", "partial", "horizn", "rat", "ackk", "sytems", "from", "to", "<<", "",
        "stat", "urgent", "routine", "weights", "codel",
    }
)  # fmt: skip

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.sampled_from(TRICKY),
    TEXT,
    st.builds(
        lambda s, n: s * n, st.sampled_from(["a", "9", "(", "2h", "é"]), st.integers(100, 5000)
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)


def deep(value: Any, depth: int) -> Any:
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value``."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """The base scenario with one to four random mutations."""
    doc: Any = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths(doc)))
        action = draw(st.sampled_from(["replace", "delete", "add", "deep", "long", "wrap"]))
        if not path:
            doc = draw(VALUES) if action == "replace" else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS) | TEXT)] = draw(VALUES)
        elif action == "deep":
            parent[last] = deep(parent[last], draw(st.integers(5, 80)))
        elif action == "long":
            parent[last] = [parent[last]] * draw(st.integers(20, 400))
        elif action == "wrap":
            parent[last] = [parent[last]]
    return doc


def assert_outcome(load: Callable[[], object]) -> object:
    """Run a load: success, or a ScenarioError whose every problem is located and ours."""
    try:
        return load()
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file
            if problem.file != "--set":
                assert problem.line is not None and problem.line >= 1, str(problem)
            text = str(problem)
            for leak in ("Input should", "Field required", "validation error", "Traceback"):
                assert leak not in text, text
        return None


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def base_file(folder: Path) -> Path:
    path = folder / "base.yaml"
    path.write_text(to_yaml(BASE), encoding="utf-8")
    return path


def to_yaml(value: Any) -> str:
    """Test input as YAML, written with libyaml's emitter when present (it is only input)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(value, Dumper=dumper, allow_unicode=True)


@pytest.fixture(scope="module")
def base_document(base_file: Path) -> Document:
    return load_document(base_file)


def load_everything(path: Path, round_trip: bool = True) -> None:
    """Load a file with its variants; what loads must survive dump_yaml unchanged."""
    variants = assert_outcome(lambda: load_variants(path))
    if round_trip and isinstance(variants, dict):
        scenario = variants[BASELINE]
        again = path.with_name("again.yaml")
        again.write_text(dump_yaml(scenario), encoding="utf-8")
        assert load_scenario(again) == scenario


FRAGMENTS = [
    "a: &x [1, 2]", "b: *x", "c: &y {k: 1}", "d:\n  <<: *y\n  k: 2", "e: *nothing", "<<: [*y, *y]",
    "f: !!python/object:os.system {}", "g: !!binary aGk=", "h: !custom 1", "i: !!int x",
    "j: {ack: lognormal(1s, 2s), n: f(1, b: 2)}", "k: [f(1, [2]), g(]", "l: {m: f(1, 2}",
    "---", "...", "%YAML 1.1", "? [a]\n: 1", "? a\n: 1", "n: |\n  text\n  more", "o: >-\n  folded",
    "\tp: 1", "q: 'unterminated", "r: \"\\x00\"", "s: 14:00", "t: 1e400", "u: " + "9" * 250,
    "  - 1", "- 2", "name: x", "name: y", "horizon: 1h", "flows: {}", "systems: []", "extends: x",
    "extends: [a.yaml, 1]", "partial: true", "compare: {v: {compare: 1}}", "faults: [{kind: 1}]",
    ": empty", "v: {w: 1, w: 2}", "x: [" * 70, "z: \u202e\ufeff",
]  # fmt: skip


class TestHostileFiles:
    @PROFILE
    @given(pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=8), cut=st.integers(0, 9))
    def test_yaml_fragments(self, folder: Path, pieces: list[str], cut: int) -> None:
        """The base file with hostile YAML fragments added loads or fails with located problems."""
        base = TINY.splitlines()
        lines = base[:cut] + pieces + base[cut:]
        path = folder / "fragments.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        load_everything(path, round_trip=False)

    @PROFILE
    @given(doc=mutated())
    def test_mutated_scenarios(self, folder: Path, doc: Any) -> None:
        """A mutated valid scenario loads, or fails with located problems only."""
        path = folder / "mutated.yaml"
        path.write_text(to_yaml(doc), encoding="utf-8")
        load_everything(path)

    @PROFILE
    @given(doc=VALUES)
    def test_random_documents(self, folder: Path, doc: Any) -> None:
        """A random YAML document fails with located problems only."""
        path = folder / "random.yaml"
        path.write_text(to_yaml(doc), encoding="utf-8")
        load_everything(path, round_trip=False)

    @PROFILE
    @given(text=st.text(max_size=300) | st.sampled_from(["a: [", "a: *x", "? [a]\n: 1", "{{"]))
    def test_random_text(self, folder: Path, text: str) -> None:
        """Arbitrary text, valid YAML or not, fails with located problems only."""
        path = folder / "text.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        load_everything(path)

    @PROFILE
    @given(data=st.binary(max_size=300))
    def test_random_bytes(self, folder: Path, data: bytes) -> None:
        """Arbitrary bytes fail with located problems only."""
        path = folder / "bytes.yaml"
        path.write_bytes(data)
        load_everything(path)

    @PROFILE
    @given(
        key=st.lists(
            st.sampled_from(KEYS) | st.sampled_from(["0", "1", "9", "-1"]) | TEXT,
            min_size=1,
            max_size=4,
        ).map(".".join),
        value=TEXT | st.sampled_from(TRICKY) | VALUES.map(lambda v: to_yaml(v).strip()),
    )
    def test_random_sets(self, base_document: Document, key: str, value: str) -> None:
        """A random --set on a valid scenario loads, or fails naming --set or a file line."""
        assert_outcome(lambda: build(base_document.set(f"{key}={value}")))


def test_base_is_valid(base_file: Path) -> None:
    """The document the mutations start from is itself a valid scenario."""
    path = base_file
    scenario = load_scenario(path)
    assert scenario.name == "hostile" and math.isclose(scenario.horizon or 0, 21600.0)
    assert validate_paths([path]) == [None]
