"""read_logs: each file's format told from its content, or given; both formats in one log."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.logs.entry import LogError
from sim.logs.read import detect, read_logs
from tests.logs.hl7_builders import ack, lines, mllp, order, write

CSV = "time,source,destination,message,status,ack_ms\n2026-01-05T09:30:30,EPIC,RIS,ORM^O01,AE,500\n"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (mllp([order()]), "hl7"),
        (mllp([["PID|1||X"], order()]), "hl7"),
        ("\n " + mllp([order()]), "hl7"),
        (lines([order()]), "hl7"),
        ("\r\n" + lines([order()], "\n"), "hl7"),
        ("FHS|^~\\&|EPIC\r" + lines([order()]), "hl7"),
        (CSV, "csv"),
        ("\n" + CSV.replace("time,source", "TIME , Source"), "csv"),
        ("", "hl7"),
    ],
)
def test_detect(text: str, fmt: str) -> None:
    assert detect("f", text) == fmt


@pytest.mark.parametrize(
    "text",
    [
        "PID|1||X\nMSH|^~\\&|A|H|B|H|20260105||ADT^A01|1\n",
        "time,source,destination\n1,2,3\n",
        "hello",
    ],
)
def test_neither_format_names_the_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "mystery.log", text)
    with pytest.raises(LogError, match=r"mystery\.log: neither an HL7 v2 log .* nor a CSV log"):
        read_logs([path])


def test_both_formats_in_one_read(tmp_path: Path) -> None:
    hl7 = write(
        tmp_path / "a.hl7",
        lines(
            [
                order(time="20260105093000"),
                ack(time="20260105093001"),
                order(time="20260105093100", control="C2"),
            ]
        ),
    )
    table = write(tmp_path / "b.csv", "\ufeff" + CSV)
    empty = write(tmp_path / "c.hl7", "\n")
    log = read_logs([table, hl7, empty])
    assert [(e.file, e.destination, e.ack_code, e.ack_s) for e in log.entries] == [
        (hl7, "LAB", "AA", 1.0),
        (table, "RIS", "AE", 0.5),
        (hl7, "LAB", None, None),
    ]
    assert log.files == [table, hl7, empty] and log.acks == 1


def test_a_given_format_is_not_second_guessed(tmp_path: Path) -> None:
    path = write(tmp_path / "orders.txt", lines([order()]))
    with pytest.raises(LogError, match=r"orders\.txt, header: no column"):
        read_logs([path], "csv")
    table = write(tmp_path / "table.txt", CSV)
    with pytest.raises(LogError, match=r"table\.txt: no line starts with MSH: not an HL7 v2 log"):
        read_logs([table], "hl7")
    with pytest.raises(ValueError, match="log format 'xml' is none of hl7, csv"):
        read_logs([path], "xml")


def test_latin1_logs_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.hl7"
    path.write_bytes(lines([order(patient="M\xfcller")]).encode("latin-1"))
    assert read_logs([path]).entries[0].patient == "M\xfcller"
