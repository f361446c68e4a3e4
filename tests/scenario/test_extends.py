"""extends: merging order and rules, line attribution, partial files, cycles and depth."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import (
    ScenarioError,
    load_document,
    load_scenario,
    load_variants,
    shipped_dir,
    validate_paths,
)
from sim.scenario.build import build

from .conftest import Write, messages

TOPOLOGY = """\
partial: true
systems:
  lab: {ack: exponential(100ms), connections: 2}
  ehr: {ack: constant(50ms)}
profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
faults:
  - {kind: surge, at: +1h, for: 1h, severity: 2}
"""

PARENT = """\
partial: true
horizon: 2h
flows:
  orders: {from: ehr, to: lab, rate: 100/h}
systems:
  lab: {ack: exponential(100ms), capacity: 10/s}
  ehr: {ack: constant(50ms)}
compare:
  wide: {systems: {lab: {connections: 4}}, strategy: {order: per-patient}}
  shared: {strategy: {queues: shared}}
"""
"""A topology with a filing capacity on the lab and two compare variants."""

STORY = """\
extends: topology.yaml
name: story
horizon: 2h
systems:
  lab: {connections: 4}
profile: day
faults:
  - {kind: system-outage, target: lab, at: +30min, for: 10min}
flows:
  orders: {from: ehr, to: lab, rate: 100/h}
"""


def failing(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return messages(caught.value)


class TestMerging:
    def test_mappings_merge_and_lists_are_replaced(self, write: Write) -> None:
        """Mappings merge key by key; lists and other values are replaced whole."""
        write("topology.yaml", TOPOLOGY)
        s = load_scenario(write("story.yaml", STORY))
        assert s.systems["lab"].connections == 4
        assert s.systems["lab"].ack.mean == 0.1
        assert list(s.systems) == ["lab", "ehr"]
        assert s.profile[8] == 9.0
        assert [f.kind for f in s.faults] == ["system-outage"]

    def test_an_empty_compare_keeps_the_inherited_variants(self, write: Write) -> None:
        """compare: {} is a mapping merged over the parent's: every variant stays."""
        write("parent.yaml", PARENT)
        child = write("child.yaml", "extends: parent.yaml\nname: child\ncompare: {}\n")
        variants = load_variants(child)
        assert list(variants) == ["baseline", "wide", "shared"]
        assert variants["wide"].systems["lab"].connections == 4
        assert variants["shared"].strategy.queues == "shared"

    def test_a_child_variant_merges_into_the_inherited_one(self, write: Write) -> None:
        """A child's compare entry adds a variant, or merges into the parent's of that name."""
        write("parent.yaml", PARENT)
        child = write(
            "child.yaml",
            "extends: parent.yaml\nname: child\ncompare:\n"
            "  wide: {systems: {lab: {timeout: 10s}}}\n  one: {systems: {lab: {capacity: 1/s}}}\n",
        )
        variants = load_variants(child)
        assert list(variants) == ["baseline", "wide", "shared", "one"]
        lab = variants["wide"].systems["lab"]
        assert (lab.connections, lab.timeout) == (4, 10.0)

    def test_null_clears_one_inherited_variant(self, write: Write) -> None:
        """compare: {wide: null} drops the parent's variant 'wide' and keeps the others."""
        write("parent.yaml", PARENT)
        child = write("child.yaml", "extends: parent.yaml\nname: child\ncompare: {wide: null}\n")
        variants = load_variants(child)
        assert list(variants) == ["baseline", "shared"]
        assert variants["baseline"].compare.keys() == {"shared"}

    def test_null_clears_compare_and_capacity(self, write: Write) -> None:
        """compare: null clears the inherited variants; capacity: null makes the lab unlimited."""
        write("parent.yaml", PARENT)
        child = write(
            "child.yaml",
            "extends: parent.yaml\nname: child\ncompare: null\nsystems: {lab: {capacity: null}}\n",
        )
        variants = load_variants(child)
        assert list(variants) == ["baseline"]
        assert variants["baseline"].compare == {}
        assert variants["baseline"].systems["lab"].capacity is None
        assert (
            load_variants(write("same.yaml", "extends: parent.yaml\nname: s\n"))["baseline"]
            .systems["lab"]
            .capacity
            == 10.0
        )

    def test_partial_is_not_inherited(self, write: Write) -> None:
        """A topology's partial: true does not make the scenario extending it partial."""
        write("topology.yaml", TOPOLOGY)
        assert load_scenario(write("story.yaml", STORY)).partial is False

    def test_several_bases_merge_in_order(self, write: Write) -> None:
        """With a list of bases, later bases win over earlier ones, and the file over all."""
        write("a.yaml", "seed: 1\ntitle: from a\npatients: 10\n")
        write("b.yaml", "seed: 2\ntitle: from b\n")
        path = write(
            "s.yaml",
            "extends: [a.yaml, b.yaml]\nseed: 3\nname: s\nhorizon: 1h\n"
            "flows: {o: {from: ehr, to: lab, rate: 1/h}}\nsystems: {lab: {ack: constant(1s)}}\n",
        )
        s = load_scenario(path)
        assert (s.seed, s.title, s.patients) == (3, "from b", 10)

    def test_paths_are_relative_to_the_naming_file(self, write: Write) -> None:
        """extends paths are relative to the file naming them, through nested folders."""
        write("lib/base.yaml", "extends: ../shared/systems.yaml\nseed: 5\n")
        write("shared/systems.yaml", "systems: {lab: {ack: constant(1s)}}\n")
        path = write(
            "stories/s.yaml",
            "extends: ../lib/base.yaml\nname: s\nhorizon: 1h\n"
            "flows: {o: {from: ehr, to: lab, rate: 1/h}}\n",
        )
        s = load_scenario(path)
        assert (s.seed, s.systems["lab"].ack.mean) == (5, 1.0)


