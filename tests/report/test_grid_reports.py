"""The reports of a sweep and a plan: written by --report inside the folder, the same again
from `ehrsim report` without simulating, numbers that are sweep.json's and plan.json's (the
plan's sentence the one the command printed), Markdown whose tables parse and whose links
exist, and broken folders refused with exit 2, the file and what is wrong."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.report.content import figure_text
from sim.report.plan import answer_sentence
from sim.report.results import PARTIAL
from tests.report.conftest import SWEEP_LEFT_OUT, SWEEP_METRICS, Grids, invoke, read_json
from tests.report.parse import page, plain, table, targets, tokens

FIGURE = {"sweep": "sweep.png", "plan": "plan.png"}


def copy_without_report(source: Path, target: Path) -> Path:
    """The folder's own files (not its report) in a new folder."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("report"):
            shutil.copyfile(path, target / path.name)
    return target


def with_json(source: Path, target: Path, name: str, change: Callable[[Any], None]) -> Path:
    """A copy of the folder (without its report) whose JSON file ``name`` ``change`` edits."""
    folder = copy_without_report(source, target)
    data = read_json(folder / name)
    change(data)
    (folder / name).write_text(json.dumps(data))
    return folder


def folders_of(grids: Grids) -> list[tuple[Path, str]]:
    return [(grids.sweep, "sweep"), (grids.sweep2, "sweep"), (grids.plan, "plan")]


