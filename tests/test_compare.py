"""`ehrsim compare` and `sim.experiments.compare`: common random numbers, ranking, files."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.cli.compare import split_columns
from sim.experiments.compare import (
    DEFAULT_METRICS,
    Comparison,
    Figure,
    check_metrics,
    compare,
    parse_variant,
    rank,
)
from sim.experiments.run import run
from sim.metrics.stats import t95
from sim.model.world import World
from sim.report.comparison import COMPARE_FILES, VARIANTS, comparison_columns, figure_text
from sim.report.results import PARTIAL
from sim.report.tables import Section
from sim.scenario import ScenarioError, load_variants

ROOT = Path(__file__).resolve().parent.parent
LONG = str(Path(__file__).parent / "data" / "long.yaml")

# Covers: compare on a small world where one design is clearly better.
# Scenario: two destinations under HL7 strict order; at 08:30 the next lab order is refused
#   (a poison message) until the analyst, called at once, fixes it 30 minutes later. With a
#   queue per destination only the lab waits; with one shared queue the lab's waiting
#   messages take every worker and the radiology interface plugs too. ~2,400 messages.
POISON = """\
name: poison-small
seed: 3
start: 2026-01-05T08:00
horizon: 2h
replications: 2
flows:
  orders:
    from: ehr
    to: lab
    rate: 600/h
    priority: {stat: 0.3, routine: 0.7}
    deadline: {stat: 20min, routine: 4h}
    reply: {flow: results, after: constant(5min)}
  results: {from: lab, to: ehr}
  imaging: {from: ehr, to: ris, rate: 600/h, priority: {stat: 0.3, routine: 0.7}}
systems:
  lab: {ack: exponential(100ms)}
  ris: {ack: exponential(100ms)}
  ehr: {ack: exponential(100ms)}
strategy: {order: strict, retry: {backoff: fixed, first: 30s}}
faults:
  - {name: poison order, kind: poison-message, target: lab, at: "08:30"}
staff:
  analysts: {count: 1, respond: 20min, fix: constant(10min), start_on_alert: false}
hypotheses:
  - {metric: queues.ris.peak_backlog, below: 20}
compare:
  shared: {strategy: {queues: shared}}
"""

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the CLI in this process; its files land in the current directory."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def poison_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small poison-message world as a scenario file."""
    path = tmp_path_factory.mktemp("poison") / "poison.yaml"
    path.write_text(POISON)
    return path


@pytest.fixture(scope="module")
def comparison(poison_file: Path) -> Comparison:
    """The world's baseline and shared-queue variants, three replications, in this process."""
    return compare(load_variants(poison_file), replications=3, jobs=1)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test in an empty current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def cli_run(
    poison_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Result, Path]]:
    """`ehrsim compare poison.yaml --variant ... --jobs 1`: its result and results folder."""
    cwd = tmp_path_factory.mktemp("cli")
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = invoke(
            "compare", str(poison_file), "--jobs", "1",
            "--variant",
            "two-connections: {systems: {lab: {connections: 3, strategy: {order: per-patient}}}}",
        )  # fmt: skip
    finally:
        os.chdir(old)
    folders = list((cwd / "results" / "poison-small").iterdir())
    assert len(folders) == 1, folders
    yield result, folders[0]


