"""A traced run written as an engine's log (``ehrsim log``): every field a log reader takes
(results/README.md, "Writing a run as an engine's log") read back with python-hl7 or csv and
compared with the trace it came from."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import hl7
import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.experiments.run import replicate
from sim.logs.csv_write import CSV_COLUMNS, csv_rows
from sim.logs.hl7_write import hl7_messages, write_hl7
from sim.logs.traced import Attempt, LogFlow, TracedRun, read_run
from sim.report.csvs import write_trace
from sim.scenario import load_scenario

START = datetime(2026, 1, 5, 9, 0)

# Orders with replies and a named HL7 type; results whose `message` is no HL7 type; two other
# flows from the EHR to the lab with no type (so they share sender, receiver and default
# type); an outage (timeouts) and a poison message (negative ACKs).
SCENARIO = """
name: log-writers
start: 2026-01-05T09:00
horizon: 6min
sample_every: 1min
replications: 2
patients: 40
flows:
  orders:
    from: ehr
    to: lab
    message: OML^O21
    rate: 600/h
    priority: {stat: 0.3, urgent: 0.2, routine: 0.5}
    reply: {flow: results, after: constant(1min)}
  results: {from: lab, to: ehr, message: ORU^R01 / final}
  adt: {from: ehr, to: lab, rate: 120/h}
  notes: {from: ehr, to: lab, rate: 60/h, message: XDIS91}
systems:
  lab: {ack: exponential(200ms), timeout: 2s}
  ehr: {ack: constant(50ms), timeout: 5s}
faults:
  - {kind: system-outage, target: lab, at: +2min, for: 10s}
  - {kind: poison-message, target: lab, at: +4min}
strategy: {retry: {backoff: fixed, first: 3s, attempts: 3, then: dead-letter}}
"""

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``ehrsim log`` reads of a folder ``ehrsim run --trace`` writes (two replications):
    trace.csv and scenario.yaml, written as the run writes them (without its figures)."""
    out = tmp_path_factory.mktemp("run")
    (out / "scenario.yaml").write_text(SCENARIO)
    scenario = load_scenario(out / "scenario.yaml")
    reps = [replicate(scenario, i, trace=True) for i in range(scenario.replications)]
    write_trace(out / "trace.csv", reps, scenario.start)
    return out


@pytest.fixture(scope="module")
def trace(folder: Path) -> list[dict[str, str]]:
    """trace.csv's rows of the first replication."""
    with (folder / "trace.csv").open(newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["replication"] == "0"]


@pytest.fixture(scope="module")
def messages(folder: Path) -> list[hl7.Message]:
    """The first replication's HL7 log (MLLP), parsed back message by message."""
    path = folder / "read-back.hl7"
    write_hl7(read_run(folder, 1), path, "mllp")
    data = path.read_bytes()
    assert data.startswith(b"\x0b") and data.endswith(b"\x1c\r")
    blocks = data[1:-2].split(b"\x1c\r\x0b")
    assert all(block.endswith(b"\r") for block in blocks)  # every segment ends in CR
    return [hl7.parse(block.decode("ascii")) for block in blocks]


def stamp(time_s: str) -> str:
    """A trace time as MSH-7 writes it."""
    moment = START + timedelta(milliseconds=round(float(time_s) * 1000))
    return f"{moment:%Y%m%d%H%M%S}.{moment.microsecond // 1000:03d}"


def field(message: hl7.Message, segment: str, number: int, component: int = 1) -> str:
    return str(message.extract_field(segment, 1, number, 1, component))


def originals(messages: list[hl7.Message]) -> list[hl7.Message]:
    return [m for m in messages if field(m, "MSH", 9) != "ACK"]


def acks(messages: list[hl7.Message]) -> list[hl7.Message]:
    return [m for m in messages if field(m, "MSH", 9) == "ACK"]


