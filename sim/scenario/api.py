"""The scenario loader's entry points: load one scenario, its variants, or validate files.

Each loads with or without the scenario's warnings (:mod:`.notes`): things that are valid but
have no effect, located like problems at the file and line of the key they are about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.build import build, check, dotted
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.load import Document, load_document
from sim.scenario.notes import scenario_notes
from sim.scenario.schema import Scenario
from sim.scenario.shipped import resolve_ref

__all__ = [
    "BASELINE",
    "Validation",
    "load_base",
    "load_scenario",
    "load_variants",
    "load_variants_with_warnings",
    "load_with_warnings",
    "validate_files",
    "validate_paths",
    "variant_documents",
]

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


def located_warnings(document: Document, scenario: Scenario, variant: str = "") -> list[Problem]:
    """The scenario's warnings, each at the file and line of its key in the document.

    Args:
        document: The document the scenario was built from (for the lines).
        scenario: The validated scenario.
        variant: The name of the ``compare`` variant, said at the end of each message.
    """
    suffix = f" (variant '{variant}')" if variant else ""
    return [
        Problem.at(document.origin(note.path), dotted(note.path), note.message + suffix)
        for note in scenario_notes(scenario)
    ]


def load_with_warnings(ref: str | Path, sets: Sequence[str] = ()) -> tuple[Scenario, list[Problem]]:
    """:func:`load_scenario`, and the scenario's warnings at their ``file:line``."""
    document = load_base(ref, sets)
    scenario = build(document)
    return scenario, located_warnings(document, scenario)


def variant_documents(
    document: Document, extra: Mapping[str, Mapping[str, Any]]
) -> dict[str, Document]:
    """Each ``compare`` variant's document, then each of ``extra``'s (one with a name the
    file also uses replaces the file's): the base without ``compare``, the overlay laid on
    it. The baseline is ``document`` itself."""
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
    return _build_all(load_base(ref, sets), extra or {})[0]


def load_variants_with_warnings(
    ref: str | Path,
    sets: Sequence[str] = (),
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Scenario], list[Problem]]:
    """:func:`load_variants`, and the warnings of the baseline and of every variant.

    A variant's warning says the variant's name, unless the baseline has the same warning at
    the same place (then it is given once, for the baseline).
    """
    return _build_all(load_base(ref, sets), extra or {})


def _build_all(
    document: Document, extra: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Scenario], list[Problem]]:
    scenarios = {BASELINE: build(document)}
    warnings = located_warnings(document, scenarios[BASELINE])
    seen = {(w.file, w.line, w.path, w.message) for w in warnings}
    problems: list[Problem] = []
    for name, variant in variant_documents(document, extra).items():
        try:
            scenarios[name] = build(variant)
        except ScenarioError as exc:
            problems += [p for p in exc.problems if p not in problems]
            continue
        for plain, own in zip(
            located_warnings(variant, scenarios[name]),
            located_warnings(variant, scenarios[name], name),
            strict=True,
        ):
            key = (plain.file, plain.line, plain.path, plain.message)
            if key not in seen:
                seen.add(key)
                warnings.append(own)
    if problems:
        raise ScenarioError(problems)
    return scenarios, warnings


@dataclass(frozen=True)
class Validation:
    """What ``ehrsim validate`` says about one file: its error (``None`` if valid), warnings."""

    error: ScenarioError | None
    warnings: tuple[Problem, ...] = ()


def validate_paths(paths: Sequence[str | Path]) -> list[ScenarioError | None]:
    """Validate files for ``ehrsim validate``: ``None`` for a valid file, else its error.

    A complete scenario is checked with all its ``compare`` variants; a ``partial`` one for its
    keys and values, not for completeness.
    """
    return [result.error for result in validate_files(paths)]


def validate_files(paths: Sequence[str | Path]) -> list[Validation]:
    """Validate files like :func:`validate_paths`, with each valid file's warnings.

    A partial file that lacks required keys has no warnings (there is no scenario to judge).
    """
    results: list[Validation] = []
    for path in paths:
        try:
            document = load_document(resolve_ref(path))
            if document.partial:
                scenario, problems = check(document)
                if problems:
                    raise ScenarioError(problems)
                warnings = located_warnings(document, scenario) if scenario is not None else []
            else:
                warnings = _build_all(document, {})[1]
        except ScenarioError as exc:
            results.append(Validation(exc))
        else:
            results.append(Validation(None, tuple(warnings)))
    return results
