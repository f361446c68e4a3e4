"""The README's what-if commands: valid on the scenario they name, and they move its figures.

Not in the `mutation` subset: each runs the whole December replay, and the channel behaviour
it shows is covered by tests/model/test_channel_strategy.py on small worlds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]


class TestReadmeWhatIf:
    def test_the_readme_what_if_runs_and_changes_the_figures(self) -> None:
        """The README's connections what-if is valid on the December replay and moves its
        figures (its old form, more connections under strict order, is refused)."""
        text = " ".join((ROOT / "README.md").read_text().split())
        found = re.search(r"`ehrsim run SCENARIO ((?:--set \S+ )+)--replications 20`", text)
        assert found is not None
        sets = found.group(1).replace("--set ", "").split()
        assert sets == ["systems.ehr.strategy.order=per-patient", "systems.ehr.connections=4"]
        with pytest.raises(ScenarioError, match="use `order: per-patient` to use more"):
            load_scenario("december-2017", sets=["systems.ehr.connections=4"])
        base = run(load_scenario("december-2017"), replications=1).summary
        what_if = run(load_scenario("december-2017", sets=sets), replications=1).summary
        assert (
            what_if["queues"]["ehr"]["backlog_hours"] < 0.7 * base["queues"]["ehr"]["backlog_hours"]
        )
        assert what_if["recovery_time_s"] < base["recovery_time_s"]
