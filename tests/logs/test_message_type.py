"""A flow's message type, named alike from HL7's MSH-9 and a CSV's `message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.logs.message_type import message_type, written_type
from sim.logs.read import read_logs


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        (("ORU", "R01", "ORU_R01"), "ORU^R01"),
        (("ADT", "A08", "adt_a01"), "ADT^A08"),
        (("ORM", "O01", ""), "ORM^O01"),
        (("ADT", "A08", "notes"), "ADT^A08^notes"),
        (("OML", "O21", "lab-orders-2"), "OML^O21^lab-orders-2"),
        (("ACK", "", ""), "ACK"),
    ],
)
def test_a_structure_is_left_out_and_a_local_mark_kept(
    components: tuple[str, str, str], expected: str
) -> None:
    assert message_type(*components) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ORU^R01^ORU_R01", "ORU^R01"),
        ("ADT^A08^notes", "ADT^A08^notes"),
        ("ORM^O01", "ORM^O01"),
        ("XDIS91", "XDIS91"),
        ("ORU^R01^", "ORU^R01^"),
        ("A^B^C^D", "A^B^C^D"),
    ],
)
def test_a_csv_type_is_named_as_its_msh9_would_be(text: str, expected: str) -> None:
    assert written_type(text) == expected


def test_both_readers_name_a_flow_alike(tmp_path: Path) -> None:
    hl7 = tmp_path / "log.hl7"
    hl7.write_text(
        "MSH|^~\\&|LAB||EHR||20260105093015||ORU^R01^ORU_R01|1|P|2.5\r"
        "MSH|^~\\&|EHR||LAB||20260105093016||ADT^A08^notes|2|P|2.5\r",
        newline="",
    )
    table = tmp_path / "log.csv"
    table.write_text(
        "time,source,destination,message,status,ack_ms\n"
        "2026-01-05T09:30:15,LAB,EHR,ORU^R01^ORU_R01,,\n"
        "2026-01-05T09:30:16,EHR,LAB,ADT^A08^notes,,\n"
    )
    for path in (hl7, table):
        assert [e.message for e in read_logs([path]).entries] == ["ORU^R01", "ADT^A08^notes"]
