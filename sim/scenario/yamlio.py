"""Reading YAML safely, keeping the line of every key.

Scenario files are plain data written by people, and sometimes hostile. So the reader:

- builds values straight from the parser's events (no constructors, so no tag can run code;
  any tag other than the plain-data ones is refused with its line);
- reads plain scalars with a YAML 1.2-like core schema (:mod:`.scalars`), so an unquoted
  ``14:00`` is the text ``"14:00"``, not YAML 1.1's base-60 ``840``;
- checks budgets before anything grows: file size, nesting depth, and the number of values
  *including every alias expansion*, counted from the size of each anchored node, so a
  "billion laughs" file is refused after a few events without being expanded;
- refuses duplicate keys, multiple documents, empty and binary files, all with a line number;
- records a :class:`Pos` tree mirroring the data: the origin (file, line) of every key and list
  item, which is how later errors name ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
import yaml.events as ev

from sim.scenario.errors import Origin, Problem, ScenarioError, show
from sim.scenario.pos import Key, Pos, plain_pos
from sim.scenario.yamlevents import MAX_DEPTH, MAX_NODES, Builder

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Key",
    "Pos",
    "plain_pos",
    "read_file",
    "read_text",
]

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest scenario file read (2 MiB); real ones are a few kilobytes."""


class _EventReader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python reader, scanner and parser, without composer or constructor."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str, lines: bool) -> Problem:
    """A parser error as a problem at the line the parser names."""
    line: int | None = 1
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context and exc.problem and exc.context_mark:
            where = f" on line {exc.context_mark.line + 1}" if lines else ""
            message += f" ({exc.context}{where})"
        if exc.problem and "'\\t'" in exc.problem:
            message += "; indent with spaces, not tabs"
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        message = (
            f"the control character #x{exc.character:04x} is not allowed in a YAML file"
            if isinstance(exc.character, int)
            else f"YAML error: {exc.reason}"
        )
    else:
        message = f"YAML error: {exc}"
    return Problem(file, line if lines else None, "", message)


def read_text(
    text: str,
    file: str,
    base_dir: Path,
    *,
    lines: bool = True,
    max_nodes: int = MAX_NODES,
) -> tuple[Any, Pos]:
    """Read one YAML document from ``text``.

    Args:
        text: The YAML source.
        file: The name reported in errors (a path, or an option such as ``--set``).
        base_dir: Folder that relative paths in these values are resolved against.
        lines: False for one-line command-line values: origins then carry no line.
        max_nodes: Budget of values, counting alias expansions.

    Returns:
        The value (``None`` for an empty document) and its :class:`Pos` tree.

    Raises:
        ScenarioError: For a syntax error, a refused tag, a broken budget, a duplicate key or
            a second document, naming the file and line.
    """
    builder = Builder(file, base_dir, lines, max_nodes)
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_EventReader):  # type: ignore[arg-type]
            if isinstance(event, ev.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise builder.fail(
                        event,
                        "a second YAML document starts here ('---'); a scenario file holds one",
                    )
            else:
                builder.feed(event)
    except yaml.YAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, text, file, lines)]) from None
    except RecursionError:  # pragma: no cover - the depth budget comes first
        raise ScenarioError([Problem(file, 1, "", "the file is nested too deeply")]) from None
    if builder.root is None:
        return None, Pos(Origin(file, 1 if lines else None, base_dir))
    return builder.root


def _decode(data: bytes, file: str) -> str:
    """UTF-8 text of a file, refusing binary and other encodings at line 1."""

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, 1, "", message)])

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("the file is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise refuse("this is a binary file, not a YAML scenario")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise refuse(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as UTF-8"
        ) from None


def read_bytes(path: Path, file: str, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file, with clear errors for missing files, folders and oversized files.

    Raises:
        ScenarioError: Naming ``file``.
    """

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, None, "", message)])

    try:
        if path.is_dir():
            raise refuse("is a folder, not a file")
        if not path.exists():
            raise refuse("no such file")
        if not path.is_file():
            raise refuse("is not a regular file")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise refuse(f"cannot be read ({reason})") from None
    if len(data) > max_bytes:
        raise refuse(f"is larger than {max_bytes // 1024} KiB; a scenario file is never this large")
    return data


def read_file(path: Path, file: str) -> tuple[Any, Pos]:
    """Read a scenario file: a YAML mapping, within the size and value budgets.

    Args:
        path: Where the file is.
        file: How errors name it (usually the path as the user wrote it).

    Returns:
        The mapping and its :class:`Pos` tree.

    Raises:
        ScenarioError: When the file is missing, a folder, too large, binary, not UTF-8, empty,
            not valid YAML, or not a mapping at the top level.
    """
    text = _decode(read_bytes(path, file), file)
    value, pos = read_text(text, file, path.parent)
    if value is None:
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "",
                    "the file is empty; a scenario needs at least "
                    "'name', 'horizon', 'flows' and 'systems'",
                )
            ]
        )
    if not isinstance(value, dict):
        raise ScenarioError(
            [
                Problem.at(
                    pos.origin,
                    "",
                    f"the top level must be a mapping of keys such as "
                    f"'name: ...' and 'horizon: ...', not {show(value)}",
                )
            ]
        )
    return value, pos
