"""Operations on a read document: merging, setting one key, resolving relative paths.

A document is plain data (dicts, lists, scalars) with a :class:`~sim.scenario.yamlio.Pos` tree
beside it. Every operation here is persistent: it returns new containers along the path it
changes and shares the rest, so a base document can be overlaid many times (one per ``compare``
variant) without copies or surprises. The merge rule is the format's: mappings merge key by key,
anything else (lists included) is replaced whole, and each key keeps the origin of the file that
supplied it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.scenario.errors import Origin, Problem, ScenarioError, show
from sim.scenario.pos import Key, Pos
from sim.scenario.units import absolute_empirical

__all__ = ["absolute_paths", "merge", "set_path"]


_ONE_KEY = ("strategy", "discipline")
"""A one-key mapping naming a choice ({codel: {...}}): another name replaces it whole."""


def merge(
    base: Any, base_pos: Pos, over: Any, over_pos: Pos, path: tuple[Key, ...] = ()
) -> tuple[Any, Pos]:
    """Lay ``over`` on ``base``: mappings merge key by key; anything else replaces whole.

    A key present in both mappings takes the origin of ``over`` (the later file); keys only in
    ``base`` keep theirs. The one exception is the discipline, whose mapping form names one
    choice: ``{codel: ...}`` over ``{fair: ...}`` replaces it, as ``codel`` over ``fair`` would.
    """
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return over, over_pos
    if path[-2:] == _ONE_KEY and set(base) != set(over):
        return over, over_pos
    data = dict(base)
    children = dict(base_pos.children)
    for key, value in over.items():
        value_pos = over_pos.children.get(key, over_pos)
        if key in data:
            data[key], children[key] = merge(
                data[key], base_pos.children.get(key, base_pos), value, value_pos, (*path, key)
            )
        else:
            data[key], children[key] = value, value_pos
    return data, Pos(over_pos.origin, children)


def _step(part: str, node: Any, where: str) -> Key:
    """The key or index that ``part`` names inside ``node`` (for ``--set`` paths)."""
    if isinstance(node, list):
        if not part.isdigit():
            raise ValueError(
                f"{where or 'this'} is a list; name an item by its index, e.g. {where}.0"
            )
        index = int(part)
        if index >= len(node):
            size = f"{len(node)} item" + ("" if len(node) == 1 else "s")
            last = {0: "", 1: " (index 0)"}.get(len(node), f" (indexes 0 to {len(node) - 1})")
            raise ValueError(f"{where} has {size}{last}; there is no item {index}")
        return index
    if isinstance(node, dict) or node is None:
        return part
    raise ValueError(f"{where} is {show(node)}, not a mapping; it has no key '{part}'")


def set_path(
    data: Any, pos: Pos, parts: list[str], value: Any, value_pos: Pos, origin: Origin
) -> tuple[Any, Pos]:
    """Set the value at a dotted key path (list items by index), merging mappings as overlays.

    Missing mappings along the path are created. Raises :class:`ValueError` with a message when
    the path runs into a scalar or past the end of a list.
    """

    def put(node: Any, node_pos: Pos, depth: int) -> tuple[Any, Pos]:
        if depth == len(parts):
            return merge(node, node_pos, value, value_pos, tuple(parts))
        where = ".".join(parts[:depth])
        key = _step(parts[depth], node, where)
        if isinstance(node, list):
            assert isinstance(key, int)
            items = list(node)
            children = dict(node_pos.children)
            items[key], children[key] = put(
                items[key], node_pos.children.get(key, node_pos), depth + 1
            )
            return items, Pos(node_pos.origin, children)
        mapping = dict(node) if isinstance(node, dict) else {}
        children = dict(node_pos.children) if isinstance(node, dict) else {}
        child = mapping.get(key)
        child_pos = children.get(key, Pos(origin))
        mapping[key], children[key] = put(child, child_pos, depth + 1)
        return mapping, Pos(node_pos.origin if isinstance(node, dict) else origin, children)

    return put(data, pos, 0)


def absolute_paths(value: Any, path: tuple[Key, ...], base_dir: Path) -> Any:
    """Make the relative paths a file names absolute against its folder.

    Paths are relative to the file that names them, which is known only while reading it; so
    ``flows.<id>.trace`` (at any depth, for ``compare`` overlays) and ``empirical(file.csv)``
    anywhere are resolved as the file is read, before merging mixes files together.
    """
    if isinstance(value, dict):
        return {key: absolute_paths(item, (*path, key), base_dir) for key, item in value.items()}
    if isinstance(value, list):
        return [absolute_paths(item, (*path, index), base_dir) for index, item in enumerate(value)]
    if isinstance(value, str):
        if len(path) >= 3 and path[-1] == "trace" and path[-3] == "flows" and value.strip():
            target = Path(value.strip())
            return value if target.is_absolute() else os.path.abspath(base_dir / target)
        return absolute_empirical(value, base_dir)
    return value


def problem(origin: Origin, path: str, message: str) -> ScenarioError:
    """A one-problem error."""
    return ScenarioError([Problem.at(origin, path, message)])
