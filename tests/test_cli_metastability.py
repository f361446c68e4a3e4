"""`ehrsim metastability`: its folder and files, its points against `ehrsim run --set`,
variants, identical bytes whatever ran it, a map resumed from the cache, bad input, guards."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.report.csvs import cell

WORLD = str(Path(__file__).parent / "data" / "metastable.yaml")
MAP = ["--magnitude", "0.1..0.5", "--duration", "3s..30s", "--steps", "2"]
"""Four points of the small metastable world: pauses of 3 s, 6 s, 3 s and 30 s; only the last
holds enough messages to tip it (see tests/test_metastability_world.py)."""
COLUMNS = [
    "variant", "magnitude", "duration_s", "class", "recovery_time_s", "recovered_share",
    "goodput_share",
]  # fmt: skip

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the CLI in this process; its files land in the current directory."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of MAP with two replications per point, run once for the module."""
    folder = tmp_path_factory.mktemp("two") / "m"
    result = invoke("metastability", WORLD, *MAP, "--replications", "2", "--no-cache",
                    "--out", str(folder))  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


class TestFolder:
    def test_a_map_writes_its_folder_under_results_with_the_metastability_prefix(
        self, tmp_path: Path
    ) -> None:
        result = invoke("metastability", WORLD, *MAP, "--replications", "1", "--jobs", "1")
        assert result.exit_code == 0, result.output
        (folder,) = (tmp_path / "results" / "metastable").iterdir()
        assert re.fullmatch(r"metastability-\d{8}-\d{6}-s3", folder.name)
        assert sorted(p.name for p in folder.iterdir()) == [
            "metastability.csv", "metastability.json", "metastability.png", "run.json",
            "scenario.yaml",
        ]  # fmt: skip
        assert f"results: results/metastable/{folder.name}" in result.stdout
        assert "reused 0 of 4 replications from the cache (results/.cache); ran 4" in result.stderr
        assert re.search(r"│ baseline │\s+3 │\s+0 │\s+1 │", result.stdout), result.stdout

    def test_the_csv_has_exactly_its_columns_and_a_row_per_point_in_order(self, two: Path) -> None:
        rows = read_csv(two / "metastability.csv")
        assert list(rows[0]) == COLUMNS
        assert [(r["variant"], r["magnitude"], r["duration_s"], r["class"]) for r in rows] == [
            ("baseline", "0.1", "3", "recovers"),
            ("baseline", "0.1", "30", "recovers"),
            ("baseline", "0.5", "3", "recovers"),
            ("baseline", "0.5", "30", "stays-degraded"),
        ]
        assert (rows[3]["recovery_time_s"], rows[3]["recovered_share"]) == ("", "0")
        assert float(rows[3]["goodput_share"]) < 0.2
        assert rows[0]["recovered_share"] == "1" and rows[0]["goodput_share"] == "1"

    def test_run_json_says_what_varies_and_the_json_holds_the_rows(self, two: Path) -> None:
        record = json.loads((two / "run.json").read_text())
        assert record["kind"] == "metastability"
        assert record["command"].startswith("ehrsim metastability ")
        assert (record["fault"], record["variants"], record["points"]) == (0, ["baseline"], 4)
        assert (record["replications"], record["reused"], record["ran"]) == (2, 0, 8)
        assert record["complete"] is True and record["cache"] is None
        data = json.loads((two / "metastability.json").read_text())
        assert data["columns"] == COLUMNS
        assert data["fault"] == {"index": 0, "kind": "engine-stall", "name": "engine stall"}
        assert data["magnitude"] == {
            "key": "faults.0.severity", "range": "0.1..0.5", "values": [0.1, 0.5],
        }  # fmt: skip
        assert data["duration"] == {"key": "faults.0.for", "range": "3s..30s", "values_s": [3, 30]}
        assert data["classes"] == ["recovers", "recovering-at-horizon", "stays-degraded"]
        rows = read_csv(two / "metastability.csv")
        points = data["points"]
        assert [p.pop("replication_classes") for p in points][3] == ["stays-degraded"] * 2
        assert [{k: cell(v) for k, v in p.items()} for p in points] == rows
        text = (two / "metastability.json").read_text()
        for varying in ("wall", "started", "cache", "executor", "workers", str(two)):
            assert varying not in text


class TestAgainstRun:
    @pytest.mark.parametrize(("magnitude", "duration", "k"), [("0.1", "30s", 1), ("0.5", "30s", 3)])
    def test_a_point_has_the_figures_of_run_with_set(
        self, tmp_path: Path, two: Path, magnitude: str, duration: str, k: int
    ) -> None:
        """The last hour's probe changes nothing: a point's recovery time, recovered share and
        goodput share are those of `ehrsim run --set` with the same replications."""
        run = invoke(
            "run", WORLD, "--set", f"faults.0.severity={magnitude}", "--set",
            f"faults.0.for={duration}", "--replications", "2", "--out", "r", "-q",
        )  # fmt: skip
        assert run.exit_code in (0, 1), run.output
        summary = json.loads((tmp_path / "r" / "summary.json").read_text())
        row = read_csv(two / "metastability.csv")[k]
        for metric in ("recovery_time_s", "recovered_share", "goodput_share"):
            assert row[metric] == cell(summary[metric]), metric