class TestLines:
    def test_deepest_key_in_the_file_that_supplied_it(self, write: Write) -> None:
        """An error in an inherited value is reported in the base file, at the deepest key."""
        base = write("topology.yaml", TOPOLOGY.replace("connections: 2}", "connections: two}"))
        path = write("story.yaml", STORY.replace("  lab: {connections: 4}\n", "  ehr: {}\n"))
        assert failing(path) == [
            f"{base}:3: systems.lab.connections: expected a whole number of 1 or more, found 'two'"
        ]

    def test_overriding_key_is_in_the_extending_file(self, write: Write) -> None:
        """A value the extending file overrides is reported there."""
        write("topology.yaml", TOPOLOGY)
        path = write("story.yaml", STORY.replace("connections: 4", "connections: 0"))
        assert failing(path) == [
            f"{path}:5: systems.lab.connections: 0 is too small; write a whole number of 1 or more"
        ]

    def test_missing_key_is_at_its_parent_mapping(self, write: Write) -> None:
        """A key missing after the merge is reported at its parent, in the file that wrote it."""
        base = write("topology.yaml", TOPOLOGY.replace("ack: exponential(100ms), ", ""))
        path = write("story.yaml", STORY.replace("  lab: {connections: 4}\n", "  ehr: {}\n"))
        assert failing(path) == [
            f"{base}:3: systems.lab: 'ack' is required: the time from filing to ACK, e.g. "
            "ack: lognormal(150ms, 80ms)"
        ]

    def test_errors_sort_extending_file_first(self, write: Write) -> None:
        """Problems of the loaded file come before those of the files it extends."""
        base = write("topology.yaml", TOPOLOGY.replace("connections: 2}", "connections: -2}"))
        path = write(
            "story.yaml",
            STORY.replace("  lab: {connections: 4}\n", "  ehr: {}\n").replace(
                "horizon: 2h", "horizon: 2"
            ),
        )
        assert failing(path) == [
            f"{path}:3: horizon: 2 has no unit, and a plain number is ambiguous; write e.g. '2s' "
            "or '2min'",
            f"{base}:3: systems.lab.connections: -2 is too small; write a whole number of 1 or "
            "more",
        ]


