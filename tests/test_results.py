"""The results folder: run ids, atomic staging, --out rules, JSON and CSV files."""

from __future__ import annotations

import csv
import json
import math
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from sim.experiments.run import RunResult, run
from sim.report import csvs
from sim.report.results import (
    FILES,
    PARTIAL,
    ResultsError,
    check_out,
    dump_json,
    make_run_id,
    reserve,
    run_record,
    side_by_side,
    stage_out,
    write_results,
    write_scenario,
)
from sim.scenario import dump_yaml, load_scenario

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"
STARTED = datetime(2026, 11, 25, 22, 30, 15)


@pytest.fixture(scope="module")
def tiny_run() -> RunResult:
    """Two replications of the tiny world (a 30-minute stall in two hours)."""
    return run(load_scenario(TINY), replications=2)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class TestRunId:
    def test_run_id_is_local_start_time_and_seed(self) -> None:
        """A run id is the start time to the second and the seed, sortable by time."""
        assert make_run_id(STARTED, 1) == "20261125-223015-s1"
        assert make_run_id(STARTED, 20171206) == "20261125-223015-s20171206"


class TestReserve:
    def test_reserve_creates_only_a_hidden_temporary_folder(self, tmp_path: Path) -> None:
        """Reserving a run id creates `.<id>.partial`, not the final folder."""
        staging = reserve(tmp_path / "results" / "tiny", "20261125-223015-s1")
        assert staging.tmp == tmp_path / "results" / "tiny" / f".20261125-223015-s1{PARTIAL}"
        assert staging.tmp.is_dir()
        assert not staging.final.exists()
        assert staging.run_id == "20261125-223015-s1"

    def test_two_reservations_of_one_id_get_different_folders(self, tmp_path: Path) -> None:
        """Two runs that start in the same second with the same seed never share a folder."""
        first = reserve(tmp_path, "20261125-223015-s1")
        second = reserve(tmp_path, "20261125-223015-s1")
        assert first.final.name == "20261125-223015-s1"
        assert second.final.name == "20261125-223015-s1-2"
        assert first.tmp != second.tmp

    def test_a_finished_folder_of_that_id_is_skipped(self, tmp_path: Path) -> None:
        """A run id whose folder already exists (an earlier run) takes the next suffix."""
        (tmp_path / "20261125-223015-s1").mkdir()
        (tmp_path / "20261125-223015-s1" / "summary.json").write_text("{}")
        staging = reserve(tmp_path, "20261125-223015-s1")
        assert staging.final.name == "20261125-223015-s1-2"
        assert not (tmp_path / f".20261125-223015-s1{PARTIAL}").exists()

    def test_commit_renames_the_whole_folder_into_place(self, tmp_path: Path) -> None:
        """Committing moves every file into the final folder and leaves no temporary folder."""
        staging = reserve(tmp_path, "run")
        (staging.tmp / "summary.json").write_text("{}\n")
        final = staging.commit()
        assert final == tmp_path / "run"
        assert (final / "summary.json").read_text() == "{}\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]

    def test_commit_takes_the_next_name_if_the_final_folder_appeared(self, tmp_path: Path) -> None:
        """A non-empty folder that appeared under the reserved name is never overwritten."""
        staging = reserve(tmp_path, "run")
        (tmp_path / "run").mkdir()
        (tmp_path / "run" / "theirs.txt").write_text("keep")
        (staging.tmp / "summary.json").write_text("{}\n")
        final = staging.commit()
        assert final.name == "run-2"
        assert (tmp_path / "run" / "theirs.txt").read_text() == "keep"

    def test_discard_removes_the_temporary_folder(self, tmp_path: Path) -> None:
        """Discarding (an interrupted run) leaves nothing behind."""
        staging = reserve(tmp_path, "run")
        (staging.tmp / "scenario.yaml").write_text("name: x\n")
        staging.discard()
        assert list(tmp_path.iterdir()) == []


