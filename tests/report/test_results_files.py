"""What `run` and `compare` now write for the report: `kind` in run.json, each variant's
timeseries.csv and events.csv, and the report itself with `--report`."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from sim.report.comparison import VARIANTS, variant_folder
from sim.report.results import PARTIAL
from tests.report.conftest import Folders, invoke, read_json


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class TestKind:
    def test_run_json_says_which_command_wrote_the_folder(self, folders: Folders) -> None:
        """run.json's `kind` is `run` for a run and `compare` for a comparison."""
        assert read_json(folders.run / "run.json")["kind"] == "run"
        assert read_json(folders.compare / "run.json")["kind"] == "compare"


class TestVariantFiles:
    def test_every_variant_has_its_timeseries_and_events(self, folders: Folders) -> None:
        """variants/<name>/ holds timeseries.csv and events.csv for each variant, no more."""
        names = read_json(folders.compare / "summary.json")["variants"]
        assert list(names) == ["baseline", "expire", "shared"]
        found = {
            p.name: sorted(q.name for q in p.iterdir())
            for p in (folders.compare / VARIANTS).iterdir()
        }
        assert found == {name: ["events.csv", "timeseries.csv"] for name in names}

    def test_the_baseline_files_are_those_of_a_run(self, folders: Folders) -> None:
        """Under common random numbers the baseline is the run of the same scenario and seed:
        its timeseries.csv and events.csv are byte for byte the run's."""
        baseline = folders.compare / VARIANTS / "baseline"
        for name in ("timeseries.csv", "events.csv"):
            assert (baseline / name).read_bytes() == (folders.run / name).read_bytes()

    def test_a_variant_has_its_own_samples(self, folders: Folders) -> None:
        """The shared-queue variant's physical queues differ from the baseline's: `lane.shared`
        replaces a lane per destination; both cover the two replications at the same times."""
        base = rows(folders.compare / VARIANTS / "baseline" / "timeseries.csv")
        shared = rows(folders.compare / VARIANTS / "shared" / "timeseries.csv")
        assert "lane.shared" in shared[0] and "lane.shared" not in base[0]
        assert "lane.lab" in base[0]
        assert [(r["replication"], r["time_s"]) for r in shared] == [
            (r["replication"], r["time_s"]) for r in base
        ]
        assert {r["replication"] for r in shared} == {"0", "1"}
        faults = [r for r in rows(folders.compare / VARIANTS / "expire" / "events.csv")]
        assert ("fault-start", "lab", "lab down") in {
            (r["kind"], r["target"], r["detail"]) for r in faults
        }

    def test_a_variant_name_is_one_safe_folder_name(self) -> None:
        """Names keep letters, digits, '-' and '_'; anything else is percent-encoded, so no
        name can reach outside variants/."""
        assert variant_folder("per-patient_2") == "per-patient_2"
        assert variant_folder("a/b") == "a%2Fb"
        assert variant_folder("..\\x y") == "..%5Cx%20y"
        assert "/" not in variant_folder("../../etc")