class TestFolders:
    def test_sweep_and_plan_write_kind_and_their_report_inside_the_folder(
        self, grids: Grids
    ) -> None:
        """run.json's kind; --report-format both: report.html, report.md and
        report-figures/ (the folder's figure) in the final folder, nothing left staged."""
        for folder, kind in folders_of(grids):
            record = read_json(folder / "run.json")
            assert record["kind"] == kind
            assert record["command"].endswith("--report-format both")
            assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
            figures = folder / "report-figures"
            assert [p.name for p in figures.iterdir()] == [FIGURE[kind]]
            assert (figures / FIGURE[kind]).read_bytes() == (folder / FIGURE[kind]).read_bytes()
            assert not [p for p in folder.parent.iterdir() if p.name.endswith(PARTIAL)]

    def test_report_gives_the_same_report_from_the_folder_without_simulating(
        self, grids: Grids, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`ehrsim report DIR --format both` on a copy without the report writes the report
        --report wrote, byte for byte, and never runs a replication."""

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise AssertionError("the report simulated")

        monkeypatch.setattr("sim.experiments.sweep.replicate", refuse)
        monkeypatch.setattr("sim.experiments.run.replicate", refuse)
        for source, _kind in folders_of(grids):
            folder = copy_without_report(source, tmp_path / source.name)
            result = invoke("report", str(folder), "--format", "both")
            assert result.exit_code == 0, result.output
            for name in ("report.html", "report.md"):
                assert (folder / name).read_bytes() == (source / name).read_bytes(), name

    def test_a_folder_without_kind_is_known_by_its_files(
        self, grids: Grids, tmp_path: Path
    ) -> None:
        """run.json without `kind`: sweep.json makes it a sweep's, plan.json a plan's."""
        for source, kind in folders_of(grids)[1:]:
            folder = with_json(source, tmp_path / source.name, "run.json", lambda r: r.pop("kind"))
            result = invoke("report", str(folder))
            assert result.exit_code == 0, result.output
            assert f"ehrsim {kind} report" in (folder / "report.html").read_text()

    def test_a_guard_stop_is_said_first(self, grids: Grids, tmp_path: Path) -> None:
        """A sweep or plan a guard cut short (complete false): the report says so under the
        title, with run.json's stop_reason."""
        for source, kind in folders_of(grids)[1:]:
            folder = with_json(
                source, tmp_path / source.name, f"{kind}.json", lambda d: d.update(complete=False)
            )
            record = read_json(folder / "run.json")
            record["stop_reason"] = "point 1/2 replication 0: limits.wall 1s"
            (folder / "run.json").write_text(json.dumps(record))
            assert invoke("report", str(folder)).exit_code == 0
            html = (folder / "report.html").read_text()
            assert (
                '<p class="alert">A guard stopped some replications (point 1/2 replication 0: '
                "limits.wall 1s): their figures cover only part.</p>" in html
            )


class TestSweepHtml:
    @pytest.mark.parametrize("which", ["sweep", "sweep2"])
    def test_every_cell_is_sweep_json(self, grids: Grids, which: str) -> None:
        """A cell per point and metric (but those left out): its data-value and interval are
        sweep.json's, its first line that mean for people, its interval (if its ends read
        differently) below."""
        folder = getattr(grids, which)
        data = read_json(folder / "sweep.json")
        points = data["points"]
        cells = page(folder / "report.html").metrics
        shown = [m for m in data["metrics"] if m not in SWEEP_LEFT_OUT]
        assert [(c["data-metric"], int(c["data-point"])) for c in cells] == [
            (m, k) for k in range(len(points)) for m in shown
        ]
        for c in cells:
            point, m = points[int(c["data-point"])], c["data-metric"]
            assert json.loads(c["data-value"]) == point[m]
            if point[f"{m}.ci95_low"] is None:
                assert "data-ci-low" not in c
            else:
                assert json.loads(c["data-ci-low"]) == point[f"{m}.ci95_low"]
                assert json.loads(c["data-ci-high"]) == point[f"{m}.ci95_high"]
            lines = c["text"].split("\n")
            assert lines[0] == figure_text(m, point[m])
            if len(lines) > 1 and " – " in lines[1]:  # an interval: its ends read differently
                low, high = lines[1].split(" – ")
                assert low != high and low == figure_text(m, point[f"{m}.ci95_low"])

    def test_what_is_missing_or_left_out_is_said(self, grids: Grids) -> None:
        """One connection never drains in time: its recovery time is '–' and the cell says
        'not recovered in 2/2' (from sweep.json's nulls); messages lost, 0 everywhere, and the
        STAT orders' order-to-result, with no value anywhere, are left out and named."""
        data = read_json(grids.sweep / "sweep.json")
        assert list(data["metrics"]) == list(SWEEP_METRICS)
        stat = {"order_to_result_all_s.stat.p95": {"nulls": 2, "no_fault": 0}}
        assert data["nulls"][0] == {"recovery_time_s": {"nulls": 2, "no_fault": 0}, **stat}
        assert data["nulls"][1:] == [stat, stat]
        parsed = page(grids.sweep / "report.html")
        first = next(c for c in parsed.metrics if c["data-metric"] == "recovery_time_s")
        assert first["text"].split("\n") == ["–", "not recovered in 2/2"]
        html = (grids.sweep / "report.html").read_text()
        assert "Left out, 0 at every point: lost. Left out, no value at any point: STAT " in html
        assert "How 6 metrics change with systems.server.connections: 3 points, 2" in html

    def test_the_figure_says_how_to_read_it(self, grids: Grids) -> None:
        """One parameter: curves in their band; two: heatmaps, which key is down and which
        across."""
        one = (grids.sweep / "report.html").read_text()
        two = (grids.sweep2 / "report.html").read_text()
        assert '<h2 id="figures">The curves</h2>' in one and "in its 95 % band" in one
        assert '<h2 id="figures">The heatmaps</h2>' in two
        assert "systems.server.connections down, faults.0.for across" in two

    def test_three_parameters_have_no_plot_and_the_report_says_so(
        self, grids: Grids, tmp_path: Path
    ) -> None:
        """A grid of three parameters has no sweep.png: the report says so, and still has the
        table of the points."""

        def third(data: Any) -> None:
            data["params"].append({"key": "seed", "values": ["1"]})
            for point in data["points"]:
                point["seed"] = "1"

        folder = with_json(grids.sweep2, tmp_path / "three", "sweep.json", third)
        (folder / "sweep.png").unlink()
        data = read_json(folder / "sweep.json")
        assert invoke("report", str(folder)).exit_code == 0
        html = (folder / "report.html").read_text()
        assert "No plot: a grid of 3 parameters has none (one or two)." in html
        assert "<img" not in html and "holds no figures" not in html
        assert len(page(folder / "report.html").metrics) == 2 * len(data["points"])


class TestPlanHtml:
    def test_the_answer_is_plan_json_and_the_sentence_the_commands(self, grids: Grids) -> None:
        """The answer card holds plan.json's answer; the sentence is the one `ehrsim plan`
        printed."""
        data = read_json(grids.plan / "plan.json")
        parsed = page(grids.plan / "report.html")
        (card,) = [e for e in parsed.elements if "data-answer" in e]
        assert json.loads(card["data-answer"]) == data["answer"] == 3
        assert card["text"].split("\n") == [
            "The smallest systems.server.connections that meets the target",
            "3",
        ]
        (sentence,) = [e for e in parsed.elements if "data-sentence" in e]
        printed = grids.plan_stdout.splitlines()[0]
        assert sentence["text"] == printed == answer_sentence(data)
        assert printed.startswith("drain: server needs 3 connections to recover within 2m 40s")

    def test_every_value_evaluated_with_its_figures_and_verdict(self, grids: Grids) -> None:
        """A row per point of plan.json, in order: its mean and interval, its verdict; the
        answer marked."""
        data = read_json(grids.plan / "plan.json")
        parsed = page(grids.plan / "report.html")
        cells = parsed.metrics
        assert len(cells) == len(data["points"]) >= 3
        for cell, point in zip(cells, data["points"], strict=True):
            assert cell["data-metric"] == "recovery_time_s"
            assert json.loads(cell["data-value"]) == point["mean"]
            assert json.loads(cell["data-ci-low"]) == point["ci95_low"]
            assert json.loads(cell["data-ci-high"]) == point["ci95_high"]
            assert cell["text"] == figure_text("recovery_time_s", point["mean"])
        verdicts = [e["text"] for e in parsed.elements if "data-verdict" in e]
        assert verdicts == [p["verdict"] for p in data["points"]]
        assert "not met" in verdicts and "met" in verdicts
        rows = {e["data-knob"]: e["text"] for e in parsed.elements if "data-knob" in e}
        assert list(rows) == [str(p["value"]) for p in data["points"]]
        assert rows["3"].startswith("3 (the answer)")
        skipped = 8 - len(data["points"])
        html = (grids.plan / "report.html").read_text()
        assert f"{skipped} of 8 values were not evaluated" in html


class TestMarkdown:
    def test_the_points_tables_parse(self, grids: Grids) -> None:
        """The sweeps' tables of points: a column per key and shown metric, a row per point,
        each cell's first line the mean for people."""
        for folder, keys in (
            (grids.sweep, ["systems.server.connections"]),
            (grids.sweep2, ["systems.server.connections", "faults.0.for"]),
        ):
            data = read_json(folder / "sweep.json")
            header, rows = table(tokens(folder / "report.md"), keys[0])
            shown = [m for m in data["metrics"] if m not in SWEEP_LEFT_OUT]
            assert len(header) == len(keys) + len(shown)
            assert header[: len(keys)] == keys
            assert len(rows) == len(data["points"])
            for row, point in zip(rows, data["points"], strict=True):
                assert row[: len(keys)] == [point[k] for k in keys]
                for m, cell in zip(shown, row[len(keys) :], strict=True):
                    assert plain(cell).split("\n")[0] == figure_text(m, point[m])

    def test_the_plan_table_parses(self, grids: Grids) -> None:
        """The values evaluated: a row per point with its replications, mean and verdict."""
        data = read_json(grids.plan / "plan.json")
        header, rows = table(tokens(grids.plan / "report.md"), "systems.server.connections")
        assert header[1:] == [
            "replications", "recovery time (mean)", "95 % interval", "one-sided 95 % bound",
            "verdict",
        ]  # fmt: skip
        assert [r[-1] for r in rows] == [p["verdict"] for p in data["points"]]
        assert [int(r[1]) for r in rows] == [p["replications"] for p in data["points"]]
        assert [plain(r[2]) for r in rows] == [
            figure_text("recovery_time_s", p["mean"]) for p in data["points"]
        ]
        assert "3 (the answer)" in [r[0] for r in rows]

    def test_every_link_and_image_exists(self, grids: Grids) -> None:
        """The one figure, relative to report.md, on disk."""
        for folder, kind in folders_of(grids):
            found = targets(tokens(folder / "report.md"))
            assert found == [f"report-figures/{FIGURE[kind]}"]
            assert (folder / found[0]).is_file()


def _no_file(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _json_edit(name: str, change: Callable[[Any], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = read_json(folder / name)
        change(data)
        (folder / name).write_text(json.dumps(data))

    return edit


def _not_json(folder: Path) -> None:
    (folder / "plan.json").write_text('{\n  "key": ,\n}')


BROKEN = {
    "no sweep.json": (
        "sweep", _no_file("sweep.json"),
        "{folder}: sweep.json missing; the results folder of ehrsim sweep holds run.json, "
        "sweep.json, scenario.yaml",
    ),
    "no run.json": ("plan", _no_file("run.json"), "{folder}: run.json missing; every results"),
    "plan.json without points": (
        "plan", _json_edit("plan.json", lambda d: d.pop("points")),
        "{folder}/plan.json: not ehrsim plan's plan.json (no 'points')",
    ),
    "a point without its value": (
        "sweep",
        _json_edit("sweep.json", lambda d: d["points"][1].pop("systems.server.connections")),
        "{folder}: sweep.json or run.json does not hold what ehrsim sweep writes (KeyError: "
        "'systems.server.connections')",
    ),
    "plan.json not JSON": (
        "plan", _not_json, "{folder}/plan.json: not valid JSON (line 2, column 10",
    ),
}  # fmt: skip
"""Broken folders: which folder, what breaks it, what the error says ({folder}: its path)."""


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_folder_is_refused(grids: Grids, tmp_path: Path, case: str) -> None:
    """Exit 2, the folder or file and what is wrong, and nothing written into the folder."""
    which, breaks, message = BROKEN[case]
    folder = copy_without_report(getattr(grids, which), tmp_path / "broken")
    breaks(folder)
    before = sorted(p.name for p in folder.iterdir())
    result = invoke("report", str(folder), "--format", "both")
    assert result.exit_code == 2
    assert f"error: {message.format(folder=folder)}" in " ".join(result.stderr.split())
    assert sorted(p.name for p in folder.iterdir()) == before