class TestPartial:
    def test_partial_file_validates_keys_not_completeness(self, write: Write) -> None:
        """validate accepts a partial file that lacks name, horizon and flows."""
        path = write("topology.yaml", TOPOLOGY.replace("ack: exponential(100ms), ", ""))
        assert validate_paths([path]) == [None]

    def test_partial_file_values_are_still_checked(self, write: Write) -> None:
        """A partial file's values and keys are checked."""
        path = write("topology.yaml", TOPOLOGY.replace("connections: 2", "conections: 2"))
        [error] = validate_paths([path])
        assert error is not None
        assert messages(error) == [
            f"{path}:3: systems.lab.conections: unknown key 'conections'; did you mean "
            "'connections'?"
        ]

    def test_incomplete_partial_cannot_be_built(self, write: Write) -> None:
        """Building an incomplete partial file says it cannot be used on its own."""
        path = write("topology.yaml", TOPOLOGY)
        with pytest.raises(ScenarioError) as caught:
            build(load_document(path))
        assert messages(caught.value) == [
            f"{path}:1: this file is partial (a part meant for 'extends') and lacks required "
            "keys, so it cannot be used on its own; extend it from a complete scenario"
        ]


class TestBrokenChains:
    def test_missing_file(self, write: Write) -> None:
        """A missing extends file is named at the line of the extends key, with both places."""
        path = write("s.yaml", "name: s\nextends: nope.yaml\n")
        assert failing(path) == [
            f"{path}:2: extends: 'nope.yaml' does not exist (looked for "
            f"{path.parent / 'nope.yaml'} beside the file and among the shipped scenarios in "
            f"{shipped_dir()})"
        ]

    def test_missing_absolute_file(self, write: Write, tmp_path: Path) -> None:
        """An absolute path is looked for only where it points."""
        path = write("s.yaml", f"name: s\nextends: {tmp_path / 'nope.yaml'}\n")
        [line] = failing(path)
        assert line.startswith(f"{path}:2: extends: ")
        assert line.endswith(f" does not exist (looked for {tmp_path / 'nope.yaml'})")

    def test_missing_file_in_a_list(self, write: Write) -> None:
        """In a list of files, the line of the missing one is named."""
        write("a.yaml", "seed: 1\n")
        path = write("s.yaml", "name: s\nextends:\n  - a.yaml\n  - b.yaml\n")
        assert failing(path) == [
            f"{path}:4: extends: 'b.yaml' does not exist (looked for {path.parent / 'b.yaml'} "
            f"beside the file and among the shipped scenarios in {shipped_dir()})"
        ]

    def test_folder(self, write: Write, tmp_path: Path) -> None:
        """A folder named by extends is refused."""
        (tmp_path / "dir").mkdir()
        path = write("s.yaml", "extends: dir\n")
        assert failing(path) == [
            f"{path}:1: extends: 'dir' is a folder (looked for {tmp_path / 'dir'})"
        ]

    def test_cycle(self, write: Write) -> None:
        """A cycle is refused at the extends key that closes it."""
        a = write("a.yaml", "name: a\nextends: b.yaml\n")
        b = write("b.yaml", "seed: 1\n\nextends: a.yaml\n")
        assert failing(a) == [f"{b}:3: extends: extends makes a cycle: a.yaml -> b.yaml -> a.yaml"]

    def test_self_cycle(self, write: Write) -> None:
        """A file extending itself is a cycle."""
        path = write("a.yaml", "extends: a.yaml\n")
        assert failing(path) == [f"{path}:1: extends: extends makes a cycle: a.yaml -> a.yaml"]

    def test_depth_8_is_allowed_and_9_is_not(self, write: Write) -> None:
        """A chain of 8 extends is accepted; a 9th is refused at the extends key that makes it."""
        write("f8.yaml", "systems: {lab: {ack: constant(1s)}}\n")
        for index in range(8):
            write(f"f{index}.yaml", f"extends: f{index + 1}.yaml\n")
        tail = "name: s\nhorizon: 1h\nflows: {o: {from: ehr, to: lab, rate: 1/h}}\n"
        ok = write("ok.yaml", "extends: f1.yaml\n" + tail)
        assert load_scenario(ok).systems["lab"].ack.mean == 1.0
        deep = write("deep.yaml", "extends: f0.yaml\n" + tail)
        assert failing(deep) == [
            f"{deep.parent / 'f7.yaml'}:1: extends: the extends chain is more than 8 files deep "
            "(deep.yaml -> f0.yaml -> f1.yaml -> f2.yaml -> f3.yaml -> f4.yaml -> f5.yaml -> "
            "f6.yaml -> f7.yaml -> f8.yaml); flatten some of these files"
        ]

    def test_bad_extends_value(self, write: Write) -> None:
        """extends must be a path or a list of paths."""
        path = write("s.yaml", "name: s\nextends: {a: 1}\n")
        assert failing(path) == [
            f"{path}:2: extends: expected a file path or a list of them (e.g. extends: "
            "topologies/region.yaml), found a mapping"
        ]

    def test_problems_of_the_base_file_name_it(self, write: Write) -> None:
        """A syntax error in a base is reported in the base, with its line."""
        base = write("base.yaml", "seed: 1\nflows: [\n")
        path = write("s.yaml", "extends: base.yaml\n")
        assert failing(path) == [
            f"{base}:3: YAML syntax error: expected the node content, but found '<stream end>' "
            "(while parsing a flow node on line 3)"
        ]


