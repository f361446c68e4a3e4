"""CSV logs: columns in any order and case, times, statuses, priorities, and bad rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sim.logs.entry import LogError
from sim.logs.read import read_logs
from tests.logs.hl7_builders import write

HEADER = "time,source,destination,message,status,ack_ms,patient,priority,placer"


def _read(tmp_path: Path, *rows: str, header: str = HEADER) -> list[tuple[object, ...]]:
    log = read_logs([write(tmp_path / "log.csv", "\n".join((header, *rows)) + "\n")], "csv")
    assert log.problems == [] and log.acks == 0
    return [
        (
            e.number,
            e.local,
            e.time_s,
            e.precision_s,
            e.ack_code,
            e.ack_s,
            e.priority,
            e.patient,
            e.placer,
        )
        for e in log.entries
    ]


def _epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_happy_path(tmp_path: Path) -> None:
    log = read_logs(
        [
            write(
                tmp_path / "log.csv",
                HEADER + "\r\n"
                "2026-01-05T09:30:15.250+01:00,EPIC,LAB,ORM^O01,AA,120,MRN1,stat,PL1\r\n"
                '2026-01-05T09:30:00,EPIC,"RIS, main",ORM^O01,timeout,,,,\r\n',
            )
        ]
    )
    first, second = log.entries
    assert (second.source, second.destination, second.message) == ("EPIC", "RIS, main", "ORM^O01")
    assert (second.number, second.ack_code, second.ack_s, second.patient) == (2, None, None, None)
    assert first.number == 1 and first.local == datetime(2026, 1, 5, 9, 30, 15, 250_000)
    assert first.time_s == _epoch(2026, 1, 5, 8, 30, 15) + 0.25
    assert (first.ack_code, first.ack_s, first.priority, first.patient, first.placer) == (
        "AA", 0.12, "stat", "MRN1", "PL1"
    )  # fmt: skip
    assert first.control_id is None and first.precision_s == 0.001
    assert log.files == [str(tmp_path / "log.csv")]


@pytest.mark.parametrize(
    ("time", "local", "utc", "precision"),
    [
        ("2026-01-05T09:30", (2026, 1, 5, 9, 30), (2026, 1, 5, 9, 30), 60.0),
        ("2026-01-05 09:30:15", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 9, 30, 15), 1.0),
        ("2026-01-05T09:30:15Z", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 9, 30, 15), 1.0),
        ("2026-01-05T09:30:15-05:00", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 14, 30, 15), 1.0),
        ("2026-01-05T09:30:15+0100", (2026, 1, 5, 9, 30, 15), (2026, 1, 5, 8, 30, 15), 1.0),
        (
            "2026-01-05T09:30:15.5",
            (2026, 1, 5, 9, 30, 15, 500_000),
            (2026, 1, 5, 9, 30, 15, 500_000),
            0.1,
        ),
    ],
)
def test_times(
    tmp_path: Path, time: str, local: tuple[int, ...], utc: tuple[int, ...], precision: float
) -> None:
    [row] = _read(tmp_path, f"{time},A,B,ADT^A01,,,,,")
    assert row[1] == datetime(*local)
    assert row[2] == _epoch(*utc)
    assert row[3] == pytest.approx(precision)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("AA", "AA"),
        ("ae", "AE"),
        ("AR", "AR"),
        ("CA", "CA"),
        ("ce", "CE"),
        ("CR", "CR"),
        ("ok", "AA"),
        ("Acked", "AA"),
        ("NAK", "AE"),
        ("error", "AE"),
        ("rejected", "AR"),
    ],
)
def test_statuses(tmp_path: Path, status: str, code: str) -> None:
    [row] = _read(tmp_path, f"2026-01-05T09:30,A,B,ADT^A01,{status},250.5,,,")
    assert (row[4], row[5]) == (code, 0.2505)


def test_priorities_columns_in_any_order_and_case_extras_ignored(tmp_path: Path) -> None:
    header = "Placer, PRIORITY ,ack_ms,status,message,destination,source,time,channel"
    rows = _read(
        tmp_path,
        "P1,S,5,AA,ORM,B,A,2026-01-05T09:33,x",
        "P2,urgent,5,AA,ORM,B,A,2026-01-05T09:31,x",
        "",
        "P3,r,,AA,ORM,B,A,2026-01-05T09:32,x",
        ",,5,AA,ORM,B,A,2026-01-05T09:34,x",
        header=header,
    )
    assert [(r[0], r[6], r[8], r[5]) for r in rows] == [
        (2, "urgent", "P2", 0.005),
        (3, "routine", "P3", None),
        (1, "stat", "P1", 0.005),
        (4, None, None, 0.005),
    ]


def test_without_optional_columns(tmp_path: Path) -> None:
    [row] = _read(
        tmp_path,
        "2026-01-05T09:30,A,B,ORM,AA,3",
        header="time,source,destination,message,status,ack_ms",
    )
    assert row[6:] == (None, None, None)


def _error(tmp_path: Path, *rows: str, header: str = HEADER) -> str:
    path = write(tmp_path / "bad.csv", "\n".join((header, *rows)) + "\n")
    with pytest.raises(LogError) as caught:
        read_logs([path], "csv")
    assert str(caught.value).startswith(path + ", ")
    return str(caught.value).removeprefix(path + ", ")


GOOD = "2026-01-05T09:30,A,B,ORM,AA,3,,,"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2026-01-05,A,B,ORM,AA,3,,,", "row 2, time: '2026-01-05' is not an ISO 8601 date-time"),
        ("05/01/2026 09:30,A,B,ORM,AA,3,,,", "row 2, time: '05/01/2026 09:30' is not an ISO"),
        ("2026-13-05T09:30,A,B,ORM,AA,3,,,", "row 2, time: '2026-13-05T09:30': month must be"),
        ("2026-01-05T09:30,,B,ORM,AA,3,,,", "row 2, source: empty"),
        ("2026-01-05T09:30,A, ,ORM,AA,3,,,", "row 2, destination: empty"),
        ("2026-01-05T09:30,A,B,,AA,3,,,", "row 2, message: empty"),
        ("2026-01-05T09:30,A,B,ORM,fine,3,,,", "row 2, status: 'fine' is no ACK code"),
        ("2026-01-05T09:30,A,B,ORM,AA,3ms,,,", "row 2, ack_ms: '3ms' is not a number"),
        ("2026-01-05T09:30,A,B,ORM,AA,-1,,,", "row 2, ack_ms: '-1' is not a duration"),
        ("2026-01-05T09:30,A,B,ORM,AA,nan,,,", "row 2, ack_ms: 'nan' is not a duration"),
        (
            "2026-01-05T09:30,A,B,ORM,timeout,30000,,,",
            "row 2, ack_ms: '30000' for a message without",
        ),
        ("2026-01-05T09:30,A,B,ORM,AA,3,,high,", "row 2, priority: 'high' is none of"),
        ("2026-01-05T09:30,A,B,ORM,AA,3,,", "row 2: 8 fields where the header has 9 (line 3)"),
    ],
)
def test_bad_rows_name_file_row_and_column(tmp_path: Path, row: str, expected: str) -> None:
    assert _error(tmp_path, GOOD, row).startswith(expected)


def test_bad_headers(tmp_path: Path) -> None:
    assert _error(tmp_path, GOOD, header="time,source,destination,message,status") == (
        "header: no column ack_ms"
    )
    assert _error(tmp_path, GOOD, header=HEADER + ",Time") == "header: column time appears twice"


def test_blank_rows_are_not_counted(tmp_path: Path) -> None:
    assert _error(tmp_path, "", GOOD, " , ,", "x,A,B,ORM,AA,3,,,").startswith("row 2, time")


def test_an_unclosed_quote_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """The quote swallows the rest of the file, past the csv module's field limit."""
    rows = ['2026-01-05T09:30,EHR,LAB,"ORM^O01,AA,12,,,']
    rows += ["2026-01-05T09:31:00.000,EHR,LAB,ORM^O01,AA,12,P1,S,PL1"] * 3000
    path = write(tmp_path / "bad.csv", "\n".join((HEADER, *rows)) + "\n")
    with pytest.raises(LogError) as caught:
        read_logs([path], "csv")
    assert str(caught.value) == (
        f"{path}: from line 2: not CSV the reader can split (field larger than field limit "
        "(131072); an unclosed quote?)"
    )


def test_ack_ms_has_its_own_resolution(tmp_path: Path) -> None:
    """A measured duration, whatever the precision of the time column."""
    path = write(
        tmp_path / "log.csv",
        HEADER + "\n2026-01-05T09:30:15,EHR,LAB,ORM^O01,AA,12,,,\n"
        "2026-01-05T09:30:16,EHR,LAB,ORM^O01,AA,12.25,,,\n2026-01-05T09:30:17,EHR,LAB,ORM^O01,,,,,\n",
    )
    entries = read_logs([path]).entries
    assert [(e.precision_s, e.ack_precision_s) for e in entries] == [
        (1.0, 0.001),
        (1.0, 1e-05),
        (1.0, None),
    ]
