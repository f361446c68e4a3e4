"""HL7 v2 framings: MLLP blocks or one segment a line, with \\r, \\n or \\r\\n segment ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.logs.read import read_logs
from tests.logs.hl7_builders import ack, lines, mllp, order, write

MESSAGES = [
    order(time="20260105093015", control="C1", patient="MRN1", placer="PL1", priority="S"),
    ack(time="20260105093017", refers_to="C1"),
    order(time="20260105093100", control="C2", patient="MRN2", placer="PL2", priority="R"),
]


def _check(path: str) -> None:
    log = read_logs([path], "hl7")
    assert [(e.number, e.control_id, e.patient, e.placer, e.priority) for e in log.entries] == [
        (1, "C1", "MRN1", "PL1", "stat"),
        (3, "C2", "MRN2", "PL2", "routine"),
    ]
    assert [(e.ack_code, e.ack_s) for e in log.entries] == [("AA", 2.0), (None, None)]
    assert log.acks == 1
    assert log.problems == []


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"], ids=["cr", "lf", "crlf"])
def test_lines(tmp_path: Path, end: str) -> None:
    _check(write(tmp_path / "log.hl7", lines(MESSAGES, end)))


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"], ids=["cr", "lf", "crlf"])
def test_mllp(tmp_path: Path, end: str) -> None:
    _check(write(tmp_path / "log.mllp", mllp(MESSAGES, end)))


def test_mixed_segment_ends_in_one_file(tmp_path: Path) -> None:
    text = "\r".join(MESSAGES[0]) + "\n" + "\r\n".join(MESSAGES[1]) + "\r\n"
    text += "\n".join(MESSAGES[2]) + "\n"
    _check(write(tmp_path / "mixed.hl7", text))


def test_mllp_without_the_closing_cr_and_with_white_space_between_frames(tmp_path: Path) -> None:
    text = "\n\n" + "\n".join(
        "\x0b" + "\r".join(m) + "\x1c" + ("\r\n" if i % 2 else "") for i, m in enumerate(MESSAGES)
    )
    _check(write(tmp_path / "log.mllp", text + "\n"))


def test_blank_lines_and_batch_envelopes_are_not_segments(tmp_path: Path) -> None:
    text = "FHS|^~\\&|EPIC\nBHS|^~\\&|EPIC\n\n" + lines(MESSAGES, "\n\n") + "BTS|3\nFTS|1\n"
    _check(write(tmp_path / "batch.hl7", text))


def test_lines_before_the_first_msh_are_a_message_without_msh(tmp_path: Path) -> None:
    text = "PID|1||MRN9\nOBR|1|PL9\n" + lines(MESSAGES, "\n")
    log = read_logs([write(tmp_path / "log.hl7", text)], "hl7")
    assert [(p.kind, p.number) for p in log.problems] == [("no MSH", 1)]
    assert "'PID'" in log.problems[0].detail
    assert [e.number for e in log.entries] == [2, 4]
    assert log.entries[0].ack_s == 2.0


def test_a_frame_whose_first_segment_is_not_msh_is_counted_and_skipped(tmp_path: Path) -> None:
    text = mllp([MESSAGES[0], ["PID|1||MRN9", MESSAGES[0][0]], MESSAGES[1], []])
    log = read_logs([write(tmp_path / "log.mllp", text)], "hl7")
    assert [(p.kind, p.number) for p in log.problems] == [("no MSH", 2), ("no MSH", 4)]
    assert log.problem_counts() == {"no MSH": 2, "unreadable MSH-7": 0, "ACK for no message": 0}
    assert [e.number for e in log.entries] == [1]
    assert log.entries[0].ack_code == "AA"