class TestHl7:
    def test_one_original_per_attempt_stamped_with_its_sent_time(
        self, trace: list[dict[str, str]], messages: list[hl7.Message]
    ) -> None:
        """Each `sent` row is an original, in order: MSH-7 its time, MSH-10 its uid."""
        sent = [r for r in trace if r["event"] == "sent"]
        got = [(field(m, "MSH", 7), field(m, "MSH", 10)) for m in originals(messages)]
        assert got == [(stamp(r["time_s"]), r["uid"]) for r in sent]
        assert len(sent) > 100

    def test_retries_keep_the_control_id(
        self, trace: list[dict[str, str]], messages: list[hl7.Message]
    ) -> None:
        """A message sent three times is three originals with one MSH-10 and three times."""
        tries = Counter(r["uid"] for r in trace if r["event"] == "sent")
        retried = [uid for uid, n in tries.items() if n > 1]
        assert retried, "the outage and the poison message make resends"
        ids = Counter(field(m, "MSH", 10) for m in originals(messages))
        assert ids == tries
        for uid in retried:
            times = [field(m, "MSH", 7) for m in originals(messages) if field(m, "MSH", 10) == uid]
            assert len(set(times)) == tries[uid]

    def test_one_ack_per_answer_naming_its_original(
        self, trace: list[dict[str, str]], messages: list[hl7.Message]
    ) -> None:
        """Each acked or nak row is an ACK at its time, MSA-1 its code, MSA-2 the original's
        MSH-10, sent back from the receiver to the sender; a timeout has none."""
        answers = [r for r in trace if r["event"] in ("acked", "nak")]
        got = [(field(m, "MSH", 7), field(m, "MSA", 1), field(m, "MSA", 2)) for m in acks(messages)]
        assert got == [(stamp(r["time_s"]), r["code"], r["uid"]) for r in answers]
        assert {r["code"] for r in answers} == {"AA", "AE"}
        assert any(r["event"] == "timeout" for r in trace)
        sender = {field(m, "MSH", 10): field(m, "MSH", 3) for m in originals(messages)}
        receiver = {field(m, "MSH", 10): field(m, "MSH", 5) for m in originals(messages)}
        for ack in acks(messages):
            original = field(ack, "MSA", 2)
            assert field(ack, "MSH", 3) == receiver[original]
            assert field(ack, "MSH", 5) == sender[original]

    def test_patient_priority_and_placer(
        self, trace: list[dict[str, str]], messages: list[hl7.Message]
    ) -> None:
        """PID-3 is the patient; ORC-2 and OBR-2 the placer number (a result's order uid);
        ORC-7's 6th component the priority."""
        sent = [r for r in trace if r["event"] == "sent"]
        code = {"stat": "S", "urgent": "A", "routine": "R"}
        checked = Counter()
        for row, m in zip(sent, originals(messages), strict=True):
            assert field(m, "PID", 3) == row["patient"]
            if row["flow"] in ("orders", "results"):
                placer = row["order_uid"] or row["uid"]
                assert field(m, "ORC", 2) == field(m, "OBR", 2) == placer
                assert field(m, "ORC", 7, 6) == code[row["priority"]]
                checked[row["flow"]] += 1
            else:
                assert "\rORC|" not in str(m) and "\rOBR|" not in str(m)
        assert checked["orders"] > 10 and checked["results"] > 10

    def test_message_types_by_the_rule(self, messages: list[hl7.Message]) -> None:
        """An HL7 `message` is kept; otherwise the flow's part gives the type, and flows that
        share ends and type carry their id in MSH-9's third component."""
        types = {(field(m, "MSH", 3), field(m, "MSH", 5), str(m.segment("MSH")(9))) for m in
                 originals(messages)}  # fmt: skip
        assert types == {
            ("EHR", "LAB", "OML^O21"),
            ("LAB", "EHR", "ORU^R01"),
            ("EHR", "LAB", "ADT^A08^adt"),
            ("EHR", "LAB", "ADT^A08^notes"),
        }

    def test_lines_framing_holds_the_same_messages(self, folder: Path) -> None:
        """One segment a line: messages start at MSH and read back the same as MLLP's."""
        run = read_run(folder, 1)
        path = folder / "lines.hl7"
        write_hl7(run, path, "lines")
        text = path.read_text(encoding="ascii")
        assert "\r" not in text and "\x0b" not in text
        blocks = ["MSH" + b for b in text.split("\nMSH")[1:]]
        blocks.insert(0, text.split("\nMSH")[0])
        assert [str(hl7.parse(b.replace("\n", "\r"))) for b in blocks] == [
            str(m) for m in hl7_messages(run)
        ]

    def test_values_are_escaped(self) -> None:
        """A value holding HL7 separators is escaped, and reads back whole once unescaped."""
        flow = LogFlow("o&r|d", "order", "EHR", "LAB", "ORM^O01")
        attempt = Attempt(3, 1, "o&r|d", "stat", "A|B^C&D~E\\F", None, 1.5, "AA", 1.75)
        run = TracedRun(START, {"o&r|d": flow}, [attempt], [(attempt, False), (attempt, True)])
        original, ack = list(hl7_messages(run))
        parsed = hl7.parse(str(original))
        assert len(parsed.segment("PID")) == 4
        assert parsed.unescape(str(parsed.segment("PID")(3))) == "A|B^C&D~E\\F"
        assert parsed.unescape(field(parsed, "OBR", 4, 2)) == "o&r|d"
        assert str(parsed.segment("MSH")(7)) == "20260105090001.500"
        assert str(hl7.parse(str(ack)).segment("MSH")(7)) == "20260105090001.750"