class TestShippedBases:
    """A relative extends is looked up beside the file first, then among the shipped scenarios."""

    @pytest.mark.parametrize("ref", ["topologies/capital-region.yaml", "topologies/capital-region"])
    def test_a_shipped_topology_from_anywhere(
        self, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ref: str
    ) -> None:
        """From a folder outside the repository, the shipped topology is found, with or
        without .yaml, and its keys keep their lines in the shipped file."""
        monkeypatch.chdir(tmp_path)
        write("s.yaml", f"extends: {ref}\nname: s\nhorizon: 2h\n")
        shipped = shipped_dir() / "topologies" / "capital-region.yaml"
        document = load_document("s.yaml")
        assert document.data == {
            **load_document(shipped).without("partial").data,
            "name": "s",
            "horizon": "2h",
        }
        assert document.origin(("systems", "labka")).file == str(shipped)
        assert load_scenario("s.yaml").systems["labka"].connections >= 1

    def test_a_file_beside_comes_first(self, write: Write) -> None:
        """A file of the same name beside the extending file wins over the shipped one."""
        write("topologies/capital-region.yaml", "partial: true\nseed: 42\n")
        path = write("s.yaml", "extends: topologies/capital-region\nname: s\n")
        assert load_document(path).data == {"seed": 42, "name": "s"}

    def test_without_yaml_beside(self, write: Write) -> None:
        """The .yaml may be left out for a file beside too."""
        write("base.yaml", "seed: 9\n")
        path = write("s.yaml", "extends: base\nname: s\n")
        assert load_document(path).data == {"seed": 9, "name": "s"}

    def test_a_misspelt_shipped_name_is_suggested(self, write: Write) -> None:
        """A name close to a shipped one gets a "did you mean", in the form the user wrote."""
        path = write("s.yaml", "extends: topologies/capital-regoin\n")
        assert failing(path) == [
            f"{path}:1: extends: 'topologies/capital-regoin' does not exist (looked for "
            f"{path.parent / 'topologies/capital-regoin'} beside the file and among the shipped "
            f"scenarios in {shipped_dir()}); did you mean 'topologies/capital-region'?"
        ]
