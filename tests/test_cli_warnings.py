"""The CLI shows scenario warnings on stderr (exit 0), and `ehrsim --version`."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "tiny.yaml"
"""Two hours from 08:00 with a 30-minute engine stall 'integration servers stall' at 08:30."""

LATE = """\
name: late
horizon: 1h
flows:
  orders: {from: ehr, to: lab, rate: 60/h}
systems:
  lab: {ack: exponential(100ms)}
faults:
  - {name: lab down, kind: system-outage, target: lab, at: +2h, for: 30min}
compare:
  wide: {systems: {lab: {connections: 2}}}
"""
"""A one-hour world whose only fault (line 8) starts after the horizon."""

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture
def late(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LATE written to a temporary folder, which is also the working directory."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "late.yaml"
    path.write_text(LATE, encoding="utf-8")
    return path


WARNING = (
    "faults.0: the system-outage 'lab down' at +2h starts at or after the horizon (1h), so it "
    "has no effect"
)


class TestWarningsAreShown:
    def test_validate_warns_and_exits_0(self, late: Path) -> None:
        """validate prints OK on stdout and the warning, at file:line, on stderr; exit 0."""
        result = invoke("validate", str(late))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"OK  {late}"
        assert f"warning: {late}:8: {WARNING}" in result.stderr

    def test_run_quiet_still_warns(self, late: Path) -> None:
        """run --quiet prints only the folder on stdout, but the warning on stderr; exit 0."""
        result = invoke("run", str(late), "--quiet", "--jobs", "1")
        assert result.exit_code == 0, result.output
        assert f"warning: {late}:8: {WARNING}" in result.stderr
        assert result.stdout.strip().startswith(str(Path("results") / "late"))

    def test_compare_quiet_warns_once(self, late: Path) -> None:
        """compare --quiet warns once for a fault every variant shares; exit 0."""
        result = invoke("compare", str(late), "--quiet", "--jobs", "1", "--metric", "peak_backlog")
        assert result.exit_code == 0, result.output
        assert result.stderr.count(WARNING) == 1
        assert f"warning: {late}:8: {WARNING}" in result.stderr

    def test_horizon_at_a_fault(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """--horizon that ends where the stall starts: the stall is named as having no effect."""
        monkeypatch.chdir(tmp_path)
        result = invoke("run", str(TINY), "--horizon", "30min", "--quiet", "--jobs", "1")
        assert result.exit_code == 0, result.output
        assert (
            f"warning: {TINY}:26: faults.0: the engine-stall 'integration servers stall' at "
            "+30min starts at or after the horizon (30min), so it has no effect"
        ) in result.stderr

    def test_horizon_cutting_a_fault(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """--horizon that ends during the stall: the warning says no queue can recover."""
        monkeypatch.chdir(tmp_path)
        result = invoke("run", str(TINY), "--horizon", "45min", "--quiet", "--jobs", "1")
        assert result.exit_code == 0, result.output
        assert (
            f"warning: {TINY}:26: faults.0: the engine-stall 'integration servers stall' at "
            "+30min lasts until +1h, past the horizon (45min): the run ends during the fault, "
            "so no queue can recover from it (recovery_time_s is null)"
        ) in result.stderr

    def test_a_clean_scenario_prints_no_warning(self) -> None:
        """A scenario without anything to warn about validates with an empty stderr."""
        result = invoke("validate", str(TINY))
        assert result.exit_code == 0 and result.stderr == ""


class TestVersion:
    def test_version_from_the_installed_metadata(self) -> None:
        """--version prints 'ehrsim X.Y.Z' from the package metadata and exits 0."""
        result = invoke("--version")
        assert result.exit_code == 0, result.output
        assert result.stdout == f"ehrsim {importlib.metadata.version('ehrsim')}\n"

    def test_version_through_python_m_sim(self) -> None:
        """`python -m sim --version` works the same, in a fresh process."""
        done = subprocess.run(
            [sys.executable, "-m", "sim", "--version"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"ehrsim {importlib.metadata.version('ehrsim')}"
