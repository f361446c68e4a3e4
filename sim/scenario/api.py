"""The scenario loader's entry points: load one scenario, its variants, or validate files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.scenario.build import build, check
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.load import Document, load_document
from sim.scenario.schema import Scenario
from sim.scenario.shipped import resolve_ref

__all__ = ["BASELINE", "load_base", "load_scenario", "load_variants", "validate_paths"]

BASELINE = "baseline"
"""The name :func:`load_variants` gives the scenario itself."""


def load_base(ref: str | Path, sets: Sequence[str] = ()) -> Document:
    """The merged document a reference names, with ``--set`` assignments applied in order."""
    document = load_document(resolve_ref(ref))
    for assignment in sets:
        document = document.set(assignment)
    return document


def load_scenario(ref: str | Path, sets: Sequence[str] = ()) -> Scenario:
    """Load, merge and validate a scenario.

    Args:
        ref: A path, or the name of a shipped scenario (``december-2017``, ``theory/mm3``).
        sets: ``KEY=VALUE`` overrides, as ``--set`` gives them, applied in order.

    Raises:
        ScenarioError: With every problem found.
    """
    return build(load_base(ref, sets))


def _variant_documents(
    document: Document, extra: Mapping[str, Mapping[str, Any]]
) -> dict[str, Document]:
    """Each variant's document: the base (without ``compare``) with the overlay laid on it."""
    variants: dict[str, Document] = {}
    compare = document.data.get("compare")
    if isinstance(compare, dict):
        for name, overlay in compare.items():
            if isinstance(overlay, dict):
                variants[str(name)] = document.overlay_at(("compare", name))
    base = document.without("compare")
    for name, overlay in extra.items():
        variants[name] = base.overlay(overlay, f"compare variant '{name}'")
    return variants


def load_variants(
    ref: str | Path,
    sets: Sequence[str] = (),
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Scenario]:
    """The scenario and each of its ``compare`` variants, validated.

    Args:
        ref: A path or the name of a shipped scenario.
        sets: ``--set`` assignments, applied to the base before any variant is laid on it.
        extra: More variants (name -> overlay), after the file's own; one with a name the file
            also uses replaces the file's.

    Returns:
        ``{"baseline": scenario, variant: scenario, ...}`` in that order. Variants have no
        ``compare`` of their own.

    Raises:
        ScenarioError: With every problem of the base, or of the variants if the base is valid.
    """
    return _build_all(load_base(ref, sets), extra or {})


def _build_all(document: Document, extra: Mapping[str, Mapping[str, Any]]) -> dict[str, Scenario]:
    scenarios = {BASELINE: build(document)}
    problems: list[Problem] = []
    for name, variant in _variant_documents(document, extra).items():
        try:
            scenarios[name] = build(variant)
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ScenarioError(problems)
    return scenarios


def validate_paths(paths: Sequence[str | Path]) -> list[ScenarioError | None]:
    """Validate files for ``ehrsim validate``: ``None`` for a valid file, else its error.

    A complete scenario is checked with all its ``compare`` variants; a ``partial`` one for its
    keys and values, not for completeness.
    """
    results: list[ScenarioError | None] = []
    for path in paths:
        try:
            document = load_document(resolve_ref(path))
            if document.partial:
                _scenario, problems = check(document)
                if problems:
                    raise ScenarioError(problems)
            else:
                _build_all(document, {})
        except ScenarioError as exc:
            results.append(exc)
        else:
            results.append(None)
    return results
