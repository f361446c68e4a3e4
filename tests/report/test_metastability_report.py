"""The report of a metastability map: written by --report inside the folder, the same again
from `ehrsim report` without simulating, class counts and figures that are metastability.json's,
Markdown whose tables parse and whose links exist, and broken folders refused with exit 2, the
file and what is wrong."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from sim.report.content import figure_text
from sim.report.metastability_content import CLASS_MEANINGS, POINT_METRICS
from sim.report.results import PARTIAL
from tests.report.conftest import invoke, read_json
from tests.report.parse import page, plain, tables, targets, tokens

CLASSES = ["recovers", "recovering-at-horizon", "stays-degraded"]
POINTS_HEADER = [
    "variant", "magnitude", "duration", "class", "recovery time", "recovered share",
    "goodput share",
]  # fmt: skip


def copy_without_report(source: Path, target: Path) -> Path:
    """The folder's own files (not its report) in a new folder."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("report"):
            shutil.copyfile(path, target / path.name)
    return target


def expected_counts(data: Any) -> dict[str, dict[str, int]]:
    """Per variant, how many points of metastability.json fall in each class."""
    return {
        v: {c: Counter(p["class"] for p in data["points"] if p["variant"] == v)[c] for c in CLASSES}
        for v in data["variants"]
    }


def md_table(path: Path, header: list[str]) -> list[list[str]]:
    """The rows of the one table of report.md whose header is ``header``."""
    (rows,) = [rows for head, rows in tables(tokens(path)) if head == header]
    return rows


