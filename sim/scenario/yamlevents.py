"""Building plain values and their origins from YAML parser events, within budgets.

The builder sees one event at a time, so it can refuse a tag, a nesting level or an alias the
moment it appears: an alias adds the size of the node it names to the value count before anything
is copied, which is how an alias bomb is stopped before it expands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml.events as ev

from sim.scenario.errors import Origin, Problem, ScenarioError, show
from sim.scenario.pos import Pos
from sim.scenario.scalars import COLLECTION_TAGS, SCALAR_TAGS, refused_tag, resolve_plain, tagged

__all__ = ["MAX_DEPTH", "MAX_NODES", "Builder"]

MAX_NODES = 200_000
"""Most values a file may hold, counting every alias expansion."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings."""


@dataclass
class _Frame:
    """A mapping or list being read."""

    value: dict[str, Any] | list[Any]
    pos: Pos
    anchor: str | None
    first_node: int
    flow: bool = False
    last: str = ""
    key: tuple[str, Origin, bool] | None = None
    merges: list[tuple[Any, Pos]] = field(default_factory=list)
    key_lines: dict[str, int | None] = field(default_factory=dict)


@dataclass
class _Anchored:
    value: Any
    pos: Pos
    size: int
    text: str | None


class Builder:
    """Turns parser events into plain values and a :class:`Pos` tree, within the budgets."""

    def __init__(self, file: str, base_dir: Path, lines: bool, max_nodes: int) -> None:
        self.file = file
        self.base_dir = base_dir
        self.lines = lines
        self.max_nodes = max_nodes
        self.nodes = 0
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        self.root: tuple[Any, Pos] | None = None
        self.open_call: tuple[_Frame, str | int] | None = None
        self.skip_null = False

    def origin(self, event: ev.Event) -> Origin:
        """Where an event is: this file, at the event's line (none for command-line text)."""
        line = event.start_mark.line + 1 if self.lines and event.start_mark else None
        return Origin(self.file, line, self.base_dir)

    def fail(self, event: ev.Event, message: str) -> ScenarioError:
        """An error at the line of ``event``."""
        return ScenarioError([Problem.at(self.origin(event), "", message)])

    def count(self, event: ev.Event, size: int) -> None:
        """Add ``size`` values to the budget, refusing the file once it is spent."""
        self.nodes += size
        if self.nodes > self.max_nodes:
            raise self.fail(
                event,
                f"the file holds more than {self.max_nodes} values, counting every alias "
                "expansion; this budget protects against alias bombs (a scenario is never this "
                "large), so write the values out or use fewer aliases",
            )

    def awaiting_key(self) -> bool:
        """Whether the next scalar is a key of the mapping being read."""
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].value, dict)
            and (self.stack[-1].key is None)
        )

    def feed(self, event: ev.Event) -> None:
        """Take the next parser event."""
        if (self.skip_null or self.open_call) and self.rejoin(event):
            return
        if isinstance(event, ev.AliasEvent):
            self.alias(event)
        elif isinstance(event, ev.ScalarEvent):
            self.scalar(event)
        elif isinstance(event, ev.MappingStartEvent | ev.SequenceStartEvent):
            self.start(event)
        elif isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
            self.end(event)

    def scalar(self, event: ev.ScalarEvent) -> None:
        """A key, or a value read under the core schema (tags checked first)."""
        tag = event.tag
        if tag not in (None, "!") and tag not in SCALAR_TAGS:
            raise self.fail(event, refused_tag(tag))
        self.count(event, 1)
        text = event.value
        if self.awaiting_key():
            self.anchor(event.anchor, text, Pos(self.origin(event)), 1, text)
            self.take_key(event, text, merge=tag is None and event.style is None and text == "<<")
            return
        try:
            if tag is None:
                value = resolve_plain(text) if event.style is None else text
            elif tag == "!":
                value = text
            else:
                value = tagged(tag, text)
        except ValueError as exc:
            raise self.fail(event, str(exc)) from None
        pos = Pos(self.origin(event))
        self.anchor(event.anchor, value, pos, 1, text)
        self.emit(event, value, pos)
        frame = self.stack[-1] if self.stack else None
        if frame and frame.flow and tag is None and event.style is None and _unclosed(text):
            slot = len(frame.value) - 1 if isinstance(frame.value, list) else frame.last
            self.open_call = (frame, slot)

    def rejoin(self, event: ev.Event) -> bool:
        """Keep ``lognormal(150ms, 80ms)`` whole inside a flow collection ``{...}``/``[...]``.

        YAML splits a plain scalar at the comma there (into ``lognormal(150ms`` and a key
        ``80ms)``), yet the format's own examples write ``{ack: lognormal(150ms, 80ms)}``. So a
        plain value with an unclosed '(' in a flow collection takes the following plain scalars
        (each a key with no value, in a mapping) until its parentheses close.

        Returns:
            Whether the event was used up by the join.
        """
        scalar = event if isinstance(event, ev.ScalarEvent) else None
        plain = scalar is not None and scalar.tag is None and scalar.style is None
        if self.skip_null:
            self.skip_null = False
            if plain and scalar is not None and scalar.value == "":
                return True
            raise self.fail(
                event,
                "a value with a comma inside parentheses must not be followed by ':' in a {...} "
                "mapping; put it in quotes, e.g. ack: 'lognormal(150ms, 80ms)'",
            )
        assert self.open_call is not None
        frame, slot = self.open_call
        inside = bool(self.stack) and self.stack[-1] is frame
        if not (plain and inside and (isinstance(frame.value, list) or self.awaiting_key())):
            self.open_call = None
            return False
        assert scalar is not None
        self.count(event, 1)
        joined = f"{frame.value[slot]}, {scalar.value}"  # type: ignore[index]
        frame.value[slot] = joined  # type: ignore[index]
        self.skip_null = isinstance(frame.value, dict)
        if not _unclosed(joined):
            self.open_call = None
        return True

    def alias(self, event: ev.AliasEvent) -> None:
        """A ``*alias``: its anchored value, counted at its full size before it is used."""
        target = self.anchors.get(event.anchor or "")
        if target is None:
            raise self.fail(event, f"the alias '*{event.anchor}' names no anchor defined above it")
        self.count(event, target.size)
        if self.awaiting_key():
            if target.text is None:
                raise self.fail(event, "a key must be plain text, not a list or mapping")
            self.take_key(event, target.text, merge=False)
            return
        self.emit(event, target.value, Pos(self.origin(event), target.pos.children))

    def start(self, event: ev.MappingStartEvent | ev.SequenceStartEvent) -> None:
        """Open a mapping or list, checking its tag and the nesting budget."""
        if event.tag not in COLLECTION_TAGS:
            raise self.fail(event, refused_tag(str(event.tag)))
        if self.awaiting_key():
            raise self.fail(event, "a key must be plain text, not a list or mapping")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, f"lists and mappings are nested more than {MAX_DEPTH} deep")
        self.count(event, 1)
        value: dict[str, Any] | list[Any] = {} if isinstance(event, ev.MappingStartEvent) else []
        frame = _Frame(value, Pos(self.origin(event)), event.anchor, self.nodes)
        frame.flow = bool(event.flow_style)
        self.stack.append(frame)

    def end(self, event: ev.Event) -> None:
        """Close the mapping or list being read and hand it to its parent."""
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            self.apply_merges(frame)
        size = self.nodes - frame.first_node + 1
        self.anchor(frame.anchor, frame.value, frame.pos, size, None)
        self.emit(event, frame.value, frame.pos)

    def anchor(self, name: str | None, value: Any, pos: Pos, size: int, text: str | None) -> None:
        """Remember an ``&anchor``'s value, origins and size for later aliases."""
        if name is not None:
            self.anchors[name] = _Anchored(value, pos, size, text)

    def take_key(self, event: ev.Event, text: str, merge: bool) -> None:
        """Record a mapping key, refusing empty and duplicate keys."""
        frame = self.stack[-1]
        assert isinstance(frame.value, dict)
        origin = self.origin(event)
        if merge:
            frame.key = ("<<", origin, True)
            return
        if text == "":
            raise self.fail(event, "a key is empty; write a name before the ':'")
        if text in frame.key_lines:
            first = frame.key_lines[text]
            where = f" (first on line {first})" if first else ""
            raise self.fail(event, f"the key {show(text)} appears twice in this mapping{where}")
        frame.key_lines[text] = origin.line
        frame.key = (text, origin, False)

    def emit(self, event: ev.Event, value: Any, pos: Pos) -> None:
        """Put a finished value into its parent (or make it the document's root)."""
        if not self.stack:
            self.root = (value, pos)
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.pos.children[len(frame.value)] = pos
            frame.value.append(value)
            return
        assert frame.key is not None
        key, origin, merge = frame.key
        frame.key = None
        if merge:
            frame.merges.append((value, Pos(origin, pos.children)))
            return
        frame.value[key] = value
        frame.last = key
        frame.pos.children[key] = Pos(origin, pos.children)

    def apply_merges(self, frame: _Frame) -> None:
        """Apply ``<<: *anchor`` merge keys: explicit keys win, earlier sources beat later ones."""
        assert isinstance(frame.value, dict)
        for value, pos in frame.merges:
            if isinstance(value, list):
                sources = [(item, pos.children.get(i, pos)) for i, item in enumerate(value)]
            else:
                sources = [(value, pos)]
            for source, source_pos in sources:
                if not isinstance(source, dict):
                    raise ScenarioError(
                        [
                            Problem.at(
                                pos.origin,
                                "",
                                "a merge key '<<' takes a mapping or a list of mappings",
                            )
                        ]
                    )
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item
                        frame.pos.children[key] = source_pos.children.get(key, source_pos)
        frame.merges.clear()


def _unclosed(text: str) -> bool:
    """Whether a text opens more parentheses than it closes (``lognormal(150ms``)."""
    return text.count("(") > text.count(")")
