"""Every key of the scenario format that the effect table must cover, read off its JSON Schema.

Paths are written as the table writes them: ``strategy.retry.jitter``, ``systems.*.ack`` (a
mapping keyed by ids), ``faults[].severity`` (a list of mappings). A path is a leaf when one of
its forms is a value (a string, number, mapping without named keys, ...); a form that is a
mapping of named keys, or a list of them, is walked into as well (``flows.*.trace`` is a CSV
path or inline rows: both ``flows.*.trace`` and ``flows.*.trace[].time`` are keys).
"""

from __future__ import annotations

from typing import Any

from sim.scenario import FAULT_KINDS, json_schema
from sim.scenario.params import DISCIPLINES

FAULT_COMMON = ("kind", "name", "at")
"""Keys every fault has; one row each covers them (a fault's other keys need a row per kind)."""


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return _resolve(node, root)


def _forms(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a value (anyOf branches, flattened; null left out)."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        out: list[dict[str, Any]] = []
        for branch in schema["anyOf"]:
            out += _forms(branch, root)
        return out
    return [] if schema.get("type") == "null" else [schema]


def _options(form: dict[str, Any]) -> list[str]:
    if "enum" in form:
        return [str(v) for v in form["enum"]]
    if "const" in form:
        return [str(form["const"])]
    return []


def _walk(
    schema: dict[str, Any],
    root: dict[str, Any],
    path: str,
    leaves: dict[str, list[str]],
) -> None:
    for form in _forms(schema, root):
        props = form.get("properties")
        extra = form.get("additionalProperties")
        for pattern in (form.get("patternProperties") or {}).values():
            extra = pattern  # a mapping keyed by ids
        items = form.get("items")
        if props:
            for key, sub in props.items():
                _walk(sub, root, f"{path}.{key}" if path else key, leaves)
        elif isinstance(extra, dict) and any(f.get("properties") for f in _forms(extra, root)):
            _walk(extra, root, f"{path}.*", leaves)
        elif form.get("type") == "array" and isinstance(items, dict) and _has_props(items, root):
            _walk(items, root, f"{path}[]", leaves)
        else:
            leaves.setdefault(path, [])
            leaves[path] += [o for o in _options(form) if o not in leaves[path]]


def _has_props(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return any(f.get("properties") for f in _forms(schema, root))


def schema_leaves() -> dict[str, list[str]]:
    """Every leaf path of the scenario's JSON Schema, with its enum options (if any)."""
    root = json_schema()
    leaves: dict[str, list[str]] = {}
    _walk(root, root, "", leaves)
    return leaves


def discipline_keys(prefix: str = "strategy.discipline") -> set[str]:
    """The discipline parameters (``strategy.discipline.codel.target``...), from their registry."""
    return {f"{prefix}.{name}.{param}" for name, params in DISCIPLINES.items() for param in params}


def expected_keys() -> set[str]:
    """Every key the table must cover: the schema's leaves and the discipline parameters."""
    return set(schema_leaves()) | discipline_keys()


def expected_options() -> set[tuple[str, str]]:
    """Every (key, option) pair the table must cover: each enum value of each key.

    Under ``systems.*.strategy`` the options are those of ``strategy`` (the same model, merged
    over it), so the top-level rows cover them.
    """
    return {
        (key, option)
        for key, options in schema_leaves().items()
        if not key.startswith("systems.*.strategy.")
        for option in options
    }


def expected_fault_keys() -> set[tuple[str, str]]:
    """Every (key, kind) pair: each key a fault kind takes besides kind, name and at.

    ``severity``, ``target`` and ``for`` mean something different per kind, so each needs its row.
    """
    out: set[tuple[str, str]] = set()
    for name, kind in FAULT_KINDS.items():
        keys = set(kind.options)
        if kind.has_for:
            keys.add("for")
        if kind.target != "none":
            keys.add("target")
        if kind.severity != "none":
            keys.add("severity")
        out |= {(f"faults[].{key}", name) for key in keys}
    return out
