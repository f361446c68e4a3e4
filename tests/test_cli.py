"""The `ehrsim` command: every command's output and exit code, and what `run` writes."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.experiments.executors import default_jobs
from sim.model.world import InvariantBroken
from sim.report.results import FILES, PARTIAL

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
TINY = str(DATA / "tiny.yaml")
BAD = str(DATA / "bad.yaml")
PART = str(DATA / "part.yaml")
RUN_ID = re.compile(r"^\d{8}-\d{6}-s\d+(-\d+)?$")
CONSERVED = (
    "delivered",
    "queued_at_end",
    "in_flight_at_end",
    "dead_lettered",
    "expired",
    "shed",
    "lost",
)

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the CLI in this process; its files land in the current directory."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def summary_of(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "summary.json").read_text())
    return data


def only_run_folder(cwd: Path, name: str) -> Path:
    """The one results folder of scenario `name` under cwd/results (fails if not exactly one)."""
    folders = list((cwd / "results" / name).iterdir())
    assert len(folders) == 1, folders
    return folders[0]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test in an empty current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def two_reps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Result, Path]]:
    """`ehrsim run tiny.yaml --replications 2` in a fresh directory: its result and folder."""
    cwd = tmp_path_factory.mktemp("two-reps")
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = invoke("run", TINY, "--replications", "2")
    finally:
        os.chdir(old)
    yield result, only_run_folder(cwd, "tiny")


class TestRun:
    def test_a_run_exits_0_and_writes_exactly_the_listed_files(
        self, two_reps: tuple[Result, Path]
    ) -> None:
        """A run writes the format's files (replications.csv with two) into results/<name>/<id>."""
        result, folder = two_reps
        assert result.exit_code == 0, result.output
        assert RUN_ID.match(folder.name)
        assert folder.name.endswith("-s7")
        assert {p.name for p in folder.iterdir()} == set(FILES) | {"replications.csv"}
        assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp folder left

    def test_timeseries_has_every_physical_and_destination_queue(
        self, two_reps: tuple[Result, Path]
    ) -> None:
        """timeseries.csv: replication, time, clock, then every sampled queue, 121 rows each."""
        _, folder = two_reps
        rows = read_csv(folder / "timeseries.csv")
        assert list(rows[0]) == [
            "replication",
            "time_s",
            "clock",
            "queue.lab",
            "queue.ehr",
            "outbound.ehr",
            "outbound.lab",
            "engine.transform",
            "lane.lab",
            "lane.ehr",
            "parked",
            "in_flight",
            "total",
            "late.stat",
            "late.routine",
        ]
        assert sum(r["replication"] == "0" for r in rows) == 121  # 0..2 h every minute
        summaries = read_csv(folder / "replications.csv")
        for k in ("0", "1"):  # the last sample of each replication is its late count
            last = [r for r in rows if r["replication"] == k][-1]
            summary = next(r for r in summaries if r["replication"] == k)
            assert last["late.stat"] == summary["late.stat"]
        assert rows[0]["clock"] == "2026-01-05 08:00:00"
        assert rows[120]["time_s"] == "7200"

    def test_latency_and_events_have_their_columns(self, two_reps: tuple[Result, Path]) -> None:
        """latency.csv is per flow and class; events.csv names the stall at 08:30."""
        _, folder = two_reps
        latency = read_csv(folder / "latency.csv")
        assert list(latency[0]) == [
            "replication",
            "flow",
            "priority",
            "count",
            "mean_s",
            "p50_s",
            "p95_s",
            "p99_s",
            "max_s",
        ]
        assert {(r["flow"], r["priority"]) for r in latency} >= {
            ("orders", "stat"),
            ("orders", "routine"),
        }
        events = read_csv(folder / "events.csv")
        assert list(events[0]) == ["replication", "time_s", "clock", "kind", "target", "detail"]
        assert {
            "replication": "0",
            "time_s": "1800",
            "clock": "2026-01-05 08:30:00",
            "kind": "fault-start",
            "target": "",
            "detail": "integration servers stall",
        } in events

    def test_conservation_holds_in_every_replication(self, two_reps: tuple[Result, Path]) -> None:
        """created = delivered + queued + in flight + dead-lettered + expired + shed + lost."""
        _, folder = two_reps
        for row in read_csv(folder / "replications.csv"):
            created = int(row["created"])
            assert created > 3000
            assert created == sum(int(row[k]) for k in CONSERVED)
        messages = summary_of(folder)["messages"]
        assert isinstance(messages, dict)
        assert messages["created"] == pytest.approx(sum(messages[k] for k in CONSERVED))

    def test_run_json_records_the_run(self, two_reps: tuple[Result, Path]) -> None:
        """run.json: version, command, the hash of scenario.yaml, times, versions, completeness."""
        _, folder = two_reps
        record = json.loads((folder / "run.json").read_text())
        digest = hashlib.sha256((folder / "scenario.yaml").read_bytes()).hexdigest()
        assert record["scenario_sha256"] == digest
        assert record["command"] == f"ehrsim run {TINY} --replications 2"
        assert record["run_id"] == folder.name
        assert record["complete"] is True and record["stop_reason"] == ""
        assert record["replications"] == 2 and record["seed"] == 7
        assert record["wall_s"] > 0
        assert record["executor"] == {"kind": "processes", "workers": default_jobs()}
        for key in ("version", "started", "python", "numpy", "simpy", "platform"):
            assert record[key]

    def test_the_summary_has_no_run_specific_values(
        self, two_reps: tuple[Result, Path], in_tmp: Path
    ) -> None:
        """summary.json holds figures only: none of run.json's run-specific values, and the
        same run again (another folder, another time) writes a byte-identical summary.json."""
        _, folder = two_reps
        summary = summary_of(folder)
        assert list(summary)[:5] == [
            "format_version",
            "scenario",
            "seed",
            "replications",
            "complete",
        ]
        text = (folder / "summary.json").read_text()
        record = json.loads((folder / "run.json").read_text())
        started = str(record["started"])
        for value in (record["run_id"], record["cwd"], started[:10], started[11:19]):
            assert str(value) not in text
        for key in ("wall", "started", "run_id", "cwd", "command", "platform", "python"):
            assert f'"{key}' not in text
        result = invoke("run", TINY, "--replications", "2", "-q", "--out", "again")
        assert result.exit_code == 0, result.output
        assert (in_tmp / "again" / "run.json").read_text() != (folder / "run.json").read_text()
        assert (in_tmp / "again" / "summary.json").read_bytes() == (
            folder / "summary.json"
        ).read_bytes()

    def test_tables_and_path_are_printed(self, two_reps: tuple[Result, Path]) -> None:
        """The pre-run plan, the summary tables, the hypotheses and the folder are shown."""
        result, folder = two_reps
        out = result.stdout
        for text in (
            "expected load",
            "engine transform",
            "ρ peak",
            "Messages",
            "Destinations",
            "Late orders",
            "Hypotheses",
            "PASS",
            "means over 2 replications",
        ):
            assert text in out
        assert out.rstrip().endswith(f"results: results/tiny/{folder.name}")
        assert "simulating" in result.stderr  # the progress bar

    def test_quiet_prints_only_the_results_path(self, in_tmp: Path) -> None:
        """--quiet prints the results folder and nothing else."""
        result = invoke("run", TINY, "--quiet")
        assert result.exit_code == 0
        folder = only_run_folder(in_tmp, "tiny")
        assert result.stdout == f"results/tiny/{folder.name}\n"
        assert result.stderr == ""

    def test_set_changes_the_scenario_and_its_figures(self, in_tmp: Path) -> None:
        """--set overrides a key: scenario.yaml shows it and the run follows it."""
        assert invoke("run", TINY, "-q", "--out", "base").exit_code == 0
        result = invoke("run", TINY, "-q", "--out", "fast", "--set", "flows.orders.rate=1800/h")
        assert result.exit_code == 0, result.output
        assert "rate: 1800/h" in (in_tmp / "fast" / "scenario.yaml").read_text()
        base, fast = summary_of(in_tmp / "base"), summary_of(in_tmp / "fast")
        created = (base["messages"]["created"], fast["messages"]["created"])  # type: ignore[index]
        assert created[1] > 1.7 * created[0]

    def test_seed_and_horizon_flags_are_applied(self, in_tmp: Path) -> None:
        """--seed and --horizon change the run and show in scenario.yaml and the files."""
        result = invoke("run", TINY, "-q", "--seed", "11", "--horizon", "1h", "--out", "o")
        assert result.exit_code == 0, result.output
        text = (in_tmp / "o" / "scenario.yaml").read_text()
        assert "\nseed: 11\n" in text and "\nhorizon: 1h\n" in text
        assert summary_of(in_tmp / "o")["seed"] == 11
        assert read_csv(in_tmp / "o" / "timeseries.csv")[-1]["time_s"] == "3600"
        assert json.loads((in_tmp / "o" / "run.json").read_text())["horizon_s"] == 3600.0

    def test_an_overloaded_channel_is_warned_about(self, in_tmp: Path) -> None:
        """A channel with ρ ≥ 1 gets a warning with λ, the drain capacity and the growth."""
        result = invoke(
            "run",
            TINY,
            "--horizon",
            "20min",
            "--out",
            "o",
            "--set",
            "systems.lab.ack=constant(5s)",
            "--set",
            "systems.lab.connections=1",
        )
        assert "lab: overloaded, ρ = 1.250 (λ = 900/h against a drain capacity of 720/h)" in (
            result.stderr
        )
        assert "grows without bound at about 180 messages per hour" in result.stderr

    def test_out_refuses_a_non_empty_folder_without_force(self, in_tmp: Path) -> None:
        """--out into a previous run's folder needs --force, and then replaces it."""
        assert invoke("run", TINY, "-q", "--out", "o").exit_code == 0
        first = (in_tmp / "o" / "run.json").read_text()
        refused = invoke("run", TINY, "-q", "--out", "o")
        assert refused.exit_code == 2
        assert "--out o: the folder is not empty" in refused.stderr
        assert "--force" in refused.stderr
        assert (in_tmp / "o" / "run.json").read_text() == first
        forced = invoke("run", TINY, "-q", "--out", "o", "--force")
        assert forced.exit_code == 0
        assert (in_tmp / "o" / "run.json").read_text() != first
        assert sorted(p.name for p in in_tmp.iterdir()) == ["o"]

    def test_a_bad_scenario_exits_2_with_file_and_line_and_writes_nothing(
        self, in_tmp: Path
    ) -> None:
        """Every problem is reported at file:line with its key path; nothing is written."""
        result = invoke("run", BAD)
        assert result.exit_code == 2
        assert f"{BAD}:8: flows.orders.rate: '25OO/h' is not a rate" in result.stderr
        assert f"{BAD}:10: systems.lab.conections: unknown key" in result.stderr
        assert "Traceback" not in result.output
        assert list(in_tmp.iterdir()) == []

    def test_a_bad_set_or_horizon_exits_2(self, in_tmp: Path) -> None:
        """A malformed --set or --horizon is bad input: exit 2, the option named."""
        result = invoke("run", TINY, "--set", "strategy.queues=sharde")
        assert result.exit_code == 2
        assert "--set strategy.queues" in result.stderr
        result = invoke("run", TINY, "--horizon", "6")
        assert result.exit_code == 2
        assert "--horizon: '6' has no unit" in result.stderr
        assert list(in_tmp.iterdir()) == []

    def test_an_unknown_name_exits_2(self, in_tmp: Path) -> None:
        """A name that is neither a file nor a shipped scenario says so, with a suggestion."""
        result = invoke("run", "baseline-weekdya")
        assert result.exit_code == 2
        assert "did you mean 'baseline-weekday'" in result.stderr

    def test_a_failing_hypothesis_exits_1(self, in_tmp: Path) -> None:
        """A hypothesis that does not hold: results written, FAIL shown, exit 1."""
        result = invoke(
            "run", TINY, "--out", "o", "--set", "hypotheses=[{metric: peak_backlog, below: 10}]"
        )
        assert result.exit_code == 1
        assert "FAIL" in result.stdout
        assert "hypothesis failed: peak_backlog" in result.stderr
        hypotheses = summary_of(in_tmp / "o")["hypotheses"]
        assert isinstance(hypotheses, list)
        assert hypotheses[0]["passed"] is False and hypotheses[0]["value"] > 10

    def test_a_guard_stop_exits_3_and_marks_the_results_incomplete(self, in_tmp: Path) -> None:
        """A run that exceeds limits.queued stops there: results written, complete false."""
        result = invoke("run", TINY, "--out", "o", "--set", "limits.queued=5")
        assert result.exit_code == 3
        assert "stopped at a guard" in result.stderr and "limits.queued = 5" in result.stderr
        assert summary_of(in_tmp / "o")["complete"] is False
        record = json.loads((in_tmp / "o" / "run.json").read_text())
        assert record["complete"] is False
        assert "limits.queued = 5" in record["stop_reason"]
        kinds = [e["kind"] for e in read_csv(in_tmp / "o" / "events.csv")]
        assert "guard" in kinds

    def test_a_run_too_large_for_its_limit_is_refused(self, in_tmp: Path) -> None:
        """More expected messages than limits.messages: exit 2 with the estimate and the fix."""
        result = invoke("run", TINY, "--set", "limits.messages=1000")
        assert result.exit_code == 2
        assert "expected to create about 3,600 messages per replication" in result.stderr
        assert "limits.messages = 1,000" in result.stderr
        assert "--set limits.messages=4400" in result.stderr
        assert list(in_tmp.iterdir()) == []

    def test_a_broken_invariant_exits_3_and_writes_nothing(
        self, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An invariant broken during the run: its message, exit 3, no results folder."""

        def broken(*_args: object, **_kw: object) -> object:
            raise InvariantBroken("conservation broken at 3600.000 s: created 10 != ...")

        monkeypatch.setattr("sim.experiments.run.run", broken)
        result = invoke("run", TINY)
        assert result.exit_code == 3
        assert "invariant broken: conservation broken at 3600.000 s" in result.stderr
        assert list((in_tmp / "results" / "tiny").iterdir()) == []

    def test_a_shipped_scenario_runs_by_name_from_any_directory(self, in_tmp: Path) -> None:
        """`ehrsim run theory/mm1` works anywhere; results land under the current directory."""
        result = invoke("run", "theory/mm1", "--horizon", "5min", "--set", "warmup=0s", "-q")
        assert result.exit_code == 0, result.output
        folder = only_run_folder(in_tmp, "mm1")
        assert result.stdout.strip() == f"results/mm1/{folder.name}"
        assert "name: mm1" in (folder / "scenario.yaml").read_text()

    def test_trace_writes_every_move(self, in_tmp: Path) -> None:
        """--trace adds trace.csv: one row per move of a message, with its clock time."""
        result = invoke("run", TINY, "-q", "--trace", "--horizon", "20min", "--out", "o")
        assert result.exit_code == 0
        rows = read_csv(in_tmp / "o" / "trace.csv")
        assert list(rows[0]) == [
            "replication",
            "time_s",
            "clock",
            "uid",
            "flow",
            "priority",
            "event",
            "patient",
            "system",
            "attempt",
            "code",
            "order_uid",
        ]
        assert rows[0]["event"] == "created"
        assert {r["event"] for r in rows} >= {"created", "sent", "acked", "delivered"}


class TestPlotReplication:
    def test_a_replication_out_of_range_exits_2_before_simulating(
        self, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--plot-replication 3 of a run of 2: a clear error, exit 2, nothing run or written."""

        def never(*_args: object, **_kw: object) -> None:
            raise AssertionError("simulated")

        monkeypatch.setattr("sim.experiments.run.run", never)
        result = invoke("run", TINY, "--replications", "2", "--plot-replication", "3")
        assert result.exit_code == 2
        assert (
            "error: --plot-replication 3: the run has 2 replications; choose 1 to 2"
            in result.output
        )
        assert not (in_tmp / "results").exists()
        zero = invoke("run", TINY, "--plot-replication", "0")
        assert zero.exit_code == 2 and "--plot-replication" in zero.output
        assert not (in_tmp / "results").exists()

    def test_the_chosen_replication_reaches_every_plot_over_time(
        self, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--plot-replication 2 draws replication index 1 in backlog, people and clinical
        plots, and run.json's command says so; without it they draw the mean (None)."""
        from sim.report import plots

        seen: dict[str, object] = {}
        for name in ("backlog_png", "people_png", "clinical_png"):
            real = getattr(plots, name)

            def record(
                *args: object, _name: str = name, _real: object = real, **kw: object
            ) -> None:
                seen[_name] = kw["chosen"]
                _real(*args, **kw)  # type: ignore[operator]

            monkeypatch.setattr(plots, name, record)
        args = ("run", TINY, "-q", "--replications", "2", "--jobs", "1", "--horizon", "40min")
        result = invoke(*args, "--plot-replication", "2", "--out", "two")
        assert result.exit_code == 0, result.output
        assert seen == {"backlog_png": 1, "people_png": 1, "clinical_png": 1}
        record_ = json.loads((in_tmp / "two" / "run.json").read_text())
        assert record_["command"].endswith("--plot-replication 2")
        assert invoke(*args, "--out", "mean").exit_code == 0
        assert seen == {"backlog_png": None, "people_png": None, "clinical_png": None}


class TestValidate:
    def test_valid_files_are_ok(self) -> None:
        """Valid files, a partial one and a shipped name are each reported OK; exit 0."""
        result = invoke("validate", TINY, PART, "baseline-weekday")
        assert result.exit_code == 0
        assert result.stdout.splitlines() == [f"OK  {TINY}", f"OK  {PART}", "OK  baseline-weekday"]

    def test_a_bad_file_lists_every_problem_and_exits_2(self) -> None:
        """Problems come one per line at file:line; the good files are still reported OK."""
        result = invoke("validate", TINY, BAD)
        assert result.exit_code == 2
        assert result.stdout.splitlines() == [f"OK  {TINY}"]
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"{BAD}:8: flows.orders.rate:")
        assert lines[1] == (
            f"{BAD}:10: systems.lab.conections: unknown key 'conections'; did you mean "
            "'connections'?"
        )
        assert lines[2] == "1 of 2 file(s) have problems"


class TestOtherCommands:
    def test_schema_is_json_schema_of_the_format(self) -> None:
        """`schema` prints a JSON Schema with the format's top-level keys."""
        result = invoke("schema")
        assert result.exit_code == 0
        schema = json.loads(result.stdout)
        assert schema["$schema"].startswith("https://json-schema.org/")
        assert {"name", "horizon", "flows", "systems", "faults"} <= set(schema["properties"])

    def test_list_shows_shipped_scenarios_with_titles(self) -> None:
        """`list` shows each shipped scenario's name and title."""
        result = invoke("list")
        assert result.exit_code == 0
        assert re.search(r"baseline-weekday\s+│\s+Normal weekday, Wed 6 Dec 2017", result.stdout)
        assert "theory/mm3" in result.stdout

    def test_metrics_lists_the_registry(self) -> None:
        """`metrics` shows every metric's path, unit and description."""
        result = invoke("metrics")
        assert result.exit_code == 0
        assert re.search(r"recovery_time_s\s+│\s+s\s+│\s+time from the last fault", result.stdout)
        assert "queues.<system>.peak_backlog" in result.stdout

    @pytest.mark.parametrize(
        ("command", "phrase"),
        [
            ([], "Simulate a hospital EHR"),
            (["run"], "--replications"),
            (["validate"], "partial"),
            (["schema"], "JSON Schema"),
            (["list"], "shipped scenarios"),
            (["metrics"], "summary.json"),
            (["theory"], "closed form"),
        ],
    )
    def test_every_command_explains_itself(self, command: list[str], phrase: str) -> None:
        """Each command's --help describes it."""
        result = invoke(*command, "--help")
        assert result.exit_code == 0
        assert phrase in result.stdout


class TestTheory:
    def test_a_closed_form_scenario_shows_predictions_beside_simulation(self) -> None:
        """M/M/1: predicted and simulated waits with their CI and relative error; exit 0."""
        result = invoke(
            "theory",
            "theory/mm1",
            "--replications",
            "2",
            "--set",
            "horizon=20min",
            "--set",
            "warmup=2min",
        )
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "lane server: M/M/1 (Erlang C)" in out
        row = re.search(r"Wq server\s+│\s+400 ms\s+│\s+([\d.]+) ms\s+│.*│\s+([+-][\d.]+)%", out)
        assert row is not None, out
        assert abs(float(row.group(2))) < 50  # two short replications: a rough agreement

    def test_a_scenario_without_closed_form_lists_the_reasons(self) -> None:
        """A scenario with faults has no closed form: the reasons, exit 0."""
        result = invoke("theory", TINY)
        assert result.exit_code == 0
        assert "No closed form for this scenario:" in result.stdout
        assert "faults are scheduled (engine-stall)" in result.stdout

    def test_bad_input_exits_2(self) -> None:
        """A bad scenario file exits 2 with its problems."""
        result = invoke("theory", BAD)
        assert result.exit_code == 2
        assert f"{BAD}:8:" in result.stderr


def run_process(*args: str, cwd: Path, hashseed: str = "0") -> subprocess.Popen[str]:
    """Start `python -m sim ...` in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hashseed}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class TestProcesses:
    def test_same_scenario_and_seed_give_byte_identical_files(self, tmp_path: Path) -> None:
        """Two processes with different hash seeds write the same summary.json, byte for byte."""
        procs = [
            run_process(
                "run",
                TINY,
                "-q",
                "--replications",
                "2",
                "--out",
                f"o{seed}",
                cwd=tmp_path,
                hashseed=seed,
            )
            for seed in ("1", "2")
        ]
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
        for name in (
            "summary.json",
            "timeseries.csv",
            "latency.csv",
            "events.csv",
            "replications.csv",
            "scenario.yaml",
        ):
            assert (tmp_path / "o1" / name).read_bytes() == (tmp_path / "o2" / name).read_bytes()

    def test_runs_started_together_get_their_own_whole_folders(self, tmp_path: Path) -> None:
        """Two runs of one scenario started at once write two complete folders, no leftovers."""
        procs = [run_process("run", TINY, "-q", cwd=tmp_path) for _ in range(2)]
        paths = []
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
            paths.append(stdout.strip())
        assert paths[0] != paths[1]
        folders = sorted((tmp_path / "results" / "tiny").iterdir())
        assert [f.name for f in folders] == sorted(Path(p).name for p in paths)
        for folder in folders:
            assert not folder.name.endswith(PARTIAL)
            assert set(FILES) <= {p.name for p in folder.iterdir()}
            assert summary_of(folder)["complete"] is True


class TestShortHorizon:
    def test_a_horizon_inside_the_warmup_drops_the_warmup_with_a_warning(
        self, in_tmp: Path
    ) -> None:
        """`--horizon` may shorten any scenario: a warm-up it cuts into is dropped, said so."""
        result = invoke("run", "theory/mm1", "--horizon", "30min", "--quiet", "--out", "o")
        assert result.exit_code == 0, result.output
        assert "warm-up is dropped" in result.output
        assert "warmup: 0s" in (in_tmp / "o" / "scenario.yaml").read_text()
