"""`ehrsim calibrate` end to end on small HL7 and CSV logs: the scenario it writes validates,
runs and says what it fitted; calibration.json and the figures beside it; --map, --extends,
--start; deterministic output; bad logs and options exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario import load_scenario
from tests.calibration.synthetic import LAB, Flow, draw, write_csv, write_hl7

runner = CliRunner()
RESULTS = Flow("LAB KA", "EPIC", "ORU^R01", 0, ack="exponential", ack_mean=0.05)
ORDERS = Flow("EPIC", "LAB KA", "OML^O21", 120, LAB, priority={"stat": 0.25, "routine": 0.75},
              nak=0.05, results=RESULTS, count=1.5, after_mean=1800.0)  # fmt: skip
ADT = Flow("EPIC", "RIS", "ADT^A01", 30, ack="none")
TOPOLOGY = """\
partial: true
flows:
  lab-orders: {from: ehr, to: labka, message: OML^O21, rate: 9000/d, deadline: {stat: 1h}}
  lab-results: {from: labka, to: ehr, message: ORU^R01, rate: 50/h}
  ris-orders: {from: ehr, to: ris, message: OMI^O23, rate: 10/d}
systems:
  labka:
    ack: lognormal(81ms, 102ms)
    connections: 2
    timeout: 10s
    strategy: {order: per-patient}
  ris: {ack: constant(40ms)}
  ehr: {ack: constant(30ms)}
