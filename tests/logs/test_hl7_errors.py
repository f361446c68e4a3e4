"""What stops an HL7 read (file, message number and field named) and what is only counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.logs.entry import LogError
from sim.logs.read import read_logs
from tests.logs.hl7_builders import ack, lines, mllp, msh, order, write

GOOD = order()


def _error(tmp_path: Path, text: str, name: str = "bad.hl7") -> str:
    path = write(tmp_path / name, text)
    with pytest.raises(LogError) as caught:
        read_logs([path], "hl7")
    message = str(caught.value)
    assert message.startswith(path + ", ")
    return message.removeprefix(path + ", ")


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        (msh(source=""), "message 2, MSH-3: empty sending application"),
        (msh(destination=""), "message 2, MSH-5: empty receiving application"),
        (msh(kind="^O01"), "message 2, MSH-9: empty message type"),
        ("MSH|A~\\&|EPIC|H|LAB|H|20260105093015||ORM^O01|C1", "message 2, MSH-2: encoding"),
        ("MSH|^~^&|EPIC|H|LAB|H|20260105093015||ORM^O01|C1", "message 2, MSH-2: encoding"),
        ("MSH|^~\\&", "message 2, MSH-2: encoding"),
        ("MSHX^~\\&X", "message 2, MSH-1: field separator 'X'"),
        ("MSH", "message 2, MSH-1: field separator ''"),
    ],
)
def test_unreadable_msh(tmp_path: Path, segment: str, expected: str) -> None:
    assert _error(tmp_path, lines([GOOD, [segment, "PID|1||MRN1"]])).startswith(expected)


def test_ack_without_msa_or_with_an_unknown_code(tmp_path: Path) -> None:
    no_msa = [msh("LAB", "EPIC", kind="ACK")]
    assert (
        _error(tmp_path, lines([GOOD, no_msa])) == "message 2, MSA: an ACK without an MSA segment"
    )
    bad = ack(code="OK")
    assert _error(tmp_path, lines([GOOD, GOOD, bad])).startswith(
        "message 3, MSA-1: acknowledgment code 'OK' is none of AA, AE"
    )


def test_mllp_frame_never_closed(tmp_path: Path) -> None:
    text = mllp([GOOD, GOOD])
    assert _error(tmp_path, text[:-2]).startswith("message 2, MLLP frame: the frame opened")
    assert "end of the file" in _error(tmp_path, text[:-2])
    reopened = mllp([GOOD]) + "\x0b" + "\r".join(GOOD) + mllp([GOOD])
    assert "before the next 0x0B" in _error(tmp_path, reopened)
    assert _error(tmp_path, reopened).startswith("message 2, MLLP frame")


def test_text_outside_mllp_frames(tmp_path: Path) -> None:
    text = mllp([GOOD]) + "\r".join(GOOD) + "\r" + mllp([GOOD])
    assert _error(tmp_path, text).startswith("message 2, MLLP frame: text outside an MLLP frame")


def test_frame_bytes_in_a_file_of_lines(tmp_path: Path) -> None:
    text = lines([GOOD]) + mllp([GOOD])
    assert _error(tmp_path, text).startswith("message 2, MLLP frame: an MLLP frame byte")
    text = lines([GOOD]) + "\x0b\r" + lines([GOOD]) + "\x1c\r"  # on a line of its own
    assert _error(tmp_path, text).startswith("message 1, MLLP frame: an MLLP frame byte")


def test_a_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "log.zip"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(LogError, match=r"log\.zip: not a text file \(byte 0x03 at offset 2\)"):
        read_logs([path], "hl7")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LogError, match=r"nothere\.hl7: cannot read the file"):
        read_logs([tmp_path / "nothere.hl7"])


@pytest.mark.parametrize(
    "stamp",
    [
        "",
        "2026",
        "202601",
        "2026010509301",
        "20261305093015",
        "20260105253015",
        "202601050930XX",
        "20260105093015+01",
        "20260105093015.+0100",
        "20260105093015+2500",
    ],
)
def test_unreadable_msh7_is_counted_and_skipped(tmp_path: Path, stamp: str) -> None:
    log = read_logs(
        [
            write(
                tmp_path / "t.hl7", lines([GOOD, order(time=stamp, control="C2"), ack(time=stamp)])
            )
        ],
        "hl7",
    )
    assert [e.control_id for e in log.entries] == ["C1"]
    assert [(p.kind, p.number) for p in log.problems] == [
        ("unreadable MSH-7", 2),
        ("unreadable MSH-7", 3),
    ]
    assert repr(stamp) in log.problems[0].detail
    assert log.acks == 0


def test_problem_counts_of_every_kind_in_file_and_message_order(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.hl7",
        lines([["PID|1||X"], ack(refers_to="C9"), GOOD, order(time="x", control="C3")]),
    )
    second = write(tmp_path / "b.mllp", mllp([ack(refers_to="C8"), GOOD, ["NTE|1"]]))
    log = read_logs([first, second], "hl7")
    assert [(p.file, p.number, p.kind) for p in log.problems] == [
        (first, 1, "no MSH"),
        (first, 2, "ACK for no message"),
        (first, 4, "unreadable MSH-7"),
        (second, 1, "ACK for no message"),
        (second, 3, "no MSH"),
    ]
    assert log.problem_counts() == {"no MSH": 2, "unreadable MSH-7": 1, "ACK for no message": 2}
    assert len(log.entries) == 2 and log.acks == 2