class TestCsv:
    def test_one_row_per_attempt(self, folder: Path, trace: list[dict[str, str]]) -> None:
        """A row per `sent` row: its time, the ACK code (empty after a timeout), the
        response in milliseconds, patient, priority and placer."""
        run = read_run(folder, 1)
        rows = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in csv_rows(run)]
        sent = [r for r in trace if r["event"] == "sent"]
        assert len(rows) == len(sent)
        answer = {
            (r["uid"], r["attempt"]): r for r in trace if r["event"] in ("acked", "nak", "timeout")
        }
        for row, s in zip(rows, sent, strict=True):
            when = START + timedelta(milliseconds=round(float(s["time_s"]) * 1000))
            assert row["time"] == when.isoformat(timespec="milliseconds")
            assert len(row["time"]) == 23
            reply = answer.get((s["uid"], s["attempt"]))
            if reply is None or reply["event"] == "timeout":
                assert (row["status"], row["ack_ms"]) == ("", "")
            else:
                assert row["status"] == reply["code"]
                waited = round(float(reply["time_s"]) * 1000) - round(float(s["time_s"]) * 1000)
                assert row["ack_ms"] == str(waited)
            assert (row["patient"], row["priority"]) == (s["patient"], s["priority"])
            placer = s["order_uid"] or s["uid"]
            assert row["placer"] == (placer if s["flow"] in ("orders", "results") else "")
        assert {r["status"] for r in rows} == {"AA", "AE", ""}


class TestCommand:
    def test_writes_hl7_into_the_folder_by_default(self, folder: Path) -> None:
        """Without --out: log.hl7 in the folder, MLLP-framed, its path on stdout; with
        --framing lines, one segment a line."""
        result = invoke("log", str(folder))
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(folder / "log.hl7")
        assert (folder / "log.hl7").read_bytes().startswith(b"\x0bMSH|^~\\&|EHR||LAB||")
        result = invoke("log", str(folder), "--framing", "lines")
        assert result.exit_code == 0, result.output
        assert (folder / "log.hl7").read_bytes().startswith(b"MSH|^~\\&|EHR||LAB||")
        (folder / "log.hl7").unlink()

    def test_csv_of_the_second_replication(self, folder: Path, tmp_path: Path) -> None:
        """--format csv --replication 2 --out FILE writes that replication's rows."""
        out = tmp_path / "two.csv"
        result = invoke(
            "log", str(folder), "--format", "csv", "--replication", "2", "--out", str(out)
        )
        assert result.exit_code == 0, result.output
        lines = out.read_text().splitlines()
        assert lines[0] == ",".join(CSV_COLUMNS)
        first = read_run(folder, 1)
        assert len(lines) - 1 == len(read_run(folder, 2).attempts)
        assert lines[1:] != [",".join(r) for r in csv_rows(first)]

    def test_a_folder_without_a_trace(self, tmp_path: Path) -> None:
        """A folder with no trace.csv exits 2 and says how to get one."""
        result = invoke("log", str(tmp_path))
        assert result.exit_code == 2
        assert f"{tmp_path}: no trace.csv" in result.output
        assert "--trace" in result.output
        assert not (tmp_path / "log.hl7").exists()

    def test_a_missing_replication(self, folder: Path) -> None:
        """A replication the trace does not hold exits 2 and names the ones it holds."""
        result = invoke("log", str(folder), "--replication", "3")
        assert result.exit_code == 2
        assert "no replication 3 (it holds 1 to 2)" in result.output
        assert not (folder / "log-3.hl7").exists()

    def test_an_unknown_format(self, folder: Path) -> None:
        """An unknown --format exits 2 and names the formats."""
        result = invoke("log", str(folder), "--format", "xml")
        assert result.exit_code == 2
        assert "'xml' is not one of 'hl7', 'csv'" in result.output

    def test_a_framing_for_a_csv_log(self, folder: Path) -> None:
        """--framing with --format csv exits 2: a CSV log has no framing to choose."""
        result = invoke("log", str(folder), "--format", "csv", "--framing", "lines")
        assert result.exit_code == 2
        assert "only an HL7 log has a framing" in result.output
        assert not (folder / "log.csv").exists()