class TestReportFlag:
    def test_run_and_compare_write_the_report_inside_their_folder(self, folders: Folders) -> None:
        """--report-format both: report.html, report.md and report-figures/ are in the final
        folder, nothing is left staged beside it, and run.json's command says so."""
        for folder in (folders.run, folders.compare):
            assert (folder / "report.html").is_file()
            assert (folder / "report.md").is_file()
            assert (folder / "report-figures" / "backlog.png").read_bytes() == (
                folder / "backlog.png"
            ).read_bytes()
            assert not [p for p in folder.parent.iterdir() if p.name.endswith(PARTIAL)]
            assert read_json(folder / "run.json")["command"].endswith("--report-format both")

    def test_report_alone_writes_html_into_the_results_folder(
        self, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`run --report`: report.html only, in results/<name>/<run-id>/ (no --out)."""
        monkeypatch.chdir(tmp_path)
        result = invoke("run", str(world), "--replications", "1", "--jobs", "1", "-q", "--report")
        assert result.exit_code == 0, result.output
        folder = Path(result.stdout.strip())
        assert folder.parent == Path("results") / "report-world"
        names = {p.name for p in folder.iterdir()}
        assert "report.html" in names and "report.md" not in names
        assert "Small world for the report" in (folder / "report.html").read_text()
        assert read_json(folder / "run.json")["command"].endswith("--report")
        assert [p.name for p in folder.parent.iterdir()] == [folder.name]


class TestBadFolders:
    @pytest.fixture
    def place(self, tmp_path: Path) -> Path:
        (tmp_path / "empty").mkdir()
        (tmp_path / "file.txt").write_text("x")
        other = tmp_path / "other"
        other.mkdir()
        (other / "notes.txt").write_text("x")
        return tmp_path

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("missing", "missing: no such folder"),
            ("file.txt", "file.txt: is a file, not a results folder"),
            ("empty", "empty: not a results folder of ehrsim (no run.json, scenario.yaml, "
             "summary.json, sweep.json, plan.json, metastability.json)"),
            ("other", "other: not a results folder of ehrsim"),
        ],
    )  # fmt: skip
    def test_not_a_results_folder(self, place: Path, name: str, message: str) -> None:
        """Exit 2 with the folder and what it is; nothing is written anywhere."""
        before = sorted(p.relative_to(place) for p in place.rglob("*"))
        result = invoke("report", str(place / name), "--format", "both")
        assert result.exit_code == 2
        assert f"error: {place / name}"[: -len(name)] in result.stderr
        assert message in " ".join(result.stderr.split())
        assert sorted(p.relative_to(place) for p in place.rglob("*")) == before

    def _copy(self, source: Path, target: Path) -> Path:
        target.mkdir()
        for name in ("run.json", "summary.json", "scenario.yaml", "events.csv", "backlog.png"):
            (target / name).write_bytes((source / name).read_bytes())
        return target

    def test_a_folder_of_another_kind(self, folders: Folders, tmp_path: Path) -> None:
        """A folder of a kind the report does not read (run.json kind 'theory') is refused by
        name, nothing written."""
        folder = self._copy(folders.run, tmp_path / "theory")
        record = read_json(folder / "run.json")
        record["kind"] = "theory"
        (folder / "run.json").write_text(json.dumps(record))
        before = sorted(p.name for p in folder.iterdir())
        result = invoke("report", str(folder))
        assert result.exit_code == 2
        text = " ".join(result.stderr.split())
        assert (
            f"error: {folder}: the results of ehrsim theory; ehrsim report reads the "
            "folders of run, compare, sweep, plan and metastability only" in text
        )
        assert sorted(p.name for p in folder.iterdir()) == before

    def test_a_broken_file_is_named_with_its_line(self, folders: Folders, tmp_path: Path) -> None:
        """summary.json that is not JSON: the file, line and column; exit 2, nothing written."""
        folder = self._copy(folders.run, tmp_path / "broken")
        (folder / "summary.json").write_text('{\n  "messages": {,\n}')
        result = invoke("report", str(folder), "--format", "md")
        assert result.exit_code == 2
        assert f"{folder / 'summary.json'}: not valid JSON (line 2, column 16" in " ".join(
            result.stderr.split()
        )
        assert not (folder / "report.md").exists() and not (folder / "report-figures").exists()

    def test_a_missing_file_is_named(self, folders: Folders, tmp_path: Path) -> None:
        """A results folder without its scenario.yaml: named; exit 2."""
        folder = self._copy(folders.run, tmp_path / "noscenario")
        (folder / "scenario.yaml").unlink()
        result = invoke("report", str(folder))
        assert result.exit_code == 2
        assert (
            "scenario.yaml missing; the results folder of ehrsim run holds run.json, "
            "summary.json, scenario.yaml" in " ".join(result.stderr.split())
        )
        assert not (folder / "report.html").exists()


class TestReportCommand:
    def test_report_rewrites_the_report_from_the_folder(
        self, folders: Folders, tmp_path: Path
    ) -> None:
        """`ehrsim report DIR --format both` prints what it wrote; the same folder gives the
        same report (nothing is simulated again, nothing depends on the time)."""
        folder = tmp_path / "copy"
        folder.mkdir()
        for p in folders.run.iterdir():
            if p.is_file():
                (folder / p.name).write_bytes(p.read_bytes())
        result = invoke("report", str(folder), "--format", "both")
        assert result.exit_code == 0, result.output
        assert result.stdout.split() == [
            str(folder / "report.html"),
            str(folder / "report.md"),
            str(folder / "report-figures"),
        ]
        first = (folder / "report.html").read_bytes()
        os.utime(folder / "run.json")
        assert invoke("report", str(folder)).exit_code == 0
        assert (folder / "report.html").read_bytes() == first
        assert not [p for p in folder.iterdir() if p.name.startswith(".")]

    def test_an_older_folder_without_kind_or_events(self, folders: Folders, tmp_path: Path) -> None:
        """A folder written before run.json had `kind` and before compare wrote its variants'
        files: its kind is read off summary.json, and the report says why it has no fault
        timeline rather than claiming there was no fault."""
        for source, name in ((folders.run, "old-run"), (folders.compare, "old-compare")):
            folder = tmp_path / name
            folder.mkdir()
            for p in source.iterdir():
                if p.is_file() and p.name not in ("events.csv", "report.html"):
                    (folder / p.name).write_bytes(p.read_bytes())
            record = read_json(folder / "run.json")
            del record["kind"]
            (folder / "run.json").write_text(json.dumps(record))
            result = invoke("report", str(folder))
            assert result.exit_code == 0, result.output
            html = (folder / "report.html").read_text()
            assert "(written by an older ehrsim): no fault timeline." in html
            assert "<svg" not in html
            assert f"ehrsim {name[4:]} report" in html
