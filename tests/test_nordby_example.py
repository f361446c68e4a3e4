"""The shipped Nordby example: its committed files are what the documented commands write from
the committed export and log (so they cannot drift), and its stall scenario builds a backlog
that drains."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario, validate_paths

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = Path("scenarios/examples/nordby")
"""The example's folder, relative to the repository: the commands are run from there."""

IMPORT = ("import", "mirth", f"{EXAMPLE}/mirth-export.xml", "--out", f"{EXAMPLE}/topology.yaml")
CALIBRATE = (
    "calibrate",
    f"{EXAMPLE}/nordby.hl7",
    "--extends",
    f"{EXAMPLE}/topology.yaml",
    "--map",
    "RIS=radiology-orders",
    "--map",
    "PACS=pacs-broker",
    "--map",
    "BLOODBANK=blood-bank",
    "--map",
    "MEDCOM=medcom-vans-gateway",
    "--out",
    f"{EXAMPLE}/nordby.yaml",
)
STALL_AT_S, STALL_END_S = 9 * 3600, 14 * 3600

runner = CliRunner()


def invoke(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


def copied(tmp_path: Path, *names: str) -> Path:
    """A copy of the example's files ``names`` at the same relative path under ``tmp_path``."""
    folder = tmp_path / EXAMPLE
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(REPO / EXAMPLE / name, folder / name)
    return folder


def calibration_outputs(folder: Path) -> dict[str, bytes]:
    """What calibrate writes beside nordby.yaml (its figures aside: they are not committed)."""
    return {
        path.name: path.read_bytes()
        for path in sorted(folder.glob("nordby.*"))
        if path.is_file() and path.name != "nordby.hl7"
    }


class TestCommittedFilesAreTheCommandsOutput:
    def test_topology_is_what_the_import_writes(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """topology.yaml is `ehrsim import mirth` of the committed export, byte for byte."""
        folder = copied(tmp_path, "mirth-export.xml")
        monkeypatch.chdir(tmp_path)
        invoke(*IMPORT)
        assert (folder / "topology.yaml").read_bytes() == (
            REPO / EXAMPLE / "topology.yaml"
        ).read_bytes()

    def test_calibrated_scenario_is_what_calibrate_writes(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """nordby.yaml, its calibration.json and its empirical CSVs are `ehrsim calibrate` of
        the committed log onto the committed topology, byte for byte, and nothing else."""
        folder = copied(tmp_path, "nordby.hl7", "topology.yaml")
        monkeypatch.chdir(tmp_path)
        invoke(*CALIBRATE)
        written = calibration_outputs(folder)
        committed = calibration_outputs(REPO / EXAMPLE)
        assert sorted(written) == sorted(committed)
        for name, content in written.items():
            assert content == committed[name], f"{name} differs from what calibrate writes now"

    def test_readme_and_makefile_give_these_commands(self) -> None:
        """The README and `make nordby` run the commands the tests above check."""
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        makefile = (REPO / "Makefile").read_text(encoding="utf-8")
        for command in (IMPORT, CALIBRATE):
            line = " ".join(command)
            assert f"$ ehrsim {line}" in readme
            assert f"$(BIN)/ehrsim {line}" in makefile
        assert "$ ehrsim run nordby-stall" in readme
        assert "$(BIN)/ehrsim run nordby-stall" in makefile


class TestTheLog:
    def test_the_log_is_small_and_named_as_an_engine_names_it(self) -> None:
        """The committed log stays small, and its applications (MSH-3, MSH-5) are Nordby's."""
        log = REPO / EXAMPLE / "nordby.hl7"
        assert log.stat().st_size <= 3_000_000
        applications = {
            field
            for line in log.read_text(encoding="ascii").splitlines()
            if line.startswith("MSH|")
            for field in line.split("|")[2:5:2]
        }
        assert applications == {"NORDBY-EPJ", "LABKA", "RIS", "PACS", "BLOODBANK", "MEDCOM"}

    @pytest.mark.slow  # ~10 s; the committed log is data: the files made from it are checked above
    def test_make_log_writes_the_committed_log(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """make_log.py regenerates nordby.hl7 from truth.yaml byte for byte (~10 s)."""
        spec = importlib.util.spec_from_file_location("make_log", REPO / EXAMPLE / "make_log.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setattr(module, "LOG", tmp_path / "nordby.hl7")
        module.main()
        assert (tmp_path / "nordby.hl7").read_bytes() == (
            REPO / EXAMPLE / "nordby.hl7"
        ).read_bytes()


class TestCalibrationFindsTheTruth:
    def test_truths_numbers_lie_in_the_calibrations_intervals(self) -> None:
        """Every rate, result count, result delay and ACK mean of truth.yaml, the made-up world
        the log was drawn from, lies in the 95 % interval nordby.calibration.json gives it."""
        truth = load_scenario(REPO / EXAMPLE / "truth.yaml")
        fits = json.loads((REPO / EXAMPLE / "nordby.calibration.json").read_text())

        def calibrated_id(truth_id: str) -> str:
            return str(fits["ids"]["NORDBY-EPJ" if truth_id == "ehr" else truth_id.upper()])

        def inside(value: float, interval: list[float], what: str) -> None:
            assert interval[0] <= value <= interval[1], f"{what}: {value} not in {interval}"

        flows = {(f["from"], f["to"], f["message"]): f for f in fits["flows"].values()}
        checked = 0
        for flow_id, flow in truth.flows.items():
            if flow.rate is None:
                continue
            fit = flows[(calibrated_id(flow.source), calibrated_id(flow.to), flow.message)]
            inside(flow.rate * 86400, fit["rate_per_day"]["ci95"], f"{flow_id} rate")
            checked += 1
            if flow.reply is None:
                continue
            inside(flow.reply.count, fit["reply"]["count"]["ci95"], f"{flow_id} reply.count")
            for priority, after in flow.reply.after.items():
                interval = fit["reply"]["after"][priority]["mean_ci95_s"]
                inside(after.mean_s, interval, f"{flow_id} reply.after.{priority}")
                checked += 1
        for system_id, system in truth.systems.items():
            interval = fits["systems"][calibrated_id(system_id)]["ack"]["mean_ci95_s"]
            inside(system.ack.mean_s, interval, f"{system_id} ack")
            checked += 1
        assert checked == 5 + 9 + 6  # rates, result delays per class, ACK means


class TestTheStall:
    def test_the_stall_scenario_validates(self) -> None:
        [error] = validate_paths(["nordby-stall"])
        assert error is None, str(error)

    def test_the_stall_builds_a_backlog_that_drains(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One replication to 16:00: every channel's backlog grows through the stall, peaks
        just before 14:00 and is back to normal a minute after; nothing is lost."""
        monkeypatch.chdir(tmp_path)
        invoke("run", "nordby-stall", "--replications", "1", "--set", "horizon=16h",
               "--out", "run", "--quiet")  # fmt: skip
        summary = json.loads(Path("run/summary.json").read_text())
        assert summary["complete"] is True
        assert summary["peak_backlog"] > 300
        for system in ("labka", "ehr", "radiology-orders", "pacs-broker", "medcom-vans-gateway"):
            queue = summary["queues"][system]
            assert queue["peak_backlog"] > 15, system
            assert STALL_END_S - 3600 < queue["peak_at_s"] <= STALL_END_S, system
            assert queue["recovery_time_s"] == 60.0, system
        assert summary["queues"]["labka"]["peak_backlog"] > 100
        assert summary["recovery_time_s"] == 60.0
        messages = summary["messages"]
        assert messages["lost"] == messages["dead_lettered"] == messages["queued_at_end"] == 0
        assert messages["on_paper"] > 0
        assert all(h["passed"] for h in summary["hypotheses"])
        with Path("run/timeseries.csv").open(newline="") as handle:
            labka = {
                int(float(row["time_s"])): int(row["queue.labka"]) for row in csv.DictReader(handle)
            }
        assert labka[STALL_AT_S - 60] <= 2
        assert labka[STALL_END_S - 60] > 100
        assert labka[STALL_END_S + 120] <= 2
