"""Build small worlds from scenario text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from sim.model.world import World
from sim.scenario import load_scenario

MakeWorld = Callable[..., World]


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write scenario text (dedented) to a file and return its path."""

    def write(text: str, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def world_of(scenario_file: Callable[[str], Path]) -> MakeWorld:
    """A World (not yet run) from scenario text, with optional `--set` overlays."""

    def make(text: str, sets: Sequence[str] = (), **kw: Any) -> World:
        return World(load_scenario(scenario_file(text), sets=sets), **kw)

    return make


def delivered_at(world: World) -> dict[int, float]:
    """When each message was delivered, from the world's trace."""
    assert world.trace is not None
    return {uid: t for t, uid, _flow, _cls, event, *_ in world.trace if event == "delivered"}
