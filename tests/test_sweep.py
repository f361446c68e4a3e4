"""Parameter sweeps (the API): points built from the grid, common random numbers, the same
rows whatever runs the replications, and the replication cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.experiments.grid import parse_params
from sim.experiments.sweep import PointsError, load_points, run_points, sweep
from sim.experiments.sweep_cache import ReplicationCache, canonical, replication_key
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = str(Path(__file__).parent / "data" / "tiny.yaml")
GRID = ["systems.lab.connections=1,2", "faults.0.for=10min,30min"]
METRICS = ("recovery_time_s", "peak_backlog", "messages.created", "late.stat")


def tiny_sweep(**options: Any) -> sim.SweepResult:
    return sweep(TINY, GRID, METRICS, replications=2, **options)


class TestPoints:
    def test_points_are_in_grid_order_with_their_values_laid_on_the_scenario(self) -> None:
        points, _ = load_points(TINY, parse_params(GRID))
        assert [p.assignments for p in points] == [
            ["systems.lab.connections=1", "faults.0.for=10min"],
            ["systems.lab.connections=1", "faults.0.for=30min"],
            ["systems.lab.connections=2", "faults.0.for=10min"],
            ["systems.lab.connections=2", "faults.0.for=30min"],
        ]
        laid = [(p.scenario.systems["lab"].connections, p.scenario.faults[0].duration)
                for p in points]  # fmt: skip
        assert laid == [(1, 600.0), (1, 1800.0), (2, 600.0), (2, 1800.0)]
        assert points[1].label == "point 2/4 (systems.lab.connections=1, faults.0.for=30min)"

    def test_each_point_is_the_scenario_that_run_with_set_builds(self) -> None:
        """Common random numbers start here: a point is exactly `--set KEY=V` of the scenario."""
        points, _ = load_points(TINY, parse_params(GRID), flags=["replications=3"])
        for point in points:
            assert point.scenario == load_scenario(TINY, [*point.assignments, "replications=3"])

    def test_invalid_points_are_named_each_problem_once(self) -> None:
        """A wrong unit at one value names that point; an unknown key fails every point and is
        said once, with how many more points share it."""
        with pytest.raises(PointsError) as caught:
            load_points(
                TINY, parse_params(["faults.0.for=10min,3,1h", "systems.lab.conections=1,2"])
            )
        assert caught.value.lines == [
            "point 1/6 (faults.0.for=10min, systems.lab.conections=1) (and 5 more points): "
            "--param systems.lab.conections: unknown key 'conections'; did you mean "
            "'connections'?",
            "point 3/6 (faults.0.for=3, systems.lab.conections=1) (and 1 more point): "
            "--param faults.0.for: 3 has no unit, and a plain number is ambiguous; write e.g. "
            "'3s' or '3min'",
        ]

    def test_an_invalid_scenario_is_its_own_error(self) -> None:
        with pytest.raises(ScenarioError, match="--set horizon"):
            load_points(TINY, parse_params(["systems.lab.connections=1,2"]), ["horizon=soon"])


class TestFigures:
    def test_rows_hold_each_value_as_typed_then_the_figures_in_the_metrics_order(self) -> None:
        result = tiny_sweep()
        assert result.columns() == [
            "systems.lab.connections", "faults.0.for", "replications",
            "recovery_time_s", "recovery_time_s.ci95_low", "recovery_time_s.ci95_high",
            "peak_backlog", "peak_backlog.ci95_low", "peak_backlog.ci95_high",
            "messages.created", "messages.created.ci95_low", "messages.created.ci95_high",
            "late.stat", "late.stat.ci95_low", "late.stat.ci95_high",
        ]  # fmt: skip
        rows = result.rows()
        assert [row[:3] for row in rows] == [
            ["1", "10min", 2], ["1", "30min", 2], ["2", "10min", 2], ["2", "30min", 2],
        ]  # fmt: skip
        for row, point in zip(rows, result.points, strict=True):
            fig = point.figures["peak_backlog"]
            assert row[6:9] == [round(fig.mean or 0, 6), *(round(v, 6) for v in fig.ci95 or ())]

    def test_points_share_their_random_numbers(self) -> None:
        """Points differ only by their parameters: a parameter that changes nothing simulated
        (the fault's name) gives the same figures at every point, replication by replication,
        while the replications differ from each other."""
        result = sweep(TINY, ["faults.0.name=a,b,c"], METRICS, replications=2)
        values = [[p.figures[m].values for m in METRICS] for p in result.points]
        assert values[0] == values[1] == values[2]
        assert values[0][2][0] != values[0][2][1]  # messages created in replication 0 and 1
        assert result.rows()[0][1:] == result.rows()[2][1:]

    def test_a_longer_stall_gives_a_larger_peak_at_each_connection_count(self) -> None:
        peaks = [p.figures["peak_backlog"].mean or 0 for p in tiny_sweep().points]
        assert peaks[1] > peaks[0] and peaks[3] > peaks[2]

    def test_to_json_holds_the_rows_by_column_and_the_grid(self) -> None:
        result = tiny_sweep()
        data = result.to_json()
        assert data["params"] == [
            {"key": "systems.lab.connections", "values": ["1", "2"]},
            {"key": "faults.0.for", "values": ["10min", "30min"]},
        ]
        assert data["points"] == [
            dict(zip(result.columns(), r, strict=True)) for r in result.rows()
        ]
        assert (data["scenario"], data["seed"], data["replications"]) == ("tiny", 7, 2)
        assert data["complete"] is True

    def test_an_unknown_metric_is_refused_before_anything_runs(self) -> None:
        points, _ = load_points(TINY, parse_params(GRID))
        executor = Backwards()
        with pytest.raises(ValueError, match="peak_backlogg"):
            run_points(points, parse_params(GRID), ["peak_backlogg"], executor=executor)
        assert executor.arrived == []


class Backwards:
    """An executor that runs every task, then hands the results back last first (as a
    cluster might hand them back in any order)."""

    workers = 2

    def __init__(self) -> None:
        self.arrived: list[int] = []

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], done: Any = None) -> list[Any]:
        results = [fn(item) for item in items]
        for i in reversed(range(len(items))):
            self.arrived.append(i)
            done(i, results[i])
        return results

    def describe(self) -> dict[str, Any]:
        return {"kind": "backwards"}


class TestExecutors:
    def test_rows_do_not_depend_on_the_order_results_arrive_in(self) -> None:
        params = parse_params(GRID)
        points, _ = load_points(TINY, params, flags=["replications=2"])
        executor = Backwards()
        shuffled = run_points(points, params, METRICS, executor=executor)
        assert executor.arrived == list(range(7, -1, -1))
        assert shuffled.rows() == run_points(points, params, METRICS).rows()

    def test_two_worker_processes_give_what_one_gives(self) -> None:
        assert tiny_sweep(jobs=2).to_json() == tiny_sweep(jobs=1).to_json()


class TestCache:
    def test_a_rerun_reuses_every_replication_and_gives_the_same_rows(self, tmp_path: Path) -> None:
        first = tiny_sweep(cache=tmp_path)
        assert (first.reused, first.ran) == (0, 8)
        assert len(list(tmp_path.glob("*/*.json"))) == 8
        again = tiny_sweep(cache=tmp_path)
        assert (again.reused, again.ran) == (8, 0)
        assert again.to_json() == first.to_json()

    def test_more_replications_reuse_the_first_ones(self, tmp_path: Path) -> None:
        """Replication i does not depend on how many run: a sweep with 3 reuses the 2 done."""
        tiny_sweep(cache=tmp_path)
        more = sweep(TINY, GRID, METRICS, replications=3, cache=tmp_path)
        assert (more.reused, more.ran) == (8, 4)
        assert more.to_json() == sweep(TINY, GRID, METRICS, replications=3).to_json()

    def test_a_changed_scenario_misses_the_cache(self, tmp_path: Path) -> None:
        tiny_sweep(cache=tmp_path)
        other = tiny_sweep(cache=tmp_path, sets=["systems.lab.ack=exponential(150ms)"])
        assert (other.reused, other.ran) == (0, 8)

    def test_an_unreadable_entry_is_run_again_and_replaced(self, tmp_path: Path) -> None:
        first = tiny_sweep(cache=tmp_path)
        entry = sorted(tmp_path.glob("*/*.json"))[0]
        entry.write_text('{"key": "trunc', encoding="utf-8")
        again = tiny_sweep(cache=tmp_path)
        assert (again.reused, again.ran) == (7, 1)
        assert again.to_json() == first.to_json()
        assert json.loads(entry.read_text())["key"] == entry.stem

    def test_the_key_is_what_decides_the_replication(self) -> None:
        base = load_scenario(TINY)
        key = replication_key(base, 0, "1.0")
        assert replication_key(base, 0, "1.0") == key
        assert replication_key(base.model_copy(update={"replications": 9}), 0, "1.0") == key
        assert replication_key(base, 1, "1.0") != key
        assert replication_key(base, 0, "1.1") != key
        assert replication_key(base.model_copy(update={"seed": 8}), 0, "1.0") != key
        other = load_scenario(TINY, ["faults.0.for=31min"])
        assert replication_key(other, 0, "1.0") != key

    def test_the_key_is_the_same_in_every_process(self) -> None:
        """No hash randomisation or object address leaks into the key (a rerun in a new
        process must find the entries)."""
        code = (
            "import json\n"
            "from sim.experiments.sweep_cache import canonical, replication_key\n"
            "from sim.scenario import load_scenario\n"
            f"print(replication_key(load_scenario({TINY!r}), 3, 'v'))\n"
            "print(json.dumps(canonical(frozenset('abcdefgh'))))\n"
        )
        keys = set()
        for hashseed in ("1", "2"):
            env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hashseed}
            out = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            keys.add(out.stdout.strip())
        one_set = json.dumps(canonical(frozenset("abcdefgh")))
        assert keys == {f"{replication_key(load_scenario(TINY), 3, 'v')}\n{one_set}"}

    def test_entries_are_written_whole(self, tmp_path: Path) -> None:
        cache = ReplicationCache(tmp_path, "v")
        cache.put("ab" + "0" * 62, {"summary": {"x": 1.5}, "complete": True, "stop_reason": ""})
        assert [p.name for p in tmp_path.rglob("*")] == ["ab", "ab" + "0" * 62 + ".json"]
        assert cache.get("ab" + "0" * 62) == {
            "summary": {"x": 1.5},
            "complete": True,
            "stop_reason": "",
        }
        assert cache.get("cd" + "0" * 62) is None


def test_sweep_is_in_the_public_api() -> None:
    assert sim.sweep is sweep
    assert "sweep" in sim.__all__ and "SweepResult" in sim.__all__
