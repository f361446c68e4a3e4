"""Overlays: Document.overlay, --set KEY=VALUE, compare variants and load_variants."""

from __future__ import annotations

import pytest

from sim.scenario import BASELINE, ScenarioError, build, load_document, load_scenario, load_variants

from .conftest import TINY, Write, messages

WITH_FAULTS = (
    TINY
    + """\
faults:
  - {kind: system-outage, target: lab, at: +1h, for: 30min}
  - {kind: surge, at: "09:00", for: 1h, severity: 1.5}
"""
)

WITH_COMPARE = (
    TINY
    + """\
strategy: {queues: per-destination, retry: {first: 5s}}
compare:
  shared:
    strategy: {queues: shared}
  wide:
    systems: {lab: {connections: 4}}
  broken:
    systems: {lab: {connections: none}}
"""
)


def set_errors(write: Write, *sets: str, text: str = TINY) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("s.yaml", text), sets=sets)
    return messages(caught.value)


class TestOverlay:
    def test_mappings_merge_and_others_replace(self, write: Write) -> None:
        """An overlay merges mappings key by key and replaces lists and values whole."""
        doc = load_document(write("s.yaml", WITH_FAULTS))
        over = doc.overlay(
            {"systems": {"lab": {"connections": 3}}, "faults": [], "seed": 9}, "test overlay"
        )
        s = build(over)
        assert (s.systems["lab"].connections, s.systems["lab"].ack.mean) == (3, 0.1)
        assert (s.faults, s.seed) == ((), 9)
        assert build(doc).seed == 1

    def test_another_discipline_replaces_the_base_one(self, write: Write) -> None:
        """{codel: ...} over {fair: ...} replaces it; the same discipline merges its parameters."""
        text = TINY + "strategy: {discipline: {fair: {weights: {orders: 2}}}}\n"
        doc = load_document(write("s.yaml", text))
        codel = build(doc.overlay({"strategy": {"discipline": {"codel": {"target": "2s"}}}}, "v"))
        assert codel.strategy.discipline.name == "codel"
        fair = build(
            doc.overlay({"strategy": {"discipline": {"fair": {"weights": {"results": 3}}}}}, "v")
        )
        assert fair.strategy.discipline.params == {"weights": {"orders": 2.0, "results": 3.0}}

    def test_overlay_errors_name_the_overlay(self, write: Write) -> None:
        """A bad value from an overlay names the overlay as its origin."""
        doc = load_document(write("s.yaml", TINY))
        with pytest.raises(ScenarioError) as caught:
            build(doc.overlay({"strategy": {"queues": "shard"}}, "compare variant 'x'"))
        assert messages(caught.value) == [
            "compare variant 'x': strategy.queues: 'shard' is not a queue layout; write one of: "
            "shared, per-destination, per-flow; did you mean 'shared'?"
        ]

    def test_overlay_cannot_extend(self, write: Write) -> None:
        """extends belongs to files; an overlay cannot contain it."""
        doc = load_document(write("s.yaml", TINY))
        with pytest.raises(ScenarioError) as caught:
            doc.overlay({"extends": "x.yaml"}, "variant v")
        assert messages(caught.value) == ["variant v: extends: an overlay cannot contain 'extends'"]


