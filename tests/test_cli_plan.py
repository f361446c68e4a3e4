"""`ehrsim plan`: its folder (plan.json's fields and types, run.json, plan.png), the sentence,
and bad input (exit 2, nothing run or written). The world and its closed form are those of
tests/test_capacity.py: D(c) = 600 / (2c − 1) s for c connections."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner, Result

from sim.cli import app

DRAIN = str(Path(__file__).parent / "data" / "drain.yaml")
CONNECTIONS = ["--vary", "systems.server.connections=1..16"]

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def only_folder(tmp_path: Path) -> Path:
    (folder,) = (tmp_path / "results" / "drain").iterdir()
    return folder


class TestFolder:
    def test_an_integer_knob_gives_an_integer_answer_and_every_field(self, tmp_path: Path) -> None:
        result = invoke("plan", DRAIN, *CONNECTIONS, "--target", "recovery_time_s < 160s",
                        "--jobs", "1")  # fmt: skip
        assert result.exit_code == 0, result.output
        folder = only_folder(tmp_path)
        assert re.fullmatch(r"plan-\d{8}-\d{6}-s1", folder.name)
        assert sorted(p.name for p in folder.iterdir()) == [
            "plan.json", "plan.png", "run.json", "scenario.yaml",
        ]  # fmt: skip
        assert result.stdout.startswith(
            "drain: server needs 3 connections to recover within 2m 40s: 2m 02s [1m 47s, "
            "2m 16s]; 2 gives 3m 22s [3m 07s, 3m 36s]\n"
        )
        assert "the search assumes the target, once met, stays met" in result.stderr
        plan = json.loads((folder / "plan.json").read_text())
        assert plan["answer"] == 3 and type(plan["answer"]) is int
        assert plan["reason"] is None
        assert type(plan["runs"]) is int and plan["runs"] == 15 < plan["grid_runs"] == 48
        assert [p["value"] for p in plan["points"]] == [2, 3, 4, 8, 16]
        for point in plan["points"]:
            assert set(point) >= {"value", "replications", "mean", "ci95_low", "ci95_high",
                                  "verdict"}  # fmt: skip
            assert type(point["value"]) is int and type(point["replications"]) is int
            assert all(type(point[k]) is float for k in ("mean", "ci95_low", "ci95_high"))
            assert point["ci95_low"] <= point["mean"] <= point["ci95_high"]
        assert [p["verdict"] for p in plan["points"]] == ["not met", "met", "met", "met", "met"]
        assert plan["points"][0]["mean"] == pytest.approx(200, abs=10)  # D(2)
        assert plan["points"][1]["mean"] == pytest.approx(120, abs=10)  # D(3)
        assert "monotone" in plan["assumption"]
        run = json.loads((folder / "run.json").read_text())
        assert run["kind"] == "plan" and run["ran"] == 15 and run["reused"] == 0
        assert run["command"].startswith("ehrsim plan ")
        with Image.open(folder / "plan.png") as image:
            assert image.width > 600 and image.height > 400

    def test_a_knob_with_units_gives_its_answer_as_the_scenario_writes_it(
        self, tmp_path: Path
    ) -> None:
        # the stall's length: 1 message/s for T gives a peak backlog of about T/s messages,
        # so 300 or more first at 6 min (4 min: ~240)
        result = invoke("plan", DRAIN, "--vary", "faults.0.for=2min..20min", "--step", "2min",
                        "--target", "peak_backlog >= 300", "--no-cache")  # fmt: skip
        assert result.exit_code == 0, result.output
        plan = json.loads((only_folder(tmp_path) / "plan.json").read_text())
        assert plan["answer"] == "6min"
        assert all(type(p["value"]) is str for p in plan["points"])
        assert result.stdout.startswith(
            "drain needs faults.0.for=6min for peak backlog >= 300: 364 [335, 393]; 4min gives "
            "241 [208, 274]\n"
        )

    def test_nothing_meets_the_target_gives_null_with_a_reason(self, tmp_path: Path) -> None:
        result = invoke("plan", DRAIN, "--vary", "systems.server.connections=1..4",
                        "--target", "recovery_time_s < 30s", "--no-cache")  # fmt: skip
        assert result.exit_code == 0, result.output
        plan = json.loads((only_folder(tmp_path) / "plan.json").read_text())
        assert plan["answer"] is None
        assert plan["reason"].startswith("not met at systems.server.connections=4")
        assert plan["runs"] == 3
        assert "nothing in systems.server.connections=1..4 is enough" in result.stdout

    def test_the_same_plan_gives_the_same_plan_json(self, tmp_path: Path) -> None:
        args = ["plan", DRAIN, *CONNECTIONS, "--target", "recovery_time_s < 100s"]
        first = invoke(*args, "--out", "a", "--jobs", "2", "--no-cache")
        second = invoke(*args, "--out", "b", "--jobs", "1")
        assert first.exit_code == second.exit_code == 0, first.output + second.output
        assert (tmp_path / "a" / "plan.json").read_bytes() == (
            tmp_path / "b" / "plan.json"
        ).read_bytes()
        again = invoke(*args, "--out", "c", "--jobs", "1")  # all from the cache
        assert "(a full grid: 48; 15 reused from the cache)" in again.stderr
        assert (tmp_path / "c" / "plan.json").read_bytes() == (
            tmp_path / "b" / "plan.json"
        ).read_bytes()


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--vary", "systems.server.conections=1..4", "--target", "recovery_time_s < 1h"],
             "unknown key 'conections'; did you mean 'connections'?"),
            (["--vary", "systems.server.connections=1..", "--target", "recovery_time_s < 1h"],
             "the range '1..' is empty or open"),
            (["--vary", "systems.server.connections=4..1", "--target", "recovery_time_s < 1h"],
             "the range '4..1' is reversed (it would be empty); write 1..4"),
            (["--vary", "faults.0.for=1..3", "--target", "recovery_time_s < 1h"],
             "faults.0.for: 1 has no unit"),
            (["--vary", "systems.server.connections=1..3", "--target", "recovery_time_s < 5/s"],
             "recovery_time_s is a time; '5/s' is not a duration"),
            (["--vary", "systems.server.connections=1..3", "--target", "recovery_tme_s < 1h"],
             "--target: unknown metric 'recovery_tme_s'; did you mean 'recovery_time_s'?"),
            (["--vary", "systems.server.connections=1..3", "--target", "recovery_time_s ~ 1h"],
             "is not 'METRIC OP VALUE' with OP one of <, <=, >, >="),
            (["--vary", "systems.server.connections=1..3", "--target", "recovery_time_s < 1h",
              "--confidence", "1"], "--confidence 1.0 must be at least 0.5 and below 1"),
            (["--vary", "systems.server.connections=1..3", "--target", "recovery_time_s < 1h",
              "--replications-max", "2"],
             "--replications-max 2 is below the scenario's replications (3)"),
            (["--vary", "replications=1..3", "--target", "recovery_time_s < 1h"],
             "cannot vary replications"),
        ],
    )  # fmt: skip
    def test_exit_2_with_a_clear_message_and_nothing_run_or_written(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        result = invoke("plan", DRAIN, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr.replace("\n", " ")
        assert not (tmp_path / "results").exists()
