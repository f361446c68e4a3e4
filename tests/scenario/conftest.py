"""Fixtures for the scenario tests: files in a temporary folder, and the smallest valid scenario."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sim.scenario import ScenarioError

TINY = """\
name: tiny
horizon: 2h
flows:
  orders: {from: ehr, to: lab, rate: 100/h, reply: {flow: results, after: exponential(30min)}}
  results: {from: lab, to: ehr}
systems:
  lab: {ack: exponential(100ms)}
  ehr: {ack: constant(50ms)}
"""
"""The smallest valid scenario (lines 1-8)."""

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=_HEALTH)
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=_HEALTH)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
"""The hypothesis profile the hostile-input properties run under ("ci" unless set)."""

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """A function that writes a (dedented) file under a temporary folder and returns its path."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_file


def messages(error: ScenarioError) -> list[str]:
    """Every problem of an error as one line, as the CLI prints them."""
    return [str(problem) for problem in error.problems]
