"""Shipped scenarios: where they are, how they are listed, and that every one is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.scenario.shipped as shipped
from sim.scenario import ScenarioError, list_shipped, resolve_ref, shipped_dir, validate_paths

from .conftest import TINY, Write, messages

REPO = Path(__file__).resolve().parents[2]
SHIPPED = list_shipped()
"""The repository's shipped scenarios, listed once (listing reads every file)."""


class TestLocation:
    def test_source_checkout_uses_the_top_level_folder(self) -> None:
        """In a source checkout the shipped scenarios are the repository's scenarios/ folder."""
        assert shipped_dir() == REPO / "scenarios"

    def test_installed_wheel_uses_the_package_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When sim/_scenarios exists (a wheel), it is used instead."""
        (tmp_path / "_scenarios").mkdir()
        monkeypatch.setattr(shipped, "_PACKAGE", tmp_path)
        assert shipped_dir() == tmp_path / "_scenarios"


class TestListing:
    def test_names_titles_and_paths(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Stories come first, then topologies/ and theory/ by relative name, with titles."""
        root = tmp_path / "scenarios"
        (root / "theory").mkdir(parents=True)
        (root / "topologies").mkdir()
        (root / "story.yaml").write_text(TINY.replace("name: tiny", "name: story\ntitle: A story"))
        (root / "theory" / "mm3.yaml").write_text(TINY)
        (root / "topologies" / "region.yaml").write_text("partial: true\nseed: 2\n")
        (root / "notes.txt").write_text("not a scenario")
        (root / "broken.yaml").write_text("name: [\n")
        monkeypatch.setattr(shipped, "_PACKAGE", tmp_path / "sim")
        assert list_shipped() == [
            (
                "broken",
                "(unreadable: YAML syntax error: expected the node content, but found "
                "'<stream end>' (while parsing a flow node on line 2))",
                root / "broken.yaml",
            ),
            ("story", "A story", root / "story.yaml"),
            ("topologies/region", "region", root / "topologies" / "region.yaml"),
            ("theory/mm3", "tiny", root / "theory" / "mm3.yaml"),
        ]

    def test_repository_scenarios_are_listed(self) -> None:
        """Every YAML file of scenarios/, topologies/ and theory/ is listed once."""
        names = [name for name, _title, _path in SHIPPED]
        root = shipped_dir()
        expected = [p.stem for p in sorted(root.glob("*.yaml"))]
        for folder in ("topologies", "theory"):
            expected += [f"{folder}/{p.stem}" for p in sorted((root / folder).glob("*.yaml"))]
        assert names == expected


class TestResolve:
    def test_names_and_paths(self, write: Write) -> None:
        """A bare name or folder/name is a shipped scenario; an existing path is itself."""
        for name, _title, path in SHIPPED:
            assert resolve_ref(name) == path
        own = write("mine.yaml", TINY)
        assert resolve_ref(str(own)) == own
        assert resolve_ref("missing.yaml") == Path("missing.yaml")

    def test_a_yaml_name_with_no_file_there_is_the_shipped_one(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`topologies/capital-region.yaml` run from elsewhere is the shipped topology; a file
        of that name where the command runs wins."""
        monkeypatch.chdir(tmp_path)
        shipped = shipped_dir() / "topologies" / "capital-region.yaml"
        assert resolve_ref("topologies/capital-region.yaml") == shipped
        (tmp_path / "topologies").mkdir()
        (tmp_path / "topologies" / "capital-region.yaml").write_text(TINY)
        assert resolve_ref("topologies/capital-region.yaml") == Path(
            "topologies/capital-region.yaml"
        )

    def test_unknown_name_suggests_the_closest(self) -> None:
        """An unknown name lists nothing silently: it says so, with a suggestion when close."""
        names = [name for name, _title, _path in SHIPPED]
        if not names:
            pytest.skip("no shipped scenarios yet")
        with pytest.raises(ScenarioError) as caught:
            resolve_ref(names[0] + "x")
        assert messages(caught.value) == [
            f"{names[0]}x: no such file, and no shipped scenario is called '{names[0]}x'; did "
            f"you mean '{names[0]}'? (see 'ehrsim list')"
        ]


@pytest.mark.parametrize("name", [name for name, _t, _p in SHIPPED])
def test_every_shipped_scenario_is_valid(name: str) -> None:
    """Every shipped file passes 'ehrsim validate', variants and partial files included."""
    [error] = validate_paths([name])
    assert error is None, str(error)
