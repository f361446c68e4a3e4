"""Scenario files: reading, merging, validating and writing them.

A scenario is YAML (see ``docs/scenario-format.md``, the contract). This package turns one into
an immutable, typed :class:`Scenario` with every unit resolved, or raises :class:`ScenarioError`
listing every problem at its ``file:line``::

    from sim.scenario import load_scenario
    scenario = load_scenario("december-2017", sets=["strategy.queues=shared"])

The stages are separate and usable on their own: :func:`load_document` (read and merge
``extends``), :meth:`Document.overlay` and :meth:`Document.set` (variants and ``--set``),
:func:`build` (validate), :func:`dump_yaml` (write back).
"""

from __future__ import annotations

from sim.scenario.api import (
    BASELINE,
    Validation,
    load_scenario,
    load_variants,
    load_variants_with_warnings,
    load_with_warnings,
    validate_files,
    validate_paths,
)
from sim.scenario.build import build, check
from sim.scenario.csvdata import CLASSES, PriorityClass, TraceRow
from sim.scenario.dump import dump_yaml, json_schema
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.faultkinds import FAULT_KINDS, FaultKind
from sim.scenario.load import MAX_EXTENDS, Document, load_document
from sim.scenario.notes import Note, scenario_notes, scenario_warnings
from sim.scenario.profiles import PROFILES
from sim.scenario.schema import Scenario
from sim.scenario.shipped import list_shipped, resolve_ref, shipped_dir
from sim.scenario.units import parse_distribution

__all__ = [
    "BASELINE",
    "CLASSES",
    "FAULT_KINDS",
    "MAX_EXTENDS",
    "PROFILES",
    "Document",
    "FaultKind",
    "Note",
    "PriorityClass",
    "Problem",
    "Scenario",
    "ScenarioError",
    "TraceRow",
    "Validation",
    "build",
    "check",
    "dump_yaml",
    "json_schema",
    "list_shipped",
    "load_document",
    "load_scenario",
    "load_variants",
    "load_variants_with_warnings",
    "load_with_warnings",
    "parse_distribution",
    "resolve_ref",
    "scenario_notes",
    "scenario_warnings",
    "shipped_dir",
    "validate_files",
    "validate_paths",
]
