"""Where each value of a scenario came from: a tree of origins mirroring the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.scenario.errors import Origin

__all__ = ["Key", "Pos", "plain_pos"]

Key = str | int
"""A step in a key path: a mapping key (always text) or a list index."""


@dataclass(frozen=True)
class Pos:
    """Origins of a value and, for a mapping or list, of each of its keys or items."""

    origin: Origin
    children: dict[Key, Pos] = field(default_factory=dict)

    def find(self, path: tuple[Key, ...]) -> Origin:
        """The origin of the deepest key of ``path`` present (for a missing key: its parent)."""
        pos = self
        for key in path:
            child = pos.children.get(key)
            if child is None:
                break
            pos = child
        return pos.origin


def plain_pos(value: Any, origin: Origin) -> Pos:
    """A :class:`Pos` tree giving every key and item of ``value`` the same origin."""
    if isinstance(value, dict):
        return Pos(origin, {key: plain_pos(item, origin) for key, item in value.items()})
    if isinstance(value, list):
        return Pos(origin, {i: plain_pos(item, origin) for i, item in enumerate(value)})
    return Pos(origin)