class TestCommonRandomNumbers:
    def test_variants_of_one_replication_see_identical_arrivals_patients_and_priorities(
        self, poison_file: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Replication i of every variant creates the same orders at the same times."""
        seen: dict[tuple[str, int], list[tuple[float, str, int, int]]] = {}
        original = World._arrival

        def recording(world: World, flow: Any, cls: int, patient: int) -> object:
            key = (world.scenario.strategy.queues, world.replication)
            seen.setdefault(key, []).append((world.env.now, flow.id, cls, patient))
            return original(world, flow, cls, patient)

        monkeypatch.setattr(World, "_arrival", recording)
        result = compare(load_variants(poison_file), replications=2, jobs=1)
        a, b = seen[("per-destination", 0)], seen[("shared", 0)]
        assert len(a) > 1500
        assert {flow for _, flow, _, _ in a} == {"orders", "imaging"}
        assert {cls for _, _, cls, _ in a} == {0, 2}  # stat and routine
        assert a == b
        assert seen[("per-destination", 1)] == seen[("shared", 1)]
        assert seen[("per-destination", 1)] != a  # replications differ from each other
        faults = {
            name: [
                (e.time_s, e.target)
                for e in v.result.replications[0].events
                if e.kind == "fault-start"
            ]
            for name, v in result.variants.items()
        }
        assert faults["baseline"] == faults["shared"] == [(1800.0, "lab")]

    def test_each_variant_is_exactly_what_run_gives_it(
        self, comparison: Comparison, poison_file: Path
    ) -> None:
        """A variant's summary equals `run` of that variant with the same seed and replications."""
        shared = load_variants(poison_file)["shared"]
        alone = run(shared, seed=comparison.seed, replications=3)
        assert comparison.variants["shared"].summary == alone.summary


class TestRankingAndIntervals:
    def test_the_bulkheaded_design_ranks_first(self, comparison: Comparison) -> None:
        """Per-destination queues beat one shared queue on peak backlog, by far."""
        assert comparison.ranking == ["baseline", "shared"]
        base = comparison.variants["baseline"].figures
        shared = comparison.variants["shared"].figures
        assert base["peak_backlog"].mean is not None and shared["peak_backlog"].mean is not None
        assert shared["peak_backlog"].mean > 1.5 * base["peak_backlog"].mean
        ci_base, ci_shared = base["peak_backlog"].ci95, shared["peak_backlog"].ci95
        assert ci_base is not None and ci_shared is not None
        assert ci_base[1] < ci_shared[0]  # the intervals do not overlap

    def test_mean_and_interval_come_from_the_replications(self, comparison: Comparison) -> None:
        """The mean and the t-based 95 % interval of each replication's own figure."""
        v = comparison.variants["shared"]
        values = [float(r.summary["peak_backlog"]) for r in v.result.replications]
        fig = v.figures["peak_backlog"]
        assert list(fig.values) == values
        mean = sum(values) / 3
        sd = math.sqrt(sum((x - mean) ** 2 for x in values) / 2)
        half = t95(2) * sd / math.sqrt(3)
        assert fig.mean == pytest.approx(mean)
        assert fig.ci95 == pytest.approx((mean - half, mean + half))
        assert t95(2) == 4.303

    def test_failed_hypotheses_and_recovered_share_are_per_variant(
        self, comparison: Comparison
    ) -> None:
        """Only the shared queue plugs radiology, so only it fails the bulkhead hypothesis."""
        assert comparison.variants["baseline"].failed_hypotheses == []
        failed = comparison.variants["shared"].failed_hypotheses
        assert [h["metric"] for h in failed] == ["queues.ris.peak_backlog"]
        assert comparison.variants["baseline"].recovered_share == 1.0

    def test_a_tie_is_broken_by_the_next_metric(self) -> None:
        """Equal on the first metric, the lower second metric ranks first."""
        figures = {
            "a": {"x": Figure("x", (1.0, 1.0)), "y": Figure("y", (5.0, 5.0))},
            "b": {"x": Figure("x", (1.0, 1.0)), "y": Figure("y", (2.0, 2.0))},
            "c": {"x": Figure("x", (0.5, 0.5)), "y": Figure("y", (9.0, 9.0))},
        }
        assert rank(figures, ["x", "y"]) == ["c", "b", "a"]
        assert rank(figures, ["x"]) == ["c", "a", "b"]  # a full tie keeps the given order

    def test_not_recovering_ranks_worst_and_no_fault_ranks_best(self) -> None:
        """Null recovery in some replications ranks below every fully recovered variant."""
        m = "recovery_time_s"
        figures = {
            "fast-but-stuck": {m: Figure(m, (60.0, None))},
            "slow": {m: Figure(m, (7200.0, 7000.0))},
            "never": {m: Figure(m, (None, None))},
            "no-fault": {m: Figure(m, (None, None), no_fault=2)},
        }
        assert rank(figures, [m]) == ["no-fault", "slow", "fast-but-stuck", "never"]
        stuck = figures["fast-but-stuck"][m]
        assert (stuck.mean, stuck.ci95, stuck.nulls, stuck.missing) == (60.0, None, 1, 1)

    def test_the_figure_json_has_mean_interval_and_values(self) -> None:
        """summary.json's figure: mean, ci95 (null with fewer than two values), values, nulls."""
        fig = Figure("late.stat", (11.0, 12.0, 13.0, None))
        data = fig.to_json()
        assert data["mean"] == 12.0 and data["values"] == [11.0, 12.0, 13.0, None]
        half = 4.303 / math.sqrt(3)
        assert data["ci95"] == pytest.approx([12.0 - half, 12.0 + half], abs=1e-6)
        assert data["nulls"] == 1
        assert Figure("late.stat", (0.0, 0.0, 3.0)).to_json()["ci95"][0] == 0  # counts: not < 0
        assert Figure("late.stat", (1.0,)).to_json()["ci95"] is None


class TestCommand:
    def test_compare_exits_0_with_a_failed_hypothesis_and_shows_it(
        self, cli_run: tuple[Result, Path]
    ) -> None:
        """A variant that fails a hypothesis is shown in the table; the exit code stays 0."""
        result, _ = cli_run
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "Ranked by recovery time (lower is better; ties broken by the next metric)" in out
        assert "queues.ris.peak_backlog" in out  # the shared queue's failed hypothesis
        assert "not recovered" not in out
        assert "hypotheses failed in: shared" in result.stderr
        assert "simulating" in result.stderr

    def test_the_table_ranks_every_variant_with_intervals(
        self, cli_run: tuple[Result, Path]
    ) -> None:
        """Every variant has its place and each metric its mean ± half-width."""
        out = cli_run[0].stdout
        labels = ("peak backlog", "late STAT", "STAT order→result p95", "order violations")
        for text in ("baseline", "shared", "two-connections", "recovered", " ± ", *labels):
            assert text in out
        assert re.search(r"1\. \S+ .* ± .*\n", out)
        assert {"2. ", "3. "} <= {m.group(0) for m in re.finditer(r"\d\. ", out)}
        assert out.rstrip().endswith(f"results: results/poison-small/{cli_run[1].name}")

    def test_the_results_folder_holds_exactly_its_files(self, cli_run: tuple[Result, Path]) -> None:
        """compare-<run-id>/ holds scenario.yaml, summary.json, comparison.csv, run.json, PNGs
        and a folder per variant."""
        _, folder = cli_run
        assert folder.name.startswith("compare-") and folder.name.endswith("-s3")
        assert {p.name for p in folder.iterdir()} == {*COMPARE_FILES, VARIANTS}
        assert [p.name for p in folder.parent.iterdir()] == [folder.name]
        for png in ("backlog.png", "destinations.png", "metrics.png"):
            assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_comparison_csv_has_one_row_per_variant(self, cli_run: tuple[Result, Path]) -> None:
        """One row per variant (best first) with the variant, its rank and each metric's CI."""
        _, folder = cli_run
        rows = read_csv(folder / "comparison.csv")
        assert list(rows[0]) == comparison_columns(DEFAULT_METRICS)
        assert list(rows[0])[:6] == [
            "variant", "rank", "recovery_time_s", "recovery_time_s.ci95_low",
            "recovery_time_s.ci95_high", "recovery_time_s.nulls",
        ]  # fmt: skip
        assert sorted(r["variant"] for r in rows) == ["baseline", "shared", "two-connections"]
        assert [r["rank"] for r in rows] == ["1", "2", "3"]
        shared = next(r for r in rows if r["variant"] == "shared")
        assert shared["hypotheses_failed"] == "queues.ris.peak_backlog"
        assert shared["overlay"] == "strategy.queues=shared"
        assert float(shared["peak_backlog.ci95_low"]) < float(shared["peak_backlog"])

    def test_summary_json_has_every_variant_and_the_ranking(
        self, cli_run: tuple[Result, Path]
    ) -> None:
        """summary.json: seed, replications, metrics, each variant's overlay/summary/figures."""
        _, folder = cli_run
        data = json.loads((folder / "summary.json").read_text())
        assert list(data)[:4] == ["format_version", "scenario", "seed", "replications"]
        assert (data["scenario"], data["seed"], data["replications"]) == ("poison-small", 3, 2)
        assert data["metrics"] == list(DEFAULT_METRICS)
        assert list(data["variants"]) == ["baseline", "shared", "two-connections"]
        assert sorted(data["ranking"]) == sorted(data["variants"])
        extra = data["variants"]["two-connections"]
        assert extra["overlay"] == {
            "systems": {"lab": {"connections": 3, "strategy": {"order": "per-patient"}}}
        }
        assert data["variants"]["baseline"]["overlay"] == {}
        assert extra["summary"]["scenario"] == "poison-small"
        figure = extra["figures"]["peak_backlog"]
        assert set(figure) == {"mean", "ci95", "values", "nulls", "no_fault"}
        assert len(figure["values"]) == 2 and len(figure["ci95"]) == 2

    def test_scenario_yaml_holds_every_variant_that_ran(self, cli_run: tuple[Result, Path]) -> None:
        """The base scenario is written with the --variant overlays in its compare section."""
        text = (cli_run[1] / "scenario.yaml").read_text()
        assert "name: poison-small" in text
        assert "shared:" in text and "two-connections:" in text

    def test_summary_json_is_byte_identical_whatever_the_workers(
        self, poison_file: Path, in_tmp: Path
    ) -> None:
        """The same inputs give the same summary.json bytes, in one process or on two."""
        common = ("compare", str(poison_file), "-q", "--replications", "2", "--metric", "late.stat")
        assert invoke(*common, "--jobs", "1", "--out", "a").exit_code == 0
        assert invoke(*common, "--jobs", "2", "--out", "b").exit_code == 0
        a, b = (in_tmp / d / "summary.json" for d in ("a", "b"))
        assert a.read_bytes() == b.read_bytes()
        assert (in_tmp / "a" / "comparison.csv").read_bytes() == (
            in_tmp / "b" / "comparison.csv"
        ).read_bytes()

    def test_metric_replaces_the_default_set(self, poison_file: Path, in_tmp: Path) -> None:
        """--metric names the compared metrics, the first ranking; a per-queue one is accepted."""
        result = invoke(
            "compare", str(poison_file), "-q", "--jobs", "1", "--replications", "1",
            "--out", "o", "--metric", "queues.ris.peak_backlog", "--metric", "late.stat",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.stdout == "o\n"
        rows = read_csv(in_tmp / "o" / "comparison.csv")
        assert list(rows[0]) == comparison_columns(["queues.ris.peak_backlog", "late.stat"])
        assert [r["variant"] for r in rows] == ["baseline", "shared"]
        assert rows[0]["queues.ris.peak_backlog.ci95_low"] == ""  # one replication: no interval

    def test_a_guard_stop_exits_3_with_the_results_marked_incomplete(
        self, poison_file: Path, in_tmp: Path
    ) -> None:
        """A variant stopped at limits.queued: results written, complete false, exit 3."""
        result = invoke(
            "compare", str(poison_file), "-q", "--jobs", "1", "--replications", "1",
            "--out", "o", "--set", "limits.queued=50", "--metric", "peak_backlog",
        )  # fmt: skip
        assert result.exit_code == 3
        assert "stopped at a guard" in result.stderr
        assert json.loads((in_tmp / "o" / "summary.json").read_text())["complete"] is False


class TestBadInput:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("fast", "--variant fast: 'fast' is not NAME: {overlay}"),
            ("fast: 3", "--variant fast: a variant is a mapping laid over the scenario"),
            ("fast: {strategy: {queues: shared}", "--variant fast: "),
            ("{a: {}, b: {}}", "--variant: 'a', 'b': one variant per --variant"),
            ("baseline: {faults: []}", "--variant baseline: 'baseline' names the scenario"),
            ("a.b: {faults: []}", "--variant a.b: 'a.b' is not a valid variant name"),
            ("x: {extends: other.yaml}", "--variant x.extends: a variant cannot contain"),
        ],
    )
    def test_a_bad_variant_text_names_the_variant_and_the_problem(
        self, text: str, message: str
    ) -> None:
        """parse_variant refuses text that is not one NAME: {overlay} pair, saying why."""
        with pytest.raises(ScenarioError) as caught:
            parse_variant(text)
        assert str(caught.value).startswith(message)

    def test_a_variant_reads_clock_times_as_written(self) -> None:
        """The overlay is YAML with the loader's rules: an unquoted 14:00 stays text."""
        name, overlay = parse_variant("late: {faults: [{kind: surge, at: 14:00, severity: 2}]}")
        assert name == "late"
        assert overlay == {"faults": [{"kind": "surge", "at": "14:00", "severity": 2}]}

    def test_a_bad_variant_exits_2_and_writes_nothing(
        self, poison_file: Path, in_tmp: Path
    ) -> None:
        """A malformed --variant, or one whose values are wrong, is bad input: exit 2."""
        result = invoke("compare", str(poison_file), "--variant", "fast")
        assert result.exit_code == 2
        assert "--variant fast:" in result.stderr
        result = invoke("compare", str(poison_file), "--variant", "x: {strategy: {queues: sharde}}")
        assert result.exit_code == 2
        assert "compare variant 'x': strategy.queues: 'sharde' is not a queue layout" in (
            result.stderr
        )
        assert "Traceback" not in result.output
        assert list(in_tmp.iterdir()) == []

    def test_an_unknown_metric_exits_2_with_a_suggestion(
        self, poison_file: Path, in_tmp: Path
    ) -> None:
        """--metric is checked against the registry and the scenario's systems and flows."""
        result = invoke(
            "compare", str(poison_file), "--metric", "recovery_tme_s",
            "--metric", "queues.labx.peak_backlog",
        )  # fmt: skip
        assert result.exit_code == 2
        assert "unknown metric 'recovery_tme_s'; did you mean 'recovery_time_s'?" in result.stderr
        assert "did you mean 'queues.lab.peak_backlog'?" in result.stderr
        assert list(in_tmp.iterdir()) == []

    def test_known_metrics_follow_the_scenario(self, poison_file: Path) -> None:
        """Per-system, per-flow and per-class paths exist only for the scenario's ids."""
        scenarios = load_variants(poison_file).values()
        assert check_metrics(list(DEFAULT_METRICS), scenarios) == []
        good = ["queues.ris.oldest_age_s", "latency_s.imaging.stat.p99", "late_share.stat",
                "order_to_result_s.orders.routine.late"]  # fmt: skip
        assert check_metrics(good, scenarios) == []
        bad = check_metrics(["order_to_result_s.imaging.stat.p95", "peak_backlog", "peak_backlog"],
                            scenarios)  # fmt: skip
        assert bad[0].startswith("unknown metric 'order_to_result_s.imaging.stat.p95'")
        assert bad[1] == "metric 'peak_backlog' is named twice"

    def test_a_scenario_without_variants_exits_2(self, in_tmp: Path) -> None:
        """Nothing to compare: say how to add variants."""
        tiny = str(Path(__file__).parent / "data" / "tiny.yaml")
        result = invoke("compare", tiny)
        assert result.exit_code == 2
        assert "has no compare variants" in result.stderr and "--variant" in result.stderr


