"""A traced run written as an HL7 v2 log: the messages and ACKs an engine's log keeps.

One original message per attempt to deliver, stamped with the attempt's start (MSH-7) and
carrying the message's uid as its control id (MSH-10), the same on every resend, as engines
resend a message unchanged; one ``ACK`` per ACK or negative ACK (MSA-1 the code, MSA-2 the
original's MSH-10), stamped with the time it came. A timed-out attempt has no ACK. Times are
on the scenario's wall clock (``start`` + simulated seconds), ``YYYYMMDDHHMMSS.SSS`` without
an offset.

Segments, version 2.4 (where ORC-7 still carries the priority):

- every message: ``MSH`` (MSH-3/MSH-5 the flow's sending and receiving applications, MSH-9
  its type by :func:`sim.logs.traced.message_types`, MSH-11 ``P``), ``PID`` (PID-3 the
  patient);
- orders (MSH-9's code ``ORM``, ``OML``, ``OMG``, ``OMI`` ...): ``PV1``, ``ORC`` (ORC-1
  ``NW``, ORC-2 the placer order number, ORC-7's 6th component the priority ``S``, ``A`` or
  ``R``), ``OBR`` (OBR-2 the placer number, OBR-4 the flow);
- results (``ORU``, ``OUL``): ``PV1``, ``ORC`` (``RE``), ``OBR`` and one ``OBX``, the placer
  number being the order's uid;
- others (``ADT`` and any other type): ``EVN`` before ``PID``, then ``PV1``: such messages
  carry neither a priority nor a placer number.

The placer number is the order's uid: a result's ``order_uid``, an order's own uid.
Framing: MLLP (``0x0B`` message ``0x1C 0x0D``, segments ending in ``\\r``) or one segment a
line (``\\n``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import hl7

from sim.files import replaced
from sim.logs.traced import ORDER, RESULT, Attempt, LogFlow, TracedRun

__all__ = ["FRAMINGS", "PRIORITY_CODES", "VERSION", "carries_placer", "hl7_messages", "write_hl7"]

FRAMINGS: Final = ("mllp", "lines")
VERSION: Final = "2.4"
PRIORITY_CODES: Final = {"stat": "S", "urgent": "A", "routine": "R"}
"""HL7 table 0027's priority for each ehrsim class."""

_ORDER_CODES: Final = frozenset({"ORM", "OML", "OMG", "OMI", "OMB", "OMD", "OMN", "OMP", "OMS"})
_RESULT_CODES: Final = frozenset({"ORU", "OUL"})
_SEPARATORS: Final = "\r|~^&"

Value = str | Sequence[str]
"""A field's value: text, or its components in order."""


def _layout(flow: LogFlow) -> str:
    """Which segments a flow's messages carry: ``order``, ``result`` or ``""`` (others).

    A flow's part in the scenario decides (an order with replies, a result a reply travels
    on), whatever its type (``RDE^O11`` orders, ``MDM^T02`` results); the type decides for
    the others."""
    if flow.part in (ORDER, RESULT):
        return "order" if flow.part == ORDER else "result"
    code = flow.message.split("^")[0]
    return "order" if code in _ORDER_CODES else "result" if code in _RESULT_CODES else ""


def carries_placer(flow: LogFlow) -> bool:
    """Whether a flow's messages carry a placer number and a priority (ORC and OBR)."""
    return bool(_layout(flow))


def _message() -> hl7.Message:
    return hl7.parse("MSH|^~\\&|\r")


def _segment(message: hl7.Message, name: str, fields: dict[int, Value]) -> hl7.Segment:
    """A segment ``name`` with ``fields`` (by HL7 field number), each value escaped."""
    if name == "MSH":
        segment = message.segment("MSH")
    else:
        segment = message.create_segment([message.create_field([name])])
        message.append(segment)
    for number, value in sorted(fields.items()):
        if isinstance(value, str):
            segment.assign_field(message.escape(value), number)
        else:
            for index, part in enumerate(value, start=1):
                segment.assign_field(message.escape(part), number, 1, index)
    return segment


def _stamp(run: TracedRun, time_s: float) -> str:
    moment = run.wall(time_s)
    return f"{moment:%Y%m%d%H%M%S}.{moment.microsecond // 1000:03d}"


def _original(run: TracedRun, attempt: Attempt) -> hl7.Message:
    flow = run.flows[attempt.flow]
    message = _message()
    when = _stamp(run, attempt.sent_s)
    _segment(
        message,
        "MSH",
        {
            3: flow.source,
            5: flow.destination,
            7: when,
            9: flow.message.split("^"),
            10: str(attempt.uid),
            11: "P",
            12: VERSION,
        },
    )
    layout = _layout(flow)
    if not layout:
        _segment(message, "EVN", {1: flow.message.split("^")[1], 2: when})
    _segment(message, "PID", {1: "1", 3: attempt.patient})
    _segment(message, "PV1", {1: "1", 2: "U"})
    if layout:
        placer = str(attempt.placer)
        service = (flow.id.upper(), flow.id, "EHRSIM")
        priority = ("", "", "", "", "", PRIORITY_CODES[attempt.priority])
        control = "NW" if layout == "order" else "RE"
        _segment(message, "ORC", {1: control, 2: placer, 7: priority, 9: when})
        obr: dict[int, Value] = {1: "1", 2: placer, 4: service}
        if layout == "result":
            obr[25] = "F"
        _segment(message, "OBR", obr)
        if layout == "result":
            _segment(message, "OBX", {1: "1", 2: "ST", 3: service, 5: "simulated", 11: "F"})
    return message


def _ack(run: TracedRun, attempt: Attempt, flow: LogFlow) -> hl7.Message:
    assert attempt.answered_s is not None and attempt.code is not None
    message = _message()
    _segment(
        message,
        "MSH",
        {
            3: flow.destination,
            5: flow.source,
            7: _stamp(run, attempt.answered_s),
            9: "ACK",
            10: f"ACK{attempt.uid}.{attempt.attempt}",
            11: "P",
            12: VERSION,
        },
    )
    _segment(message, "MSA", {1: attempt.code, 2: str(attempt.uid)})
    return message


def hl7_messages(run: TracedRun) -> Iterable[hl7.Message]:
    """The log's messages in time order: an original per attempt, an ACK per answer."""
    for attempt, answer in run.lines:
        if answer:
            yield _ack(run, attempt, run.flows[attempt.flow])
        else:
            yield _original(run, attempt)


def _framed(message: hl7.Message, framing: str) -> bytes:
    segments = [str(segment) for segment in message]
    if framing == "mllp":
        return b"\x0b" + "".join(s + "\r" for s in segments).encode("ascii") + b"\x1c\r"
    return "".join(s + "\n" for s in segments).encode("ascii")


def write_hl7(run: TracedRun, path: Path, framing: str = "mllp") -> int:
    """Write the run's log to ``path`` (atomically: beside it, then renamed); return how many
    messages it holds, ACKs included."""
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}: use one of {', '.join(FRAMINGS)}")
    count = 0
    with replaced(path, "wb") as handle:
        for message in hl7_messages(run):
            handle.write(_framed(message, framing))
            count += 1
    return count