"""


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    entries = draw([ORDERS, ADT], days=2, seed=7)
    write_hl7(folder / "engine.hl7", entries)
    write_csv(folder / "engine.csv", entries)
    (folder / "topology.yaml").write_text(TOPOLOGY)
    return folder


@pytest.fixture(scope="module")
def hl7_run(logs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("hl7") / "hospital.yaml"
    return invoke("calibrate", str(logs / "engine.hl7"), "--out", str(out)), out


class TestScenario:
    def test_it_writes_a_scenario_that_loads_with_every_part(self, hl7_run) -> None:  # type: ignore[no-untyped-def]
        result, out = hl7_run
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{out}: 3 flows, 3 systems from ")
        data = yaml.safe_load(out.read_text())
        assert data["name"] == "hospital" and data["horizon"] == "7d"
        assert str(data["start"]) == "2026-01-05T00:00"
        assert set(data["flows"]) == {"ehr-lab-ka-oml-o21", "lab-ka-ehr-oru-r01", "ehr-ris-adt-a01"}
        orders = data["flows"]["ehr-lab-ka-oml-o21"]
        assert orders["reply"]["flow"] == "lab-ka-ehr-oru-r01"
        assert set(orders["reply"]["after"]) == {"stat", "routine"}
        assert "rate" not in data["flows"]["lab-ka-ehr-oru-r01"]
        assert "priority" not in data["flows"]["ehr-ris-adt-a01"]
        assert set(data["systems"]) == {"ehr", "lab-ka", "ris"}
        scenario = load_scenario(out)
        assert scenario.flows["ehr-lab-ka-oml-o21"].rate * 86400 == pytest.approx(
            orders_count(out) / 2, rel=0.01
        )
        assert len(scenario.flows["ehr-lab-ka-oml-o21"].profile) == 24

    def test_every_fitted_number_carries_its_interval_and_n(self, hl7_run) -> None:  # type: ignore[no-untyped-def]
        _, out = hl7_run
        text = out.read_text()
        lines = text.splitlines()
        starts = ("rate:", "count:", "ack:", "stat:", "routine:", "- ")
        fitted = [line for line in lines if line.strip().startswith(starts)]
        assert len(fitted) >= 2 * 24 + 6
        for line in fitted:
            assert "#" in line, line
            comment = line.split("#", 1)[1]
            if "placeholder" in comment:
                continue
            assert "-" in comment and any(ch.isdigit() for ch in comment), line
        assert "rate: " in text and "(Poisson exact), " in text
        assert "Cramér-von Mises: exponential p=" in text
        assert "# week: not fitted, flat: the log covers 2 days" in text
        assert "negative ACKs: " in text and "the format has no key for a steady NAK rate" in text
        ris_ack = next(line for line in lines if line.startswith("  ris:"))
        after = lines[lines.index(ris_ack) + 1]
        assert after.startswith("    ack: lognormal(81ms, 102ms)  # placeholder, not measured")

    def test_it_validates_and_runs(self, hl7_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        _, out = hl7_run
        checked = invoke("validate", str(out))
        assert checked.exit_code == 0 and checked.stdout.startswith("OK"), checked.output
        ran = invoke("run", str(out), "--horizon", "1d", "--out", str(tmp_path / "run"), "--quiet")
        assert ran.exit_code == 0, ran.output
        summary = json.loads((tmp_path / "run" / "summary.json").read_text())
        assert summary["messages"]["created"] > 100
        assert summary["order_to_result_s"]["ehr-lab-ka-oml-o21"]["routine"]["count"] > 0

    def test_calibration_json_and_the_figures(self, hl7_run) -> None:  # type: ignore[no-untyped-def]
        result, out = hl7_run
        record = json.loads(out.with_name("hospital.calibration.json").read_text())
        assert record["scenario"] == "hospital" and record["ehr"] == "EPIC"
        assert record["ids"] == {"EPIC": "ehr", "LAB KA": "lab-ka", "RIS": "ris"}
        assert record["log"]["days"] == 2 and record["log"]["problems"] == {
            "no MSH": 0, "unreadable MSH-7": 0, "ACK for no message": 0
        }  # fmt: skip
        assert record["weekday_pattern_fitted"] is False
        flow = record["flows"]["ehr-lab-ka-oml-o21"]
        low, high = flow["rate_per_day"]["ci95"]
        assert (
            low < flow["rate_per_day"]["value"] < high
            and flow["rate_per_day"]["n"] == flow["messages"]
        )
        assert low < 120 < high
        assert flow["reply"]["count"]["ci95"][0] < 1.5 < flow["reply"]["count"]["ci95"][1]
        assert record["results"]["unmatched"] == 0 and record["results"]["results"] > 0
        lab = record["systems"]["lab-ka"]
        assert lab["ack"]["family"] == "lognormal" and lab["ack"]["p_values"]["exponential"] < 0.05
        assert lab["nak_share"]["ci95"][0] < 0.05 < lab["nak_share"]["ci95"][1]
        assert record["systems"]["ris"]["ack"] is None
        figures = sorted(p.name for p in out.with_name("hospital.figures").iterdir())
        assert figures == [f"{fid}.png" for fid in sorted(record["flows"])]
        assert "results that matched no order: 0 of " in result.stderr


def orders_count(out: Path) -> int:
    record = json.loads(out.with_name(f"{out.stem}.calibration.json").read_text())
    return int(record["flows"]["ehr-lab-ka-oml-o21"]["messages"])


class TestFormatsAndOptions:
    def test_csv_gives_the_same_fits_as_hl7(self, logs: Path, hl7_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        _, from_hl7 = hl7_run
        out = tmp_path / "hospital.yaml"
        result = invoke("calibrate", str(logs / "engine.csv"), "--out", str(out))
        assert result.exit_code == 0, result.output
        a = json.loads(from_hl7.with_name("hospital.calibration.json").read_text())
        b = json.loads(out.with_name("hospital.calibration.json").read_text())
        for fid in a["flows"]:
            assert a["flows"][fid]["rate_per_day"] == b["flows"][fid]["rate_per_day"], fid
            assert a["flows"][fid]["profile_share"] == b["flows"][fid]["profile_share"], fid
        assert a["systems"]["lab-ka"]["ack"]["family"] == b["systems"]["lab-ka"]["ack"]["family"]

    def test_the_output_is_the_same_bytes_on_a_rerun(
        self, logs: Path, hl7_run, tmp_path: Path
    ) -> None:  # type: ignore[no-untyped-def]
        _, first = hl7_run
        again = tmp_path / "hospital.yaml"
        assert invoke("calibrate", str(logs / "engine.hl7"), "--out", str(again)).exit_code == 0
        for name in ("hospital.yaml", "hospital.calibration.json"):
            assert (first.parent / name).read_bytes() == (tmp_path / name).read_bytes(), name
        for png in (first.parent / "hospital.figures").iterdir():
            assert png.read_bytes() == (tmp_path / "hospital.figures" / png.name).read_bytes()

    def test_extends_writes_only_what_was_measured(self, logs: Path, tmp_path: Path) -> None:
        out = tmp_path / "joined.yaml"
        result = invoke(
            "calibrate", str(logs / "engine.hl7"), "--out", str(out), "--map", "LAB KA=labka",
            "--extends", str(logs / "topology.yaml"), "--start", "2026-02-02",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        text = out.read_text()
        data = yaml.safe_load(text)
        assert (
            data["extends"] == str(Path("..") / logs.name / "topology.yaml")
            or Path(out.parent, data["extends"]).resolve() == (logs / "topology.yaml").resolve()
        )
        assert str(data["start"]) == "2026-02-02T00:00"
        for key in ("connections:", "timeout:", "strategy:", "deadline:"):
            assert key not in text, key
        assert set(data["flows"]) == {"lab-orders", "lab-results", "ehr-ris-adt-a01"}
        assert (
            "warning: flow ehr-ris-adt-a01 (ADT^A01) is added beside "
            f"{logs / 'topology.yaml'}'s ris-orders from ehr to ris (another message type)"
        ) in " ".join(result.stderr.split())
        assert data["flows"]["lab-orders"]["reply"]["flow"] == "lab-results"
        assert data["flows"]["lab-results"]["rate"] is None  # the topology's rate cleared
        assert set(data["systems"]) == {"ehr", "labka", "ris"}
        assert data["systems"]["ris"] == {}  # no ACK in the log: the topology's stands
        assert "ack: no response in the log; " in text
        scenario = load_scenario(out)
        assert scenario.systems["labka"].connections == 2
        assert scenario.systems["ris"].ack.text() == "constant(0.04s)"
        assert scenario.flows["lab-orders"].deadline == {"stat": 3600.0}
        checked = invoke("validate", str(out))
        assert checked.exit_code == 0, checked.output
        ran = invoke("run", str(out), "--horizon", "2h", "--out", str(tmp_path / "run"), "--quiet")
        assert ran.exit_code == 0, ran.output


class TestBadInput:
    def test_an_unreadable_log_exits_2_with_the_readers_message(self, tmp_path: Path) -> None:
        log = tmp_path / "bad.hl7"
        log.write_text("MSH|^~\\&||H|LAB|H|20260105083000||ORM^O01|1|P|2.5\r")
        result = invoke("calibrate", str(log), "--out", str(tmp_path / "x.yaml"))
        assert result.exit_code == 2
        assert f"error: {log}, message 1, MSH-3" in result.stderr
        assert not (tmp_path / "x.yaml").exists()

    def test_skipped_messages_are_reported_not_fatal(self, tmp_path: Path) -> None:
        log = tmp_path / "junk.hl7"
        write_hl7(log, draw([ADT], days=1))
        text = log.read_bytes().decode()
        log.write_text("MSH|^~\\&|EPIC|H|RIS|H|2026XX||ADT^A01|Z1|P|2.5\r" + text, newline="")
        result = invoke("calibrate", str(log), "--ehr", "EPIC", "--out", str(tmp_path / "x.yaml"))
        assert result.exit_code == 0, result.output
        assert "1 message(s) skipped: unreadable MSH-7" in result.stderr
        assert "messages over 1 day\n" in result.stdout  # one day, not "1 days"
        assert (
            "# week: not fitted, flat: the log covers 1 day and"
            in (tmp_path / "x.yaml").read_text()
        )
        record = json.loads((tmp_path / "x.calibration.json").read_text())
        assert record["log"]["problems"]["unreadable MSH-7"] == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ["--ehr", "PAS"],
                "error: --ehr PAS: no application of that name in the log; its "
                "applications are EPIC, LAB KA, RIS",
            ),
            (["--map", "LAB KA"], "error: --map LAB KA: write APP=ID"),
            (["--map", "LIS=lis"], "error: --map LIS=lis: no application 'LIS' in the log"),
            (["--map", "EPIC=epic"], "error: --map EPIC=epic: EPIC is the EHR"),
            (["--extends", "no-such-topology"], "error: --extends no-such-topology: "),
            (["--start", "monday"], "error: --start monday: not an ISO date"),
            (["--format", "xml"], "error: --format xml: use one of hl7, csv"),
        ],
    )
    def test_bad_options_exit_2_saying_why(
        self, logs: Path, tmp_path: Path, args: list[str], message: str
    ) -> None:
        out = tmp_path / "x.yaml"
        result = invoke("calibrate", str(logs / "engine.hl7"), "--out", str(out), *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr.replace("\n", " ")
        assert not out.exists()

    def test_no_ehr_found_lists_the_candidates(self, tmp_path: Path) -> None:
        log = tmp_path / "two.csv"
        write_csv(log, draw([Flow("A", "B", "ORM^O01", 50)], days=1))
        result = invoke("calibrate", str(log), "--out", str(tmp_path / "x.yaml"))
        assert result.exit_code == 2
        assert (
            "error: 2 applications take part in every flow (A, B); name the EHR with --ehr APP"
            in result.stderr
        )
        assert (
            invoke("calibrate", str(log), "--ehr", "B", "--out", str(tmp_path / "x.yaml")).exit_code
            == 0
        )
        assert (
            yaml.safe_load((tmp_path / "x.yaml").read_text())["flows"]["a-ehr-orm-o01"]["to"]
            == "ehr"
        )

    def test_a_bad_out_is_refused(self, logs: Path, tmp_path: Path) -> None:
        result = invoke(
            "calibrate", str(logs / "engine.hl7"), "--out", str(tmp_path / "My Log.yaml")
        )
        assert result.exit_code == 2 and "the file's stem is the scenario's name" in result.stderr
        result = invoke("calibrate", str(logs / "engine.hl7"), "--out", str(tmp_path / "x.json"))
        assert result.exit_code == 2 and "must end in .yaml" in result.stderr


class TestWarnings:
    def test_coarse_times_and_left_out_flows_are_warned_on_stderr(self, tmp_path: Path) -> None:
        log = tmp_path / "coarse.hl7"
        flows = [Flow("EPIC", "LAB", "ORM^O01", 100, precision=1.0), Flow("LAB", "RIS", "X", 20)]
        write_hl7(log, draw(flows, days=1))
        text = log.read_bytes().decode()  # every MSH-7 to the second
        log.write_text(re.sub(r"(\|\d{14})\.\d{3}\|", r"\1|", text), newline="")
        result = invoke("calibrate", str(log), "--ehr", "EPIC", "--out", str(tmp_path / "c.yaml"))
        assert result.exit_code == 0, result.output
        err = " ".join(result.stderr.split())
        assert "warning: lab: response times are logged to 1 s, coarser than their median" in err
        assert (
            "warning: flow LAB -> RIS X (" in err
            and "left out: a scenario's flows have the EHR" in err
        )
        assert "Left out: LAB -> RIS X" in (tmp_path / "c.yaml").read_text()

    def test_csv_times_to_the_second_do_not_coarsen_ack_ms(self, tmp_path: Path) -> None:
        """ack_ms is a measured duration: the time column's precision is not its own."""
        log = tmp_path / "seconds.csv"
        write_csv(log, draw([Flow("EPIC", "LAB", "ORM^O01", 100)], days=1))
        log.write_text(re.sub(r"(T\d\d:\d\d:\d\d)\.\d{3},", r"\1,", log.read_text()))
        result = invoke("calibrate", str(log), "--ehr", "EPIC", "--out", str(tmp_path / "s.yaml"))
        assert result.exit_code == 0, result.output
        assert "logged to" not in result.stderr
        record = json.loads((tmp_path / "s.calibration.json").read_text())
        (system,) = record["systems"].values()
        assert system["precision_s"] == 0.001


class TestDefaults:
    def test_without_out_the_scenario_is_named_after_the_first_log(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        log = tmp_path / "Engine_Log 1.hl7"
        write_hl7(log, draw([ADT], days=1), ends="\n")
        result = invoke("calibrate", str(log), "--ehr", "EPIC")
        assert result.exit_code == 0, result.output
        assert (
            yaml.safe_load((tmp_path / "engine-log-1.yaml").read_text())["name"] == "engine-log-1"
        )
        assert (tmp_path / "engine-log-1.calibration.json").is_file()
