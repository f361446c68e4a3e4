"""What an HL7 v2 message gives: its flow, MSH-7 (offset, precision), patient, placer, priority."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sim.logs.entry import LogEntry
from sim.logs.read import read_logs
from tests.logs.hl7_builders import lines, msh, order, write


def _one(tmp_path: Path, message: list[str]) -> LogEntry:
    log = read_logs([write(tmp_path / "one.hl7", lines([message]))], "hl7")
    assert log.problems == [] and len(log.entries) == 1
    return log.entries[0]


def _epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("stamp", "local", "utc", "precision"),
    [
        ("202601050930+0100", (2026, 1, 5, 9, 30), (2026, 1, 5, 8, 30), 60.0),
        ("20260105093015-0500", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 14, 30, 15), 1.0),
        ("20260105093015", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 9, 30, 15), 1.0),
        ("20260105233015+0000", (2026, 1, 5, 23, 30, 15), (2026, 1, 5, 23, 30, 15), 1.0),
        ("2026010509+0100", (2026, 1, 5, 9), (2026, 1, 5, 8), 3600.0),
        ("20260105", (2026, 1, 5), (2026, 1, 5), 86400.0),
        ("20260105003015-0030", (2026, 1, 5, 0, 30, 15), (2026, 1, 5, 1, 0, 15), 1.0),
    ],
)
def test_msh7_offset_and_precision(
    tmp_path: Path,
    stamp: str,
    local: tuple[int, ...],
    utc: tuple[int, ...],
    precision: float,
) -> None:
    entry = _one(tmp_path, order(time=stamp))
    assert entry.local == datetime(*local)
    assert entry.local.tzinfo is None
    assert entry.time_s == _epoch(*utc)
    assert entry.precision_s == precision


@pytest.mark.parametrize(
    ("fraction", "precision", "micro"),
    [
        (".2", 0.1, 200_000),
        (".25", 0.01, 250_000),
        (".250", 0.001, 250_000),
        (".1234", 1e-4, 123_400),
    ],
)
def test_msh7_fractions(tmp_path: Path, fraction: str, precision: float, micro: int) -> None:
    entry = _one(tmp_path, order(time="20260105093015" + fraction + "+0100"))
    assert entry.precision_s == pytest.approx(precision, rel=1e-12)
    assert entry.local == datetime(2026, 1, 5, 9, 30, 15, micro)
    assert entry.time_s == pytest.approx(_epoch(2026, 1, 5, 8, 30, 15) + micro / 1e6, abs=1e-6)


def test_local_is_the_wall_clock_and_time_s_the_instant(tmp_path: Path) -> None:
    """Two messages at the same instant on two clocks: the same time_s, different local hours
    (and weekdays, across midnight)."""
    text = lines(
        [
            order(time="20260105233000-0500", control="C1"),
            order(time="20260106053000+0100", control="C2"),
        ]
    )
    log = read_logs([write(tmp_path / "two.hl7", text)], "hl7")
    first, second = log.entries
    assert first.time_s == second.time_s == _epoch(2026, 1, 6, 4, 30)
    assert (first.local.hour, first.local.weekday()) == (23, 0)
    assert (second.local.hour, second.local.weekday()) == (5, 1)


def test_flow_is_sender_receiver_and_type_as_written(tmp_path: Path) -> None:
    entry = _one(tmp_path, order())
    assert (entry.source, entry.destination, entry.message) == ("EPIC", "LAB", "ORM^O01")
    assert entry.file.endswith("one.hl7") and entry.number == 1


def test_type_with_other_separators_and_applications_by_universal_id(tmp_path: Path) -> None:
    message = [
        "MSH#$*@!#$1.2.3$ISO#H#Lab$x#H#20260105093015##ORU$R01$ORU_R01#C7#P#2.5",
        "PID#1##MRN7$$$H",
        "OBR#1#PL7$LAB",
    ]
    entry = _one(tmp_path, message)
    assert (entry.source, entry.destination, entry.message) == ("1.2.3", "Lab", "ORU^R01")
    assert (entry.patient, entry.placer, entry.control_id) == ("MRN7", "PL7", "C7")


def test_escaped_values_are_unescaped(tmp_path: Path) -> None:
    entry = _one(tmp_path, [msh(source="A\\F\\B"), "PID|1||M\\S\\1"])
    assert entry.source == "A|B"
    assert entry.patient == "M^1"


def test_no_pid_no_orc_no_obr(tmp_path: Path) -> None:
    entry = _one(tmp_path, [msh(kind="ADT^A01")])
    assert (entry.patient, entry.placer, entry.priority, entry.ack_code) == (None,) * 4
    assert entry.message == "ADT^A01"


def test_priority_from_tq1_only_and_placer_from_obr(tmp_path: Path) -> None:
    entry = _one(tmp_path, [msh(), "PID|1||MRN3", "TQ1|1||||||||A^ASAP^HL70485", "OBR|1|PL3"])
    assert (entry.priority, entry.placer, entry.patient) == ("urgent", "PL3", "MRN3")


def test_orc7_wins_over_tq1_and_orc2_over_obr2(tmp_path: Path) -> None:
    message = [msh(), "ORC|NW|ORCPL|||||^^^^^R", "TQ1|1||||||||S", "OBR|1|OBRPL"]
    entry = _one(tmp_path, message)
    assert (entry.priority, entry.placer) == ("routine", "ORCPL")


def test_empty_orc2_falls_back_to_obr2_and_unknown_priorities_are_none(tmp_path: Path) -> None:
    message = [msh(), "ORC|NW||||||^^^^^P", "TQ1|1||||||||T", "OBR|1|OBRPL"]
    entry = _one(tmp_path, message)
    assert (entry.priority, entry.placer) == (None, "OBRPL")


def test_lower_case_priority_and_only_the_first_orc(tmp_path: Path) -> None:
    message = [msh(), "ORC|NW|P1|||||^^^^^s", "ORC|NW|P2|||||^^^^^R"]
    entry = _one(tmp_path, message)
    assert (entry.priority, entry.placer) == ("stat", "P1")
