"""Smoke test of the sweep benchmark (`python -m benchmarks.sweep --quick`): it runs end to
end on 4 points and prints its table. No timing is asserted: the machine is shared."""

from __future__ import annotations

import re

import pytest

from benchmarks.sweep import measure

pytestmark = pytest.mark.cluster  # it starts a Dask LocalCluster


def test_quick_run_prints_each_executor_and_both_goals() -> None:
    text = measure(1, quick=True)
    assert text.startswith("4-point sweep of theory/stall")
    assert re.search(r"\| --jobs 1 \| \d+\.\d\d \| \|", text)
    assert re.search(r"\| --jobs 2 \| \d+\.\d\d \| speed-up \d+\.\d\dx \(goal 1\.8x\) \|", text)
    assert re.search(r"\| --dask local --jobs 2 \| \d+\.\d\d \| [+-]\d+\.\d% against", text)
    assert "LocalCluster start-up:" in text