class TestOut:
    def test_a_missing_or_empty_folder_is_accepted(self, tmp_path: Path) -> None:
        """--out may name a folder that does not exist yet, or an empty one."""
        check_out(tmp_path / "new", force=False)
        (tmp_path / "empty").mkdir()
        check_out(tmp_path / "empty", force=False)

    def test_a_non_empty_folder_is_refused_without_force(self, tmp_path: Path) -> None:
        """--out refuses a non-empty folder and says how to replace it."""
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "run.json").write_text("{}")
        with pytest.raises(ResultsError, match=r"not empty.*--force"):
            check_out(tmp_path / "out", force=False)

    def test_force_never_deletes_a_folder_that_holds_no_results(self, tmp_path: Path) -> None:
        """--force replaces a previous run's results only, never other files."""
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "notes.txt").write_text("mine")
        with pytest.raises(ResultsError, match="holds no ehrsim results"):
            check_out(tmp_path / "out", force=True)
        assert (tmp_path / "out" / "notes.txt").read_text() == "mine"

    def test_a_file_is_refused(self, tmp_path: Path) -> None:
        """--out naming a file is an error."""
        (tmp_path / "out").write_text("x")
        with pytest.raises(ResultsError, match="is a file"):
            check_out(tmp_path / "out", force=True)

    def test_force_replaces_previous_results_on_commit(self, tmp_path: Path) -> None:
        """With --force the old results stay until the new ones are whole, then are replaced."""
        out = tmp_path / "out"
        out.mkdir()
        (out / "run.json").write_text('{"old": true}')
        (out / "stale.csv").write_text("x")
        staging = stage_out(out, force=True)
        assert staging.tmp.parent == tmp_path and staging.tmp.name.endswith(PARTIAL)
        assert (out / "stale.csv").exists()
        (staging.tmp / "run.json").write_text('{"new": true}')
        assert staging.commit() == out
        assert sorted(p.name for p in out.iterdir()) == ["run.json"]
        assert json.loads((out / "run.json").read_text()) == {"new": True}
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_out_gets_the_users_permissions(self, tmp_path: Path) -> None:
        """The results folder is created with the umask, not mkdtemp's private 0700."""
        old = os.umask(0o022)
        try:
            final = stage_out(tmp_path / "out", force=False).commit()
        finally:
            os.umask(old)
        assert stat.S_IMODE(final.stat().st_mode) == 0o755


class TestJson:
    def test_json_has_indent_two_kept_order_and_a_trailing_newline(self) -> None:
        """JSON files keep the given key order, indent by 2 and end with a newline."""
        text = dump_json({"b": 1, "a": [1.5, None]})
        assert text == '{\n  "b": 1,\n  "a": [\n    1.5,\n    null\n  ]\n}\n'

    def test_nan_is_refused(self) -> None:
        """A NaN never reaches a file: the format allows only numbers and null."""
        with pytest.raises(ValueError):
            dump_json({"x": math.nan})


class TestCells:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (None, ""),
            (3, "3"),
            (60.0, "60"),
            (0.1234567891, "0.123457"),
            (True, "true"),
            (math.inf, ""),
            ("labka", "labka"),
        ],
    )
    def test_cells_are_plain_and_stable(self, value: object, text: str) -> None:
        """CSV cells: integers plainly, floats to six decimals, null and inf empty."""
        assert csvs.cell(value) == text

    def test_clock_is_the_local_time_of_a_simulated_second(self) -> None:
        """Simulated second t is printed as start + t, to the second."""
        assert csvs.clock(datetime(2017, 12, 6), 32400.4) == "2017-12-06 09:00:00"


