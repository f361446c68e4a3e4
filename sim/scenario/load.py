"""Loading a scenario document: ``extends`` chains, ``compare`` overlays and ``--set``.

:func:`load_document` reads a file and every file it ``extends`` (in order, then the file itself
over them) into one :class:`Document`: the merged raw mapping plus the origin of every key. A
relative ``extends`` path is looked up beside the file naming it first, then among the shipped
scenarios, with or without ``.yaml``. Overlays (``compare`` variants, ``--set KEY=VALUE``) are
laid on a document with the same rule before anything is validated, and keep their own origin
so that an error in a ``--set`` value names ``--set``, not a file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.errors import Origin, Problem, ScenarioError, did_you_mean, show
from sim.scenario.pos import Key, Pos, plain_pos
from sim.scenario.shipped import find_shipped, shipped_dir, shipped_names, with_suffixes
from sim.scenario.tree import absolute_paths, merge, problem, set_path
from sim.scenario.yamlio import read_file, read_text

__all__ = ["MAX_EXTENDS", "SET_ORIGIN", "Document", "load_document"]

MAX_EXTENDS = 8
"""How many files deep an ``extends`` chain may go."""
SET_ORIGIN = "--set"
"""How errors name a value that came from the command line."""
_PER_FILE = ("extends", "partial")
"""Keys that describe one file and are not inherited by the files that extend it."""


def _plain(value: Any) -> Any:
    """A caller's mapping as plain YAML-like data (tuples become lists, mappings dicts)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Document:
    """A merged, not yet validated scenario: raw data plus the origin of every key.

    Attributes:
        data: The merged mapping, as read (values keep the text the user wrote).
        pos: Origins of every key, mirroring ``data``.
        file: The name of the file it was loaded from, as the user wrote it.
    """

    data: dict[str, Any]
    pos: Pos
    file: str

    @property
    def partial(self) -> bool:
        """Whether the top file says ``partial: true`` (a part meant to be extended)."""
        return self.data.get("partial") is True

    def origin(self, path: tuple[Key, ...]) -> Origin:
        """Where the deepest key of ``path`` present in the document came from."""
        return self.pos.find(path)

    def overlay(self, mapping: Mapping[str, Any], origin: str) -> Document:
        """This document with ``mapping`` laid over it (mappings merged, the rest replaced).

        Args:
            mapping: An overlay such as ``{"strategy": {"queues": "shared"}}``.
            origin: How errors in its values are located, e.g. ``"compare variant 'x'"``.
        """
        where = Origin(origin, None, Path.cwd())
        if not isinstance(mapping, Mapping):
            raise problem(where, "", f"an overlay must be a mapping, not {show(mapping)}")
        data = absolute_paths(_plain(mapping), (), Path.cwd())
        return self._laid(data, plain_pos(data, where), where)

    def overlay_at(self, path: tuple[Key, ...]) -> Document:
        """This document, without ``compare``, with the mapping found at ``path`` laid over it.

        This is how a ``compare`` variant of the file is built: its keys keep the lines where
        the file wrote them.
        """
        node: Any = self.data
        pos = self.pos
        for key in path:
            node = node[key]
            pos = pos.children.get(key, pos)
        return self.without("compare")._laid(node, pos, pos.origin)

    def without(self, key: str) -> Document:
        """This document without a top-level key."""
        data = {k: v for k, v in self.data.items() if k != key}
        children = {k: v for k, v in self.pos.children.items() if k != key}
        return Document(data, Pos(self.pos.origin, children), self.file)

    def set(self, assignment: str, option: str = SET_ORIGIN) -> Document:
        """This document with one ``KEY=VALUE`` from the command line applied.

        KEY is a dotted path (``strategy.queues``), list items by index (``faults.0.for``);
        VALUE is read as YAML (``2h``, ``{codel: {target: 5s}}``, ``[1, 2]``). ``option`` is
        the command-line option errors name (``--set``; a sweep's points say ``--param``).

        Raises:
            ScenarioError: Naming the option and the key, for a malformed assignment, a path
                that runs into a value or past a list's end, or a VALUE that is not valid YAML.
        """
        key, sep, text = assignment.partition("=")
        key = key.strip()
        where = Origin(option, None, Path.cwd())
        if not sep or not key:
            raise problem(
                where,
                "",
                f"{show(assignment)} is not KEY=VALUE; write e.g. --set strategy.queues=shared",
            )
        parts = key.split(".")
        if any(not part.strip() for part in parts):
            raise problem(where, key, "a key path has an empty part; write e.g. faults.0.for")
        parts = [part.strip() for part in parts]
        if parts[0] in _PER_FILE:
            raise problem(where, key, f"'{parts[0]}' cannot be set from the command line")
        try:
            value, value_pos = read_text(text, option, Path.cwd(), lines=False)
        except ScenarioError as exc:
            raise ScenarioError(
                [Problem(option, None, key, _value_problem(text, p)) for p in exc.problems]
            ) from None
        value = absolute_paths(value, tuple(parts), Path.cwd())
        value_pos = plain_pos(value, where)
        try:
            data, pos = set_path(self.data, self.pos, parts, value, value_pos, where)
        except ValueError as exc:
            raise problem(where, key, str(exc)) from None
        return Document(data, pos, self.file)

    def _laid(self, data: Any, pos: Pos, where: Origin) -> Document:
        if not isinstance(data, dict):
            raise problem(where, "", f"an overlay must be a mapping, not {show(data)}")
        for key in _PER_FILE:
            if key in data:
                raise problem(pos.children[key].origin, key, f"an overlay cannot contain '{key}'")
        merged, merged_pos = merge(self.data, self.pos, data, pos)
        return Document(merged, Pos(self.pos.origin, merged_pos.children), self.file)