class TestInterrupt:
    def test_sigterm_mid_compare_exits_143_and_leaves_nothing(self, tmp_path: Path) -> None:
        """SIGTERM during the comparison exits 143 and removes the temporary folder."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "compare", LONG, "-q", "--jobs", "1",
             "--variant", "shared: {strategy: {queues: shared}}"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        base = tmp_path / "results" / "long"
        deadline = time.monotonic() + 60
        while not list(base.glob(f".*{PARTIAL}/scenario.yaml")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no temporary folder"
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 143, stderr
        assert stderr.strip().endswith("interrupted") and "Traceback" not in stderr
        assert stdout == ""
        assert list(base.iterdir()) == []


class TestTable:
    def test_a_wide_table_is_cut_into_parts_that_fit_the_screen(self) -> None:
        """Each part fits the width, repeats the variant column and keeps the column order."""
        header = ("variant", *(f"metric {i}" for i in range(12)))
        section = Section("title", header, [("1. a", *("12,345 ± 678",) * 12)])
        parts = split_columns(section, 80)
        assert len(parts) > 1 and parts[0].title == "title"
        assert [h for p in parts for h in p.header[1:]] == list(header[1:])
        for part in parts:
            assert part.header[0] == "variant"
            assert 1 + sum(3 + max(len(h), 12) for h in part.header) <= 80

    def test_a_figure_says_how_often_it_did_not_recover(self) -> None:
        """Recovery null in some replications: the mean of the others, then "not recovered"."""
        text = figure_text(Figure("recovery_time_s", (3600.0, None, 3700.0)))
        assert text.startswith("1h 00m ± ")
        assert text.endswith("\nnot recovered in 1/3")
        assert figure_text(Figure("recovery_time_s", (None, None))) == "not recovered in 2/2"
        assert figure_text(Figure("recovery_time_s", (None,), no_fault=1)) == "no fault"
        assert figure_text(Figure("peak_backlog", (7.0, 7.0))) == "7"  # no interval of width 0