class TestWriteResults:
    def test_every_file_is_written_with_its_columns(
        self, tiny_run: RunResult, tmp_path: Path
    ) -> None:
        """A two-replication run writes the listed files, replications.csv among them."""
        sha = write_scenario(tmp_path, dump_yaml(tiny_run.scenario))
        write_results(tmp_path, tiny_run)
        names = {p.name for p in tmp_path.iterdir()}
        assert names == (set(FILES) - {"run.json"}) | {"replications.csv"}
        assert len(sha) == 64
        series = read_csv(tmp_path / "timeseries.csv")
        assert list(series[0])[:5] == ["replication", "time_s", "clock", "queue.lab", "queue.ehr"]
        assert {"total", "in_flight", "parked", "engine.transform"} <= set(series[0])
        assert {r["replication"] for r in series} == {"0", "1"}
        assert series[30]["clock"] == "2026-01-05 08:30:00"
        reps = read_csv(tmp_path / "replications.csv")
        assert [r["replication"] for r in reps] == ["0", "1"]
        assert {"created", "delivered", "lost", "late.stat", "queues.lab.peak_backlog"} <= set(
            reps[0]
        )

    def test_summary_is_the_run_summary_exactly(self, tiny_run: RunResult, tmp_path: Path) -> None:
        """summary.json is the run's summary, key for key and in order."""
        write_results(tmp_path, tiny_run)
        text = (tmp_path / "summary.json").read_text()
        assert json.loads(text) == tiny_run.summary
        assert list(json.loads(text)) == list(tiny_run.summary)
        assert text.endswith("}\n")

    def test_events_name_the_fault(self, tiny_run: RunResult, tmp_path: Path) -> None:
        """events.csv holds the stall's start and end at their clock times."""
        write_results(tmp_path, tiny_run)
        events = read_csv(tmp_path / "events.csv")
        faults = [
            (e["replication"], e["clock"], e["kind"], e["detail"])
            for e in events
            if e["kind"].startswith("fault")
        ]
        assert ("0", "2026-01-05 08:30:00", "fault-start", "integration servers stall") in faults
        assert ("1", "2026-01-05 09:00:00", "fault-end", "integration servers stall") in faults

    def test_run_record_holds_what_varies(self, tiny_run: RunResult) -> None:
        """run.json has the version, command, hash, times, versions and completeness."""
        record = run_record(
            tiny_run,
            run_id="r",
            command=["ehrsim", "run", "tiny.yaml", "--set", "a=b c"],
            scenario_sha256="0" * 64,
            started=STARTED,
            wall_s=1.23456,
        )
        assert record["command"] == "ehrsim run tiny.yaml --set 'a=b c'"
        assert record["version"] == "0.1.0"
        assert record["wall_s"] == 1.235
        assert record["complete"] is True and record["stop_reason"] == ""
        assert record["started"].startswith("2026-11-25T22:30:15")
        assert {"python", "numpy", "simpy", "platform", "scenario_sha256"} <= set(record)


class TestFiguresInChildren:
    def test_files_written_in_children_are_the_same_files(
        self, tiny_run: RunResult, tmp_path: Path
    ) -> None:
        """With jobs > 1 the figures and timeseries.csv come from forked children, byte for
        byte the same."""
        one, two = tmp_path / "one", tmp_path / "two"
        one.mkdir()
        two.mkdir()
        write_results(one, tiny_run)
        write_results(two, tiny_run, jobs=2)
        assert {p.name for p in one.iterdir()} == {p.name for p in two.iterdir()}
        for name in ("backlog.png", "people.png", "clinical.png", "latency.png", "timeseries.csv"):
            assert (one / name).read_bytes() == (two / name).read_bytes()

    def test_a_figure_failing_in_a_child_fails_the_call(self, tmp_path: Path) -> None:
        """A child that fails is not lost: the call raises after the others finished."""
        drawn = tmp_path / "drawn"

        def fail() -> None:
            raise SystemExit(3)

        with pytest.raises(RuntimeError, match=r"child process \(exit 3\)"):
            side_by_side([lambda: drawn.write_text("ok"), fail], jobs=2)
        assert drawn.read_text() == "ok"