def _value_problem(text: str, problem: Problem) -> str:
    """A problem reading a --set VALUE, worded for the command line."""
    syntax = "YAML syntax error: "
    if problem.message.startswith(syntax):
        return f"the value {show(text)} is not valid YAML: {problem.message[len(syntax) :]}"
    return f"the value {show(text)}: {problem.message}"


def _display(base: str, entry: str) -> str:
    """How errors name a file that ``base`` extends: relative like the user's own path."""
    if os.path.isabs(entry):
        return entry
    return os.path.normpath(os.path.join(os.path.dirname(base), entry))


def _entries(data: dict[str, Any], pos: Pos) -> list[tuple[str, Origin]]:
    """The files an ``extends`` key names, each with the origin of its mention."""
    value = data["extends"]
    key_pos = pos.children["extends"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise problem(
            key_pos.origin,
            "extends",
            f"expected a file path or a list of them (e.g. extends: topologies/region.yaml), "
            f"found {show(value)}",
        )
    if not isinstance(value, list):
        return [(value.strip(), key_pos.origin)]
    return [
        (item.strip(), key_pos.children.get(index, key_pos).origin)
        for index, item in enumerate(items)
    ]


def _locate(base: Path, file: str, entry: str) -> tuple[Path, str] | None:
    """The file an ``extends`` entry names, and how errors name it; ``None`` if none exists.

    A relative path is looked up beside the naming file first, then among the shipped
    scenarios; in both places ``.yaml`` may be left out.
    """
    for name in with_suffixes(entry):
        if (base / name).is_file():
            return base / name, _display(file, name)
    shipped = find_shipped(entry)
    if shipped is not None:
        return shipped, str(shipped)
    return None


def _not_found(base: Path, file: str, entry: str) -> str:
    """Why an ``extends`` entry names no file, and every place it was looked for."""
    name = _display(file, entry)
    if (base / entry).is_dir():
        return f"{show(entry)} is a folder (looked for {name})"
    if os.path.isabs(entry):
        return f"{show(entry)} does not exist (looked for {name})"
    suffix = Path(entry).suffix if Path(entry).suffix in (".yaml", ".yml") else ""
    stem = entry[: len(entry) - len(suffix)]
    near = did_you_mean(stem, shipped_names())
    if near:
        near = near.replace("'?", f"{suffix}'?")
    return (
        f"{show(entry)} does not exist (looked for {name} beside the file and among the "
        f"shipped scenarios in {shipped_dir()}){near}"
    )


def _load(path: Path, file: str, chain: tuple[Path, ...]) -> Document:
    data, pos = read_file(path, file)
    data = absolute_paths(data, (), path.parent)
    here = (*chain, path.resolve())
    if "extends" not in data:
        return Document(data, pos, file)
    merged: Any = None
    merged_pos = Pos(pos.origin)
    problems: list[Problem] = []
    for entry, origin in _entries(data, pos):
        try:
            found = _locate(path.parent, file, entry)
            if found is None:
                problems.append(Problem.at(origin, "extends", _not_found(path.parent, file, entry)))
                continue
            target, name = found
            resolved = target.resolve()
        except (OSError, ValueError) as exc:
            problems.append(
                Problem.at(origin, "extends", f"{show(entry)} is not a usable path ({exc})")
            )
            continue
        if resolved in here:
            cycle = " -> ".join([*(p.name for p in here[here.index(resolved) :]), resolved.name])
            problems.append(Problem.at(origin, "extends", f"extends makes a cycle: {cycle}"))
            continue
        if len(here) > MAX_EXTENDS:
            problems.append(
                Problem.at(
                    origin,
                    "extends",
                    f"the extends chain is more than {MAX_EXTENDS} files deep "
                    f"({' -> '.join(p.name for p in here)} -> {resolved.name}); "
                    "flatten some of these files",
                )
            )
            continue
        try:
            base = _load(target, name, here)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        base = base.without("partial")
        if merged is None:
            merged, merged_pos = base.data, base.pos
        else:
            merged, merged_pos = merge(merged, merged_pos, base.data, base.pos)
    if problems:
        raise ScenarioError(problems)
    own = {key: value for key, value in data.items() if key != "extends"}
    own_pos = Pos(pos.origin, {k: v for k, v in pos.children.items() if k != "extends"})
    if merged is None:  # pragma: no cover - _entries never returns an empty list
        return Document(own, own_pos, file)
    result, result_pos = merge(merged, merged_pos, own, own_pos)
    return Document(result, result_pos, file)


def load_document(path: str | Path) -> Document:
    """Read a scenario file and the files it extends into one merged :class:`Document`.

    Args:
        path: The scenario file; errors name it as given.

    Raises:
        ScenarioError: For unreadable files, YAML errors, and ``extends`` problems (missing
            files, cycles, chains deeper than :data:`MAX_EXTENDS`), all of them at once.
    """
    return _load(Path(path), str(path), ())
