"""Validating a document into a :class:`~sim.scenario.schema.Scenario`, with our messages.

The models check each value; :mod:`.checks` checks references across the file. Both report at
key paths, which are turned here into problems at ``file:line`` through the document's origins.
Pydantic's own error texts never reach the user: each error type is translated into a sentence
that says what is wrong and how to write it, with "did you mean" for misspelt keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.scenario.checks import find_problems
from sim.scenario.errors import Problem, ScenarioError, did_you_mean, show
from sim.scenario.faultkinds import FAULT_KINDS
from sim.scenario.kinds import DEFAULT_START
from sim.scenario.load import Document
from sim.scenario.pos import Key
from sim.scenario.schema import Scenario
from sim.scenario.units import UnitError, parse_datetime

__all__ = ["build", "check", "dotted"]

_INTERNAL = re.compile(r"[a-z][a-z0-9_-]*\[.*\]")

_REQUIRED: dict[tuple[str, ...], str] = {
    ("name",): "the scenario's id, used for its results folder, e.g. name: december-2017",
    ("from",): "the sender: ehr or a system id",
    ("to",): "the receiver: ehr or a system id",
    ("ack",): "the time from filing to ACK, e.g. ack: lognormal(150ms, 80ms)",
    ("reply", "flow"): "the flow the results travel on",
    ("reply", "after"): "the time from the order's delivery to its first result, "
    "e.g. after: lognormal(3h, 1h)",
    ("kind",): f"one of {', '.join(FAULT_KINDS)}",
    ("at",): "when it starts, e.g. at: '09:00' or at: +9h",
    ("metric",): "a path in summary.json, e.g. metric: late.stat",
    ("breaker", "after"): "consecutive failures before it opens, e.g. after: 5",
    ("open",): "how long it stays open, e.g. open: 1min",
    ("drain", "rate"): "the most sends per channel, e.g. rate: 30/s",
    ("expire", "after"): "how long a message may wait, e.g. after: 4h",
}


def dotted(path: Iterable[Key]) -> str:
    """A key path as messages write it: ``flows.lab-orders.rate``, ``faults.0.for``."""
    return ".".join(str(part) for part in path)


def _clean_loc(loc: tuple[Any, ...], data: Any) -> tuple[Key, ...]:
    """The YAML key path of a pydantic location, without pydantic's internal steps."""
    path: list[Key] = []
    node = data
    for step in loc:
        if step == "[key]":
            continue
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_list or (isinstance(node, dict) and step in node):
            node = node[step]
        elif isinstance(step, str) and _INTERNAL.fullmatch(step):
            continue
        else:
            node = None
        path.append(step)
    return tuple(path)


def _unwrap(annotation: Any) -> Any:
    """The model (or container) type inside ``X | None`` and ``Annotated[X, ...]``."""
    while True:
        args = get_args(annotation)
        if get_origin(annotation) is not None and args and hasattr(annotation, "__metadata__"):
            annotation = args[0]
            continue
        members = [arg for arg in args if arg is not type(None)]
        if len(args) == 2 and len(members) == 1 and get_origin(annotation) is not dict:
            annotation = members[0]
            continue
        return annotation


def _keys_at(path: tuple[Key, ...]) -> list[str]:
    """The keys the model at ``path`` accepts (for "did you mean")."""
    current: Any = Scenario
    for step in path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {info.alias or name: info for name, info in current.model_fields.items()}
            if not isinstance(step, str) or step not in fields:
                return []
            current = _unwrap(fields[step].annotation)
        elif get_origin(current) is dict:
            current = _unwrap(get_args(current)[1])
        elif get_origin(current) is tuple:
            current = _unwrap(get_args(current)[0])
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _required(path: tuple[Key, ...]) -> str:
    key = str(path[-1])
    hint = _REQUIRED.get(tuple(str(p) for p in path[-2:])) or _REQUIRED.get((key,))
    return f"'{key}' is required: {hint}" if hint else f"'{key}' is required"


def _message(error: ErrorDetails, path: tuple[Key, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        known = _keys_at(path[:-1])
        hint = did_you_mean(key, known)
        if not hint and known:
            hint = f"; the keys here are: {', '.join(known)}"
        return f"unknown key '{key}'{hint}"
    if kind in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        return f"expected a mapping (key: value lines), found {show(value)}"
    if kind in ("tuple_type", "list_type", "sequence_type", "iterable_type"):
        return f"expected a list (lines starting with '- '), found {show(value)}"
    if kind == "string_type":
        return f"expected text, found {show(value)}"
    text = error.get("msg", "is not valid")
    return text[:1].lower() + text[1:]


def _start(data: dict[str, Any]) -> Any:
    try:
        return parse_datetime(data["start"]) if "start" in data else DEFAULT_START
    except UnitError:
        return DEFAULT_START


def check(document: Document) -> tuple[Scenario | None, list[Problem]]:
    """Validate a document; return the scenario (if it could be built) and every problem.

    For a ``partial`` document, missing keys are not problems; the scenario is then ``None``
    when something required is absent.
    """
    data = document.data
    partial = document.partial
    found: list[tuple[tuple[Key, ...], str, str | None, int | None]] = []
    scenario: Scenario | None = None
    incomplete = False
    try:
        scenario = Scenario.model_validate(
            data, context={"start": _start(data)}, by_alias=True, by_name=False
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = _clean_loc(tuple(error["loc"]), data)
            context = error.get("ctx") or {}
            if error["type"] == "missing":
                incomplete = True
                if not partial:
                    found.append((path[:-1], _required(path), None, None))
            elif error["type"] == "ehrsim":
                path = (*path, *context.get("key", ()))
                found.append(
                    (path, str(context["message"]), context.get("file"), context.get("line"))
                )
            else:
                found.append((path, _message(error, path), None, None))
    for finding in find_problems(data, partial):
        if finding.missing and partial:
            incomplete = True
            continue
        found.append((finding.path, finding.message, None, None))
    problems: list[Problem] = []
    for path, message, file, line in found:
        if file is None:
            origin = document.origin(path)
            file, line = origin.file, origin.line
        problem = Problem(file, line, dotted(path), message)
        if problem not in problems:
            problems.append(problem)
    problems.sort(key=lambda p: (p.file != document.file, p.file, p.line or 0))
    if problems:
        return None, problems
    return (None if incomplete else scenario), []


def build(document: Document) -> Scenario:
    """The validated scenario of a document.

    Raises:
        ScenarioError: With every problem found, each at its file and line; or, for a partial
            file that lacks required keys, one problem saying it cannot be used on its own.
    """
    scenario, problems = check(document)
    if problems:
        raise ScenarioError(problems)
    if scenario is None:
        origin = document.pos.origin
        raise ScenarioError(
            [
                Problem.at(
                    origin,
                    "",
                    "this file is partial (a part meant for 'extends') and lacks required keys, "
                    "so it cannot be used on its own; extend it from a complete scenario",
                )
            ]
        )
    return scenario
