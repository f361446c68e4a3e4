"""ACKs joined to the originals they answer: direction, MSA-2, resends, orphans, files."""

from __future__ import annotations

from pathlib import Path

from sim.logs.entry import ReadLog
from sim.logs.hl7_read import read_hl7
from sim.logs.read import read_logs
from tests.logs.hl7_builders import ack, lines, order, write


def _read(tmp_path: Path, messages: list[list[str]]) -> ReadLog:
    return read_logs([write(tmp_path / "log.hl7", lines(messages))], "hl7")


def _acks(log: ReadLog) -> list[tuple[int, str | None, float | None]]:
    return [(e.number, e.ack_code, e.ack_s) for e in log.entries]


def test_response_time_is_the_ack_minus_the_original(tmp_path: Path) -> None:
    log = _read(
        tmp_path,
        [
            order(time="20260105093015.250+0100", control="C1"),
            ack(time="20260105083016.000+0000", refers_to="C1", code="AE"),
        ],
    )
    assert _acks(log) == [(1, "AE", 0.75)]
    assert log.entries[0].nak
    assert log.acks == 1 and log.problems == []


def test_a_resend_takes_the_ack_that_follows_it(tmp_path: Path) -> None:
    """The engine resends C1 after no answer; the one ACK answers the resend."""
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            order(time="20260105090100", control="C1"),
            ack(time="20260105090102", refers_to="C1"),
        ],
    )
    assert _acks(log) == [(1, None, None), (2, "AA", 2.0)]
    assert log.problems == []


def test_each_send_of_a_resent_message_keeps_its_own_ack(tmp_path: Path) -> None:
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            ack(time="20260105090001", refers_to="C1", code="AR"),
            order(time="20260105090030", control="C1"),
            ack(time="20260105090033", refers_to="C1", code="AA"),
        ],
    )
    assert _acks(log) == [(1, "AR", 1.0), (3, "AA", 3.0)]


def test_an_ack_never_goes_to_a_later_send(tmp_path: Path) -> None:
    """The ACK at 09:00:05 answers the send at 09:00:00, not the resend logged at 09:01."""
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            order(time="20260105090100", control="C1"),
            ack(time="20260105090005", refers_to="C1"),
        ],
    )
    assert _acks(log) == [(1, "AA", 5.0), (2, None, None)]


def test_an_ack_at_the_originals_own_minute_matches(tmp_path: Path) -> None:
    log = _read(
        tmp_path,
        [ack(time="202601050900", refers_to="C1"), order(time="202601050900", control="C1")],
    )
    assert _acks(log) == [(2, "AA", 0.0)]
    assert log.problems == []


def test_orphans_wrong_direction_duplicate_and_empty_msa2(tmp_path: Path) -> None:
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            ack(time="20260105090001", refers_to="C1", source="EPIC", destination="LAB"),
            ack(time="20260105090002", refers_to="C1"),
            ack(time="20260105090003", refers_to="C1"),
            ack(time="20260105090004", refers_to=""),
            ack(time="20260105090005", refers_to="C404", source="RIS"),
        ],
    )
    assert _acks(log) == [(1, "AA", 2.0)]
    assert [(p.kind, p.number) for p in log.problems] == [
        ("ACK for no message", n) for n in (2, 4, 5, 6)
    ]
    assert "RIS to EPIC for MSA-2 C404" in log.problems[-1].detail
    assert log.problem_counts()["ACK for no message"] == 4
    assert log.acks == 5


def test_acks_are_joined_across_files_and_entries_merge_in_time_order(tmp_path: Path) -> None:
    out = write(
        tmp_path / "out.hl7",
        lines(
            [order(time="20260105090000", control="C1"), order(time="20260105090010", control="C2")]
        ),
    )
    back = write(
        tmp_path / "in.hl7",
        lines(
            [
                ack(time="20260105090012", refers_to="C2"),
                ack(time="20260105090003", refers_to="C1"),
                order(time="20260105090005", control="X1", source="LAB", destination="EPIC"),
            ]
        ),
    )
    log = read_logs([out, back])
    assert [(e.file, e.number, e.ack_s) for e in log.entries] == [
        (out, 1, 3.0),
        (back, 3, None),
        (out, 2, 2.0),
    ]
    assert log.files == [out, back] and log.acks == 2


def test_ties_keep_file_then_message_order(tmp_path: Path) -> None:
    a = write(tmp_path / "a.hl7", lines([order(control="A1"), order(control="A2")]))
    b = write(tmp_path / "b.hl7", lines([order(control="B1")]))
    log = read_logs([b, a])
    assert [e.control_id for e in log.entries] == ["B1", "A1", "A2"]


def test_read_hl7_orders_its_entries_in_time() -> None:
    """Logs are not always in time order (an engine writing from several threads)."""
    text = lines(
        [
            order(time="20260105090010", control="C2"),
            order(time="20260105090000", control="C1"),
            ack(time="20260105090011", refers_to="C2"),
        ]
    )
    log = read_hl7([("f.hl7", text)])
    assert [(e.control_id, e.ack_s) for e in log.entries] == [("C1", None), ("C2", 1.0)]


def test_an_ack_to_the_second_answers_an_order_to_the_millisecond(tmp_path: Path) -> None:
    """The receiver stamps whole seconds: its ACK reads earlier than the order it answers, and
    is one at the log's precision (response 0, its resolution the coarser one)."""
    log = _read(
        tmp_path,
        [
            order(time="20260105090000.800", control="C1"),
            ack(time="20260105090000", refers_to="C1"),
            order(time="20260105090001.200", control="C2"),
            ack(time="20260105090002", refers_to="C2"),
        ],
    )
    assert _acks(log) == [(1, "AA", 0.0), (3, "AA", 0.8)]
    assert [e.ack_precision_s for e in log.entries] == [1.0, 1.0]
    assert log.problems == []


def test_a_nak_and_its_resend_in_one_second_keep_their_own_acks(tmp_path: Path) -> None:
    """At equal times the log's order decides: the AE answers the first send, not the resend."""
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            ack(time="20260105090000", refers_to="C1", code="AE"),
            order(time="20260105090000", control="C1"),
            ack(time="20260105090002", refers_to="C1", code="AA"),
        ],
    )
    assert _acks(log) == [(1, "AE", 0.0), (3, "AA", 2.0)]


def test_a_bare_ack_without_applications_matches_on_msa_2(tmp_path: Path) -> None:
    log = _read(
        tmp_path,
        [
            order(time="20260105090000", control="C1"),
            ack(time="20260105090001", refers_to="C1", source="", destination=""),
            ack(time="20260105090002", refers_to="C9", source="", destination=""),
        ],
    )
    assert _acks(log) == [(1, "AA", 1.0)]
    (orphan,) = log.problems
    assert orphan.number == 3 and "from (empty MSH-3) to (empty MSH-5) for MSA-2 C9" in (
        orphan.detail
    )
