"""Small HL7 v2 messages and log files for the reader's tests (made-up patients)."""

from __future__ import annotations

from pathlib import Path

ENC = "^~\\&"


def msh(
    source: str = "EPIC",
    destination: str = "LAB",
    time: str = "20260105093015",
    kind: str = "ORM^O01",
    control: str = "C1",
) -> str:
    """An MSH segment."""
    return f"MSH|{ENC}|{source}|HOSP|{destination}|HOSP|{time}||{kind}|{control}|P|2.5"


def order(
    time: str = "20260105093015",
    control: str = "C1",
    patient: str = "MRN1",
    placer: str = "PL1",
    priority: str = "S",
    source: str = "EPIC",
    destination: str = "LAB",
) -> list[str]:
    """An ORM^O01 order: MSH, PID, PV1, ORC (priority in ORC-7.6), OBR, NTE."""
    return [
        msh(source, destination, time, "ORM^O01^ORM_O01", control),
        f"PID|1||{patient}^^^HOSP^MR~OTHER^^^X||Doe^Jane||19700101|F",
        "PV1|1|I|W1^1^1",
        f"ORC|NW|{placer}^EPIC|||||^^^^^{priority}|||{time}",
        f"OBR|1|{placer}^EPIC||CBC^Blood count|||{time}",
        "NTE|1||made-up test order",
    ]


def ack(
    time: str = "20260105093016",
    refers_to: str = "C1",
    code: str = "AA",
    source: str = "LAB",
    destination: str = "EPIC",
    control: str = "A1",
) -> list[str]:
    """An ACK from `source` to `destination` answering `refers_to`."""
    return [msh(source, destination, time, "ACK^O01", control), f"MSA|{code}|{refers_to}"]


def lines(messages: list[list[str]], end: str = "\r") -> str:
    """A log of one segment a line, every segment ended by `end`."""
    return "".join(segment + end for message in messages for segment in message)


def mllp(messages: list[list[str]], end: str = "\r") -> str:
    """An MLLP-framed log: 0x0B, the segments each ended by `end`, 0x1C 0x0D."""
    return "".join(
        "\x0b" + "".join(segment + end for segment in message) + "\x1c\r" for message in messages
    )


def write(path: Path, text: str) -> str:
    """Write `text` (no newline translation) and return the path as a string."""
    path.write_bytes(text.encode("utf-8"))
    return str(path)