class TestReadBack:
    def test_both_logs_name_the_same_flows(self, folder: Path, tmp_path: Path) -> None:
        """The readers tell apart the flows the writers keep apart: `adt` and `notes` share
        their ends and type, and carry their ids in the type's third component in both logs
        (HL7 MSH-9.3, where a message structure would stand, and the CSV's `message`)."""
        from sim.logs.csv_write import write_csv
        from sim.logs.read import read_logs

        run = read_run(folder, 1)
        write_hl7(run, tmp_path / "log.hl7")
        write_csv(run, tmp_path / "log.csv")
        flows = {}
        for fmt in ("hl7", "csv"):
            log = read_logs([tmp_path / f"log.{fmt}"], fmt)
            flows[fmt] = Counter((e.source, e.destination, e.message) for e in log.entries)
        assert flows["hl7"] == flows["csv"]
        sent = Counter(a.flow for a in run.attempts)
        assert flows["hl7"] == {
            ("EHR", "LAB", "OML^O21"): sent["orders"],
            ("LAB", "EHR", "ORU^R01"): sent["results"],
            ("EHR", "LAB", "ADT^A08^adt"): sent["adt"],
            ("EHR", "LAB", "ADT^A08^notes"): sent["notes"],
        }


class TestNamesThatWouldMerge:
    """Flows a reader would merge are kept apart; orders and results keep their placer."""

    def test_types_alike_once_the_structure_is_dropped_and_structure_shaped_ids(
        self, tmp_path: Path
    ) -> None:
        from sim.logs.message_type import written_type
        from sim.logs.traced import message_types

        (tmp_path / "s.yaml").write_text(
            "name: merge\nhorizon: 1h\nflows:\n"
            "  orders: {from: ehr, to: lab, rate: 10/h,\n"
            "           reply: {flow: res_one, after: constant(1min)}}\n"
            "  res_one: {from: lab, to: ehr, message: ORU^R01^ORU_R01}\n"
            "  res_two: {from: lab, to: ehr, message: ORU^R01, rate: 5/h}\n"
            "systems: {lab: {ack: constant(100ms)}, ehr: {ack: constant(50ms)}}\n"
        )
        types = {fid: flow.message for fid, flow in message_types(load_scenario(
            tmp_path / "s.yaml")).items()}  # fmt: skip
        assert types["res_one"] == "ORU^R01^res_one-flow"
        assert types["res_two"] == "ORU^R01^res_two-flow"
        assert written_type(types["res_one"]) != written_type(types["res_two"])

    def test_an_order_or_result_of_any_type_carries_its_placer(self) -> None:
        from sim.logs.hl7_write import carries_placer
        from sim.logs.traced import ORDER, OTHER, RESULT

        assert carries_placer(LogFlow("rx", ORDER, "EHR", "PHARMACY", "RDE^O11"))
        assert carries_placer(LogFlow("notes", RESULT, "DOC", "EHR", "MDM^T02"))
        assert not carries_placer(LogFlow("adt", OTHER, "EHR", "LAB", "ADT^A08"))
        assert carries_placer(LogFlow("lab", OTHER, "EHR", "LAB", "ORM^O01"))