class TestSet:
    def test_dotted_key(self, write: Write) -> None:
        """--set strategy.queues=shared sets one nested key, keeping its siblings."""
        s = load_scenario(write("s.yaml", TINY), sets=["strategy.queues=shared"])
        assert (s.strategy.queues, s.strategy.order) == ("shared", "none")

    def test_list_item_by_index(self, write: Write) -> None:
        """--set faults.0.for=2h sets a key of the first fault."""
        s = load_scenario(write("s.yaml", WITH_FAULTS), sets=["faults.0.for=2h"])
        assert [f.duration for f in s.faults] == [7200.0, 3600.0]

    def test_value_is_yaml(self, write: Write) -> None:
        """VALUE is read as YAML: mappings merge, lists replace, 14:00 stays a clock time."""
        s = load_scenario(
            write("s.yaml", WITH_FAULTS),
            sets=[
                "strategy={retry: {backoff: exponential}, order: strict}",
                "week=[1, 1, 1, 1, 1, 0.5, 0.5]",
                "faults.1.at=14:00",
                "systems.lab.capacity=40/s",
            ],
        )
        assert (s.strategy.retry.backoff, s.strategy.order) == ("exponential", "strict")
        assert s.week[5] == 0.5
        assert s.faults[1].at == 50400.0
        assert s.systems["lab"].capacity == 40.0

    def test_creates_missing_mappings(self, write: Write) -> None:
        """--set creates the mappings along a path that does not exist yet."""
        s = load_scenario(write("s.yaml", TINY), sets=["fallback.share.stat=0.5"])
        assert s.fallback is not None
        assert s.fallback.share == {"stat": 0.5, "urgent": 0.0, "routine": 0.0}

    def test_later_sets_win(self, write: Write) -> None:
        """Assignments apply in order."""
        s = load_scenario(write("s.yaml", TINY), sets=["seed=2", "seed=3"])
        assert s.seed == 3

    def test_bad_value_names_the_option(self, write: Write) -> None:
        """An invalid value from --set is reported as '--set KEY: ...', not at a file line."""
        assert set_errors(write, "strategy.queues=shard") == [
            "--set strategy.queues: 'shard' is not a queue layout; write one of: shared, "
            "per-destination, per-flow; did you mean 'shared'?"
        ]
        assert set_errors(write, "systems.lab.conections=2") == [
            "--set systems.lab.conections: unknown key 'conections'; did you mean 'connections'?"
        ]

    @pytest.mark.parametrize(
        ("assignment", "expected"),
        [
            (
                "strategy.queues",
                "--set: 'strategy.queues' is not KEY=VALUE; write e.g. --set "
                "strategy.queues=shared",
            ),
            ("=1", "--set: '=1' is not KEY=VALUE; write e.g. --set strategy.queues=shared"),
            (
                "faults.5.for=2h",
                "--set faults.5.for: faults has 2 items (indexes 0 to 1); there is no item 5",
            ),
            (
                "faults.first.for=2h",
                "--set faults.first.for: faults is a list; name an item by "
                "its index, e.g. faults.0",
            ),
            ("name.x=1", "--set name.x: name is 'tiny', not a mapping; it has no key 'x'"),
            (
                "strategy..queues=x",
                "--set strategy..queues: a key path has an empty part; write e.g. faults.0.for",
            ),
            ("extends=base.yaml", "--set extends: 'extends' cannot be set from the command line"),
            (
                "seed=[1",
                "--set seed: the value '[1' is not valid YAML: expected ',' or ']', but "
                "got '<stream end>' (while parsing a flow sequence)",
            ),
            (
                "seed=!!python/name:os.system",
                "--set seed: the value '!!python/name:os.system': "
                "the tag '!!python/name:os.system' is not allowed: scenario files hold plain data "
                "(text, numbers, true/false, lists and mappings)",
            ),
        ],
    )
    def test_bad_assignments(self, write: Write, assignment: str, expected: str) -> None:
        """Malformed assignments and paths that lead nowhere are named with the option."""
        assert set_errors(write, assignment, text=WITH_FAULTS) == [expected]


class TestVariants:
    def test_baseline_first_then_each_variant(self, write: Write) -> None:
        """load_variants gives the base as 'baseline', then each variant laid over it."""
        path = write(
            "s.yaml",
            WITH_COMPARE.replace("  broken:\n    systems: {lab: {connections: none}}\n", ""),
        )
        variants = load_variants(path)
        assert list(variants) == [BASELINE, "shared", "wide"]
        base, shared, wide = variants.values()
        assert set(base.compare) == {"shared", "wide"}
        assert shared.compare == {} and wide.compare == {}
        assert (base.strategy.queues, shared.strategy.queues) == ("per-destination", "shared")
        assert shared.strategy.retry.first == 5.0
        assert (base.systems["lab"].connections, wide.systems["lab"].connections) == (1, 4)
        assert wide.strategy.queues == "per-destination"

    def test_extra_variants_and_sets(self, write: Write) -> None:
        """Extra overlays come after the file's; --set applies to the base of every variant."""
        path = write(
            "s.yaml",
            WITH_COMPARE.replace("  broken:\n    systems: {lab: {connections: none}}\n", ""),
        )
        variants = load_variants(
            path, sets=["seed=7"], extra={"drain": {"strategy": {"drain": {"rate": "10/s"}}}}
        )
        assert list(variants) == [BASELINE, "shared", "wide", "drain"]
        assert {s.seed for s in variants.values()} == {7}
        drain = variants["drain"].strategy.drain
        assert drain is not None and drain.rate == 10.0

    def test_variant_errors_point_into_compare(self, write: Write) -> None:
        """A bad value in a variant is reported at its line inside compare."""
        path = write("s.yaml", WITH_COMPARE)
        with pytest.raises(ScenarioError) as caught:
            load_variants(path)
        assert messages(caught.value) == [
            f"{path}:16: systems.lab.connections: expected a whole number of 1 or more, found "
            "'none'"
        ]

    @pytest.mark.parametrize(
        ("compare", "expected"),
        [
            (
                "compare: {baseline: {seed: 2}}",
                "10: compare.baseline: 'baseline' names the "
                "scenario itself; call this variant something else",
            ),
            (
                "compare: {v: [1]}",
                "10: compare.v: a variant is a mapping laid over the scenario, "
                "e.g. {strategy: {queues: shared}}; found a list",
            ),
            (
                "compare: {v: {compare: {}}}",
                "10: compare.v.compare: a variant cannot contain 'compare'",
            ),
        ],
    )
    def test_bad_compare(self, write: Write, compare: str, expected: str) -> None:
        """Variants are mappings with their own names, without compare of their own."""
        path = write("s.yaml", TINY + "seed: 1\n" + compare + "\n")
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        assert messages(caught.value) == [f"{path}:{expected}"]
