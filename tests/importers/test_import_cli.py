"""`ehrsim import mirth`: the file it writes validates as a topology and runs when extended; bad
exports exit 2 naming the file and writing nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

DATA = Path(__file__).parents[1] / "data" / "mirth"
NORDBY = Path(__file__).parents[2] / "scenarios" / "examples" / "nordby" / "mirth-export.xml"

STORY = """\
extends: topology.yaml
name: nordby-morning
horizon: 2h
flows:
  lab-orders:
    from: ehr
    to: labka
    rate: 2000/d
    reply: {flow: lab-results, after: exponential(20min)}
  lab-results: {from: labka, to: ehr}
  imaging: {from: ehr, to: radiology-orders, rate: 600/d}
  worklist: {from: ehr, to: pacs-broker, rate: 600/d}
  blood: {from: ehr, to: blood-bank, rate: 300/d}
  letters: {from: ehr, to: medcom-vans-gateway, rate: 400/d}
systems:
  labka: {ack: exponential(100ms)}
  ehr: {ack: exponential(100ms)}
  radiology-orders: {ack: exponential(100ms)}
  pacs-broker: {ack: exponential(100ms)}
  blood-bank: {ack: exponential(100ms)}
  medcom-vans-gateway: {ack: exponential(100ms)}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


class TestWritten:
    """The example hospital's export, imported."""

    def test_written_file_reports_and_validates(self, tmp_path: Path) -> None:
        """--out writes the file, prints its path; stderr lists what is not modelled."""
        out = tmp_path / "topology.yaml"
        code, stdout, stderr = invoke("import", "mirth", str(NORDBY), "--out", str(out))
        assert code == 0, stderr
        assert stdout.strip() == str(out)
        assert (
            f"not modelled: {NORDBY}: channel 'EHR Lab Orders', destination 'Labka': transformer: "
            "2 steps: JavaScript 'Map Nordby test codes to Labka codes', Mapper 'Placer order "
            "number'"
        ) in stderr
        assert "6 systems from 5 channels" in stderr
        umask = os.umask(0)
        os.umask(umask)
        assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # as any file written here
        code, stdout, stderr = invoke("validate", str(out))
        assert (code, stdout.strip()) == (0, f"OK  {out}"), stderr

    def test_stdout_without_out_is_the_same_text(self, tmp_path: Path) -> None:
        """Without --out the topology goes to stdout, byte for byte what --out writes."""
        out = tmp_path / "topology.yaml"
        invoke("import", "mirth", str(NORDBY), "--out", str(out))
        code, stdout, _ = invoke("import", "mirth", str(NORDBY))
        assert code == 0
        assert stdout == out.read_text(encoding="utf-8")

    def test_a_scenario_extending_the_import_runs(self, tmp_path: Path) -> None:
        """Flows and ack times over the imported systems: a run that delivers on every one."""
        invoke("import", "mirth", str(NORDBY), "--out", str(tmp_path / "topology.yaml"))
        story = tmp_path / "story.yaml"
        story.write_text(STORY, encoding="utf-8")
        results = tmp_path / "results"
        code, _, stderr = invoke("run", str(story), "--out", str(results), "--quiet")
        assert code == 0, stderr
        summary = json.loads((results / "summary.json").read_text())
        assert summary["messages"]["delivered"] > 100
        assert set(summary["queues"]) == {
            "labka",
            "ehr",
            "radiology-orders",
            "pacs-broker",
            "blood-bank",
            "medcom-vans-gateway",
        }
        resolved = (results / "scenario.yaml").read_text()
        assert "per-patient" in resolved and "park" in resolved


class TestBadInput:
    """Exit 2, the file and what is wrong with it, and no --out file."""

    @pytest.mark.parametrize(
        ("name", "said"),
        [
            ("missing.xml", "missing.xml: no such file"),
            ("not-xml.xml", "not-xml.xml: not XML"),
            ("not-mirth.xml", "not-mirth.xml: not a Mirth channel export"),
            ("bomb.xml", "bomb.xml: refused: it declares XML entities"),
        ],
    )
    def test_exit_2_and_nothing_written(self, tmp_path: Path, name: str, said: str) -> None:
        """One bad file among good ones stops the import before anything is written."""
        out = tmp_path / "topology.yaml"
        code, stdout, stderr = invoke(
            "import", "mirth", str(NORDBY), str(DATA / name), "--out", str(out)
        )
        assert code == 2
        assert stderr.startswith("error: ") and said in stderr
        assert "Traceback" not in stderr and stdout == ""
        assert not out.exists() and list(tmp_path.iterdir()) == []

    def test_out_in_a_missing_folder(self, tmp_path: Path) -> None:
        """--out into a folder that does not exist is refused before reading."""
        code, _, stderr = invoke(
            "import", "mirth", str(NORDBY), "--out", str(tmp_path / "nope" / "t.yaml")
        )
        assert code == 2 and "does not exist" in stderr
