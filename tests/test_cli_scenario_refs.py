"""The CLI on references inside a scenario: metric paths of hypotheses and --metric, extends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario import shipped_dir

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

SMALL = """\
name: small
horizon: 1h
flows:
  orders: {from: ehr, to: lab, rate: 60/h}
systems:
  lab: {ack: exponential(100ms)}
hypotheses:
  - {metric: messages.lost, equals: 0}
  - {metric: queues.labs.peak_backlog, below: 100}
compare:
  wide: {systems: {lab: {connections: 2}}}
"""
"""A one-hour world whose second hypothesis (line 9) names a destination that does not exist."""

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory outside the repository."""
    assert not tmp_path.is_relative_to(ROOT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class TestMetricPaths:
    def test_validate_refuses_a_misspelt_destination(self, elsewhere: Path) -> None:
        """validate exits 2 naming the hypothesis's metric key, with the likely destination."""
        path = elsewhere / "small.yaml"
        path.write_text(SMALL, encoding="utf-8")
        result = invoke("validate", str(path))
        assert result.exit_code == 2, result.output
        assert (
            f"{path}:9: hypotheses.1.metric: unknown metric 'queues.labs.peak_backlog': 'labs' is "
            "not a destination system of its flows (there: lab); did you "
            "mean 'queues.lab.peak_backlog'?"
        ) in result.stderr

    def test_compare_metric_is_checked_the_same_way(self, elsewhere: Path) -> None:
        """compare --metric with a misspelt figure exits 2 before running, with the right name."""
        path = elsewhere / "small.yaml"
        path.write_text(SMALL.replace("labs", "lab"), encoding="utf-8")
        result = invoke("compare", str(path), "--quiet", "--metric", "queues.lab.peak_backlogg")
        assert result.exit_code == 2, result.output
        assert (
            "error: --metric: unknown metric 'queues.lab.peak_backlogg': "
            "queues.lab has no 'peak_backlogg'"
        ) in result.stderr
        assert "did you mean 'queues.lab.peak_backlog'?" in result.stderr
        assert not (elsewhere / "results").exists()


def readme_example() -> str:
    """The scenario the README shows under 'Scenarios in brief'."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(name: my-what-if\n.*?)```", text, re.DOTALL)
    assert match, "the README's extends example is gone"
    return match.group(1)


class TestExtendsShipped:
    def test_the_readme_example_works_from_any_directory(self, elsewhere: Path) -> None:
        """The README's example, saved outside the repository, extends the shipped topology."""
        path = elsewhere / "my-what-if.yaml"
        path.write_text(readme_example(), encoding="utf-8")
        result = invoke("validate", str(path))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"OK  {path}"

    @pytest.mark.parametrize("ref", ["topologies/capital-region", "topologies/capital-region.yaml"])
    def test_the_name_ehrsim_list_prints(self, elsewhere: Path, ref: str) -> None:
        """extends takes the shipped name with or without .yaml."""
        path = elsewhere / "mine.yaml"
        path.write_text(f"extends: {ref}\nname: mine\nhorizon: 2h\n", encoding="utf-8")
        result = invoke("validate", "mine.yaml")
        assert result.exit_code == 0, result.output

    def test_not_found_names_both_places(self, elsewhere: Path) -> None:
        """An extends found nowhere says where it was looked for: beside the file and shipped."""
        (elsewhere / "mine.yaml").write_text(
            "extends: topologies/capital-regon.yaml\nname: mine\nhorizon: 2h\n", encoding="utf-8"
        )
        result = invoke("validate", "mine.yaml")
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "mine.yaml:1: extends: 'topologies/capital-regon.yaml' does not exist (looked for "
            f"topologies/capital-regon.yaml beside the file and among the shipped scenarios in "
            f"{shipped_dir()}); did you mean 'topologies/capital-region.yaml'?"
        )