class TestFolder:
    def test_report_format_both_writes_the_report_inside_the_folder(self, meta: Path) -> None:
        """run.json's kind and command; report.html, report.md and report-figures/ (the phase
        diagram) in the final folder, nothing left staged."""
        record = read_json(meta / "run.json")
        assert record["kind"] == "metastability"
        assert record["command"].startswith("ehrsim metastability ")
        assert record["command"].endswith("--report-format both")
        assert (meta / "report.html").is_file() and (meta / "report.md").is_file()
        figures = meta / "report-figures"
        assert [p.name for p in figures.iterdir()] == ["metastability.png"]
        assert (figures / "metastability.png").read_bytes() == (
            meta / "metastability.png"
        ).read_bytes()
        assert not [p for p in meta.parent.iterdir() if p.name.endswith(PARTIAL)]

    def test_report_gives_the_same_report_from_the_folder_without_simulating(
        self, meta: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`ehrsim report DIR --format both` on a copy without the report writes the report
        --report wrote, byte for byte, and never runs a replication."""

        def refuse(*_args: Any, **_kwargs: Any) -> None:
            raise AssertionError("the report simulated")

        monkeypatch.setattr("sim.experiments.sweep.replicate", refuse)
        monkeypatch.setattr("sim.experiments.run.replicate", refuse)
        folder = copy_without_report(meta, tmp_path / "m")
        result = invoke("report", str(folder), "--format", "both")
        assert result.exit_code == 0, result.output
        for name in ("report.html", "report.md"):
            assert (folder / name).read_bytes() == (meta / name).read_bytes(), name

    def test_report_alone_writes_html_by_default(self, meta: Path, tmp_path: Path) -> None:
        """`--report` records itself as `--report` and writes report.html only."""
        folder = copy_without_report(meta, tmp_path / "m")
        record = read_json(folder / "run.json")
        record["command"] = record["command"].replace("--report-format both", "--report")
        (folder / "run.json").write_text(json.dumps(record))
        result = invoke("report", str(folder))
        assert result.exit_code == 0, result.output
        assert (folder / "report.html").is_file() and not (folder / "report.md").exists()

    def test_a_folder_without_kind_is_known_by_its_files(self, meta: Path, tmp_path: Path) -> None:
        folder = copy_without_report(meta, tmp_path / "m")
        record = read_json(folder / "run.json")
        record.pop("kind")
        (folder / "run.json").write_text(json.dumps(record))
        assert invoke("report", str(folder)).exit_code == 0
        assert "ehrsim metastability report" in (folder / "report.html").read_text()


class TestHtml:
    def test_the_map_really_has_several_classes(self, meta: Path) -> None:
        """The baseline stays degraded at one point and recovers at the others (so the counts
        below test something)."""
        counts = expected_counts(read_json(meta / "metastability.json"))
        assert counts["baseline"] == {
            "recovers": 3, "recovering-at-horizon": 0, "stays-degraded": 1,
        }  # fmt: skip
        assert counts["drain"] == {
            "recovers": 4, "recovering-at-horizon": 0, "stays-degraded": 0,
        }  # fmt: skip

    def test_the_class_counts_are_metastability_json(self, meta: Path) -> None:
        """A row per variant, a cell per class: its data-value and text are the count of the
        variant's points of that class in metastability.json."""
        data = read_json(meta / "metastability.json")
        parsed = page(meta / "report.html")
        variants = [
            e["data-variant"]
            for e in parsed.elements
            if e["tag"] == "tr" and "data-variant" in e and "data-point" not in e
        ]
        counted = [e for e in parsed.elements if "data-class" in e and "data-value" in e]
        assert variants == data["variants"]
        assert len(counted) == len(CLASSES) * len(variants)
        found = {
            v: {c["data-class"]: json.loads(c["data-value"]) for c in counted[k * 3 : k * 3 + 3]}
            for k, v in enumerate(variants)
        }
        for c in counted:
            assert c["text"] == f"{json.loads(c['data-value']):,}"
        assert found == expected_counts(data)

    def test_every_point_is_metastability_json(self, meta: Path) -> None:
        """A row per point, in order: its variant, magnitude, duration and class, and each
        figure's data-value is the json's, its text that figure for people."""
        data = read_json(meta / "metastability.json")
        parsed = page(meta / "report.html")
        rows = [e for e in parsed.elements if e["tag"] == "tr" and "data-point" in e]
        assert len(rows) == len(data["points"]) == 8
        for k, (row, point) in enumerate(zip(rows, data["points"], strict=True)):
            assert int(row["data-point"]) == k
            assert row["data-variant"] == point["variant"]
            assert json.loads(row["data-magnitude"]) == point["magnitude"]
            assert json.loads(row["data-duration-s"]) == point["duration_s"]
        classes = [e for e in parsed.elements if e["tag"] == "td" and "data-class" in e]
        shown = [json.loads(c["data-class"]) for c in classes if "data-value" not in c]
        assert shown == [p["class"] for p in data["points"]]
        cells = parsed.metrics
        assert [(c["data-metric"], int(c["data-point"])) for c in cells] == [
            (m, k) for k in range(len(data["points"])) for m in POINT_METRICS
        ]
        for c in cells:
            point = data["points"][int(c["data-point"])]
            value = point[c["data-metric"]]
            assert json.loads(c["data-value"]) == value
            text = figure_text(c["data-metric"], value)
            assert c["text"] == (text if value is not None else "– (not recovered)")

    def test_what_was_mapped_and_what_the_classes_mean(self, meta: Path) -> None:
        html = (meta / "report.html").read_text()
        assert "The fault: <code>faults.0: engine-stall &#39;engine stall&#39;</code>" in html
        assert "faults.0.severity" in html and "0.1, 0.5" in html
        assert "faults.0.for" in html and "3s, 30s" in html
        assert "4 points per variant, 2 variants, 2 replications per point from seed 3" in html
        for meaning in CLASS_MEANINGS.values():
            assert escape(meaning) in html
        assert '<h2 id="figures">The phase diagram</h2>' in html
        assert 'data-figure="metastability.png"' in html


class TestMarkdown:
    def test_the_tables_parse_and_hold_metastability_json(self, meta: Path) -> None:
        """The classes: a row per variant with the json's counts; the points: a row per point
        with its values, class and figures for people."""
        data = read_json(meta / "metastability.json")
        counts = md_table(meta / "report.md", ["variant", *CLASSES])
        assert {r[0]: dict(zip(CLASSES, map(int, r[1:]), strict=True)) for r in counts} == (
            expected_counts(data)
        )
        rows = md_table(meta / "report.md", POINTS_HEADER)
        assert len(rows) == len(data["points"])
        for row, point in zip(rows, data["points"], strict=True):
            assert row[0] == point["variant"]
            assert float(row[1]) == point["magnitude"]
            assert row[2] == f"{point['duration_s']:g}s"
            assert plain(row[3]).split("\n")[0] == point["class"]
            for m, cell in zip(POINT_METRICS, row[4:], strict=True):
                if point[m] is None:
                    assert plain(cell) == "– (not recovered)"
                else:
                    assert plain(cell) == figure_text(m, point[m])
        meanings = md_table(meta / "report.md", ["class", "what it means"])
        assert [r[0] for r in meanings] == CLASSES

    def test_every_link_and_image_exists(self, meta: Path) -> None:
        found = targets(tokens(meta / "report.md"))
        assert found == ["report-figures/metastability.png"]
        assert (meta / found[0]).is_file()


def _no_file(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _json_edit(change: Callable[[Any], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = read_json(folder / "metastability.json")
        change(data)
        (folder / "metastability.json").write_text(json.dumps(data))

    return edit


BROKEN = {
    "no metastability.json": (
        _no_file("metastability.json"),
        "{folder}: metastability.json missing; the results folder of ehrsim metastability "
        "holds run.json, metastability.json, scenario.yaml",
    ),
    "no scenario.yaml": (
        _no_file("scenario.yaml"),
        "{folder}: scenario.yaml missing; the results folder of ehrsim metastability holds",
    ),
    "metastability.json without points": (
        _json_edit(lambda d: d.pop("points")),
        "{folder}/metastability.json: not ehrsim metastability's metastability.json (no 'points')",
    ),
    "a point without its class": (
        _json_edit(lambda d: d["points"][1].pop("class")),
        "{folder}: metastability.json or run.json does not hold what ehrsim metastability "
        "writes (KeyError: 'class')",
    ),
}
"""Broken folders: what breaks them, what the error says ({folder}: its path)."""


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_folder_is_refused(meta: Path, tmp_path: Path, case: str) -> None:
    """Exit 2, the folder or file and what is wrong, and nothing written into the folder."""
    breaks, message = BROKEN[case]
    folder = copy_without_report(meta, tmp_path / "broken")
    breaks(folder)
    before = sorted(p.name for p in folder.iterdir())
    result = invoke("report", str(folder), "--format", "both")
    assert result.exit_code == 2
    assert f"error: {message.format(folder=folder)}" in " ".join(result.stderr.split())
    assert sorted(p.name for p in folder.iterdir()) == before