class TestVariants:
    def test_the_baseline_the_compare_variants_and_each_variant_option(
        self, tmp_path: Path
    ) -> None:
        """The scenario's compare entries follow the baseline, then each --variant; one named
        as a compare entry replaces it."""
        result = invoke(
            "metastability", WORLD, *MAP, "--replications", "1", "--out", "m",
            "--set", "compare={drain-3: {strategy: {drain: {rate: 3/s}}}, slow: {}}",
            "--variant", "slow: {strategy: {retry: {backoff: fixed, first: 2min}}}",
            "--variant", "drain-9: {strategy: {drain: {rate: 9/s}}}",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = read_csv(tmp_path / "m" / "metastability.csv")
        variants = list(dict.fromkeys(r["variant"] for r in rows))
        assert variants == ["baseline", "drain-3", "slow", "drain-9"]
        classes = {v: [r["class"] for r in rows if r["variant"] == v] for v in variants}
        assert classes["baseline"][3] == "stays-degraded"
        assert classes["drain-3"] == ["recovers"] * 4  # a drain below the filer's 4/s
        assert classes["drain-9"][3] == "stays-degraded"  # above it: no help
        record = json.loads((tmp_path / "m" / "run.json").read_text())
        assert record["variants"] == variants and record["points"] == 16


class TestReport:
    def test_report_writes_the_html_report_inside_the_folder_and_says_so_in_run_json(
        self, tmp_path: Path
    ) -> None:
        """--report: report.html (not report.md) in the final folder, nothing left staged;
        run.json's command ends with --report; `ehrsim report --help` names the kind."""
        result = invoke("metastability", WORLD, *MAP, "--replications", "1", "--no-cache",
                        "--out", "m", "-q", "--report")  # fmt: skip
        assert result.exit_code == 0, result.output
        folder = tmp_path / "m"
        assert (folder / "report.html").is_file() and not (folder / "report.md").exists()
        assert "ehrsim metastability report" in (folder / "report.html").read_text()
        record = json.loads((folder / "run.json").read_text())
        assert record["command"].endswith(" --no-cache --quiet --report")
        assert [p.name for p in tmp_path.iterdir()] == ["m"]
        help_text = " ".join(invoke("report", "--help").stdout.split())
        assert "'sweep', 'plan' or 'metastability'" in help_text


class TestIdentical:
    def test_the_files_are_byte_identical_whatever_ran_them(self, tmp_path: Path) -> None:
        """One worker without a cache, two workers filling a cache, and a rerun from it."""
        args = ["metastability", WORLD, *MAP, "--replications", "2", "-q"]
        assert invoke(*args, "--jobs", "1", "--no-cache", "--out", "a").exit_code == 0
        assert invoke(*args, "--jobs", "2", "--cache", "c", "--out", "b").exit_code == 0
        rerun = invoke(*args, "--jobs", "2", "--cache", "c", "--out", "d")
        assert rerun.exit_code == 0
        assert json.loads((tmp_path / "d" / "run.json").read_text())["reused"] == 8
        for name in ("metastability.csv", "metastability.json", "metastability.png"):
            first = (tmp_path / "a" / name).read_bytes()
            assert (tmp_path / "b" / name).read_bytes() == first, name
            assert (tmp_path / "d" / name).read_bytes() == first, name
        assert not (tmp_path / "results").exists()


class TestCache:
    def test_a_map_resumes_from_the_replications_left_in_the_cache(self, tmp_path: Path) -> None:
        """A map whose cache lost some entries (as one stopped part-way leaves it) runs only
        those again, says how many it reused, and writes the same files."""
        args = ["metastability", WORLD, *MAP, "--replications", "2", "--cache", "c"]
        assert invoke(*args, "--out", "first", "-q").exit_code == 0
        entries = sorted((tmp_path / "c").glob("*/*.json"))
        assert len(entries) == 8
        for entry in entries[:3]:
            entry.unlink()
        again = invoke(*args, "--out", "again")
        assert again.exit_code == 0, again.output
        assert "reused 5 of 8 replications from the cache (c); ran 3" in again.stderr
        for name in ("metastability.csv", "metastability.json"):
            assert (tmp_path / "again" / name).read_bytes() == (
                tmp_path / "first" / name
            ).read_bytes()

    def test_a_sweep_of_the_same_points_does_not_take_a_maps_entries(self, tmp_path: Path) -> None:
        """A map's entries carry the last hour and are kept under a kind of their own."""
        args = ["--replications", "1", "--cache", "c", "-q"]
        assert invoke("metastability", WORLD, *MAP, *args, "--out", "m").exit_code == 0
        swept = invoke(
            "sweep", WORLD, "--param", "faults.0.severity=0.1,0.5", "--param",
            "faults.0.for=3s,30s", "--replications", "1", "--cache", "c", "--out", "s",
        )  # fmt: skip
        assert swept.exit_code == 0, swept.output
        assert "reused 0 of 4 replications from the cache (c); ran 4" in swept.stderr


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--fault", "2"], "error: --fault 2: scenario 'metastable' has 1 fault, index 0 "
             "(0: engine-stall 'engine stall')"),
            (["--set", "faults=[{kind: engine-stall, at: +10min, for: 1min}, {kind: surge, at: "
              "+20min, for: 5min, severity: 2}]"],
             "error: scenario 'metastable' has 2 faults (0: engine-stall; 1: surge); choose one "
             "with --fault N (0..1)"),
            (["--magnitude", "..0.5"], "error: --magnitude '..0.5': the range is empty or open"),
            (["--magnitude", "0.5..0.1"], "error: --magnitude '0.5..0.1': the range is reversed "
             "(it would be empty); write 0.1..0.5"),
            (["--magnitude", "1min..2min"], "error: --magnitude '1min..2min': '1min' is not a "
             "plain number; the magnitude is the engine-stall's severity"),
            (["--duration", "3..30"], "error: --duration '3..30': '3' has no unit"),
            (["--duration", "30s..3s"], "error: --duration '30s..3s': the range is reversed"),
            (["--steps", "1"], "error: --steps 1: a map needs at least 2 steps on each axis"),
            (["--set", "faults=[{kind: system-outage, target: lab, at: +10min, for: 1min}]"],
             "error: --fault 0: a system-outage has no severity or factor to vary, so it has no "
             "map; the kinds that have one: engine-stall, engine-slowdown, system-slowdown, "
             "ack-loss, surge"),
            (["--magnitude", "0.5..1.5"], "error: point 3/4 (variant 'baseline': "
             "faults.0.severity=1.5, faults.0.for=3s) (and 1 more point): --magnitude: 1.5 is too "
             "large: the severity of an engine-stall fault is the share of channel capacity lost "
             "(1 = nothing moves), at most 1"),
            (["--duration", "3s..1h"], "error: point 2/4 (variant 'baseline': "
             "faults.0.severity=0.1, faults.0.for=1h): the engine-stall ends at +70min, after "
             "the last hour of the horizon began (+15min, horizon 75min); the classes read that "
             "hour with the trigger gone: lengthen the horizon to at least 130min (--horizon) or "
             "shorten --duration"),
            (["--variant", "calm: {faults: []}"], "error: variant 'calm' has 0 fault(s), so no "
             "faults.0 to map"),
            (["--variant", "calm: [1]"], "--variant calm: "),
            (["--cache", "c", "--no-cache"], "error: --cache and --no-cache: give one of them"),
        ],
    )  # fmt: skip
    def test_exit_2_with_a_clear_message_and_nothing_run_or_written(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        result = invoke("metastability", WORLD, *MAP, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output
        assert list(tmp_path.iterdir()) == []


class TestGuard:
    def test_a_point_stopped_at_a_guard_has_no_class_and_the_map_exits_3(
        self, tmp_path: Path
    ) -> None:
        """limits.queued stops the point that tips over: its row has no class, the folder says
        "complete": false, the command names the point and exits 3."""
        result = invoke(
            "metastability", WORLD, *MAP, "--set", "limits.queued=2000", "--replications", "1",
            "--out", "m",
        )  # fmt: skip
        assert result.exit_code == 3, result.output
        assert (
            "stopped at a guard: point 4/4 (variant 'baseline': faults.0.severity=0.5, "
            "faults.0.for=30s) replication 0:" in result.stderr
        )
        rows = read_csv(tmp_path / "m" / "metastability.csv")
        assert [r["class"] for r in rows] == ["recovers", "recovers", "recovers", ""]
        assert json.loads((tmp_path / "m" / "metastability.json").read_text())["complete"] is False
        assert json.loads((tmp_path / "m" / "run.json").read_text())["complete"] is False


class TestApi:
    def test_a_stall_that_drains_past_the_horizon_is_recovering_there(self) -> None:
        """theory/stall (M/M/2 at 2/s, draining at 2/s net) with a 3 h horizon: a full 80-min
        stall from +30min holds 9,600 messages, which need 80 min more after +1h50m, so the
        backlog is still falling in the last hour; every other point recovers. (The API's
        docstring example.)"""
        import sim

        found = sim.find_metastability("theory/stall", steps=2, replications=1, horizon="3h")
        assert [p.cls for p in found.points] == [
            "recovers", "recovers", "recovers", "recovering-at-horizon",
        ]  # fmt: skip
        assert found.rows()[0][:4] == ["baseline", 0.25, 300.0, "recovers"]
        assert found.axes.duration.values == ("5min", "80min")
        assert (found.reused, found.ran) == (0, 4)
