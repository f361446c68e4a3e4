"""One HL7 v2 message's fields, as calibration needs them, read with python-hl7.

python-hl7 builds a tree of every field, repetition and component it is given, which is most
of a log's reading time; so it is given only the segments read here (MSH, and the first PID,
ORC, OBR, TQ1 and MSA; a message's OBX, NTE, PV1 ... are left out), each cut after the last
field read from it (MSH-10, PID-3, ORC-7, OBR-2, TQ1-9, MSA-2). The cut is framing, like the
segments': finding the n-th field separator; every field read is split, unescaped and read by
the parser. Fields:

- flow: MSH-3 (sending application), MSH-5 (receiving application), MSH-9 (message type:
  message code and trigger event, written ``ORM^O01`` whatever the message's component
  separator; the message structure, MSH-9.3, follows from the two and is left out, unless it
  is no structure name: see :mod:`sim.logs.message_type`). An application is its HD
  namespace id (first component), else its universal id (second).
- time: MSH-7 (its first component, the DTM), ``YYYYMMDD[HH[MM[SS[.S...]]]][+/-ZZZZ]``, read
  by :func:`hl7.parse_datetime`; precision from the digits given (a day down to fractions of a
  second).
- patient: PID-3's first identifier; placer: ORC-2, else OBR-2 (the entity identifier);
  priority: ORC-7's priority (the sixth component of TQ), else TQ1-9; S, A and R give stat,
  urgent and routine, other codes no priority.
- ACK (MSH-9's message code ``ACK``): MSA-1 the code, MSA-2 the original's MSH-10.

What a message cannot do without stops the read (:class:`LogError`: file, message number,
field): an empty MSH-3, MSH-5 or MSH-9, broken encoding characters (MSH-1, MSH-2), an ACK
without MSA-1 or with an unknown code, a message the parser refuses. A message without MSH and
an unreadable MSH-7 are skipped and counted (:class:`LogProblem`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

import hl7

from sim.logs.entry import BAD_TIME, NO_MSH, LogEntry, LogError, LogProblem
from sim.logs.message_type import message_type

ACK_CODES: Final = frozenset({"AA", "AE", "AR", "CA", "CE", "CR"})
"""MSA-1's values (HL7 table 0008): application and commit accept, error, reject."""
HL7_PRIORITIES: Final = {"S": "stat", "A": "urgent", "R": "routine"}
"""HL7 priority codes (table 0027) that ehrsim's classes stand for."""

_LAST_FIELD: Final = {"MSH": 10, "PID": 3, "ORC": 7, "OBR": 2, "TQ1": 9, "MSA": 2}
"""The segments read, and the last field read from each."""
_DTM = re.compile(r"(\d{8}(?:\d{2}(?:\d{2}(?:\d{2}(?:\.(\d{1,6}))?)?)?)?)([+-]\d{4})?")
_PRECISION_S: Final = {8: 86400.0, 10: 3600.0, 12: 60.0, 14: 1.0}
"""Seconds of resolution of a DTM without fraction, by its number of digits."""


@dataclass(slots=True)
class Original:
    """An original message as read; its response is joined to it later."""

    file: str
    number: int
    source: str
    destination: str
    message: str
    local: datetime
    time_s: float
    precision_s: float
    control_id: str | None
    patient: str | None
    priority: str | None
    placer: str | None
    ack_code: str | None = None
    ack_s: float | None = None
    ack_precision_s: float | None = None

    def entry(self) -> LogEntry:
        """The record calibration reads."""
        return LogEntry(
            file=self.file,
            number=self.number,
            source=self.source,
            destination=self.destination,
            message=self.message,
            local=self.local,
            time_s=self.time_s,
            precision_s=self.precision_s,
            control_id=self.control_id,
            patient=self.patient,
            priority=self.priority,
            placer=self.placer,
            ack_code=self.ack_code,
            ack_s=self.ack_s,
            ack_precision_s=self.ack_precision_s,
        )


@dataclass(frozen=True, slots=True)
class Ack:
    """An ACK as read: who sent it to whom, when, its code and the control id it answers."""

    file: str
    number: int
    source: str
    destination: str
    time_s: float
    code: str
    refers_to: str | None
    precision_s: float


def read_message(file: str, number: int, segments: list[str]) -> Original | Ack | LogProblem:
    """The original, ACK or problem that one message (its segments, in order) is."""
    first = segments[0] if segments else ""
    if not first.startswith("MSH"):
        shown = first[:3] if first else "nothing"
        return LogProblem(NO_MSH, file, number, f"the message starts with {shown!r}, not MSH")
    _check_encoding(file, number, first)
    separator = first[3]
    wanted = [_cut(first, separator, _LAST_FIELD["MSH"] - 1)]
    seen: set[str] = set()
    for segment in segments[1:]:
        name = segment[:3]
        if name in _LAST_FIELD and name not in seen:
            seen.add(name)
            wanted.append(_cut(segment, separator, _LAST_FIELD[name]))
    try:
        parsed = hl7.parse("\r".join(wanted))
    except Exception as exc:  # python-hl7 raises bare IndexError, ValueError, ParseException
        raise LogError(file, number, "MSH", f"the parser refused the message: {exc}") from None
    msh = parsed[0]
    others = {str(segment[0][0]): segment for segment in parsed[1:]}
    code = _value(msh, 9, 1)
    if not code:
        raise LogError(file, number, "MSH-9", "empty message type")
    bare = code.upper() == "ACK"  # many receivers leave their ACK's applications empty
    source = _application(file, number, msh, 3, bare)
    destination = _application(file, number, msh, 5, bare)
    raw_time = _value(msh, 7, 1)
    when = _time(raw_time)
    if when is None:
        return LogProblem(BAD_TIME, file, number, f"MSH-7 is {raw_time!r}")
    local, time_s, precision_s = when
    if code.upper() == "ACK":
        return _ack(file, number, source, destination, when, others.get("MSA"))
    message = message_type(code, _value(msh, 9, 2), _value(msh, 9, 3))
    orc = others.get("ORC")
    return Original(
        file=file,
        number=number,
        source=source,
        destination=destination,
        message=message,
        local=local,
        time_s=time_s,
        precision_s=precision_s,
        control_id=_value(msh, 10, 1) or None,
        patient=_value(others.get("PID"), 3, 1) or None,
        priority=_priority(orc, others.get("TQ1")),
        placer=_value(orc, 2, 1) or _value(others.get("OBR"), 2, 1) or None,
    )


def _ack(
    file: str,
    number: int,
    source: str,
    destination: str,
    when: tuple[datetime, float, float],
    msa: hl7.Segment | None,
) -> Ack:
    if msa is None:
        raise LogError(file, number, "MSA", "an ACK without an MSA segment")
    code = _value(msa, 1, 1).upper()
    if code not in ACK_CODES:
        raise LogError(
            file,
            number,
            "MSA-1",
            f"acknowledgment code {code!r} is none of {', '.join(sorted(ACK_CODES))}",
        )
    _, time_s, precision_s = when
    return Ack(
        file, number, source, destination, time_s, code, _value(msa, 2, 1) or None, precision_s
    )


def _check_encoding(file: str, number: int, msh: str) -> None:
    """MSH-1 and MSH-2 must be usable separators, or no field of the message can be read."""
    separator = msh[3:4]
    if not separator or separator.isalnum() or separator.isspace():
        raise LogError(file, number, "MSH-1", f"field separator {separator!r} is not usable")
    end = msh.find(separator, 4)
    encoding = msh[4:end] if end >= 0 else msh[4:]
    usable = (
        end >= 0
        and 1 <= len(encoding) <= 5
        and len(set(encoding)) == len(encoding)
        and separator not in encoding
        and not any(c.isalnum() or c.isspace() for c in encoding)
    )
    if not usable:
        raise LogError(file, number, "MSH-2", f"encoding characters {encoding!r} are broken")


def _application(
    file: str, number: int, msh: hl7.Segment, field_number: int, may_be_empty: bool = False
) -> str:
    name = _value(msh, field_number, 1) or _value(msh, field_number, 2)
    if not name and not may_be_empty:
        role = "sending" if field_number == 3 else "receiving"
        raise LogError(file, number, f"MSH-{field_number}", f"empty {role} application")
    return name


def _value(segment: hl7.Segment | None, field_number: int, component: int) -> str:
    """A field's component (first repetition), unescaped and stripped; "" when absent."""
    if segment is None:
        return ""
    try:
        value = segment.extract_field(1, field_number, 1, component, 1)
    except IndexError:  # a simple value asked for a later component: it has none
        return ""
    return str(value).strip()


def _cut(segment: str, separator: str, fields: int) -> str:
    """The segment cut before its (`fields` + 1)-th field separator: through field `fields`,
    except in MSH, whose first separator is MSH-1 itself (MSH-n is kept by `fields` = n - 1)."""
    end = -1
    for _ in range(fields + 1):
        end = segment.find(separator, end + 1)
        if end < 0:
            return segment
    return segment[:end]


def _priority(orc: hl7.Segment | None, tq1: hl7.Segment | None) -> str | None:
    for segment, field_number, component in ((orc, 7, 6), (tq1, 9, 1)):
        code = _value(segment, field_number, component).upper()
        if code in HL7_PRIORITIES:
            return HL7_PRIORITIES[code]
    return None


def _time(value: str) -> tuple[datetime, float, float] | None:
    """(wall clock as written, epoch seconds, precision in seconds) of a DTM; None if unreadable.

    A time without an offset is read as UTC."""
    match = _DTM.fullmatch(value)
    if match is None:
        return None
    digits, fraction, offset = match.groups()
    try:
        when = hl7.parse_datetime(value)
        if offset is not None and offset.startswith("-00") and offset != "-0000":
            # python-hl7 0.4.5 takes the sign from the hours, so it reads -0030 as +0030
            when = when.replace(tzinfo=timezone(-timedelta(minutes=int(offset[3:]))))
        time_s = (when if offset is not None else when.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError):
        return None
    precision_s = 10.0 ** -len(fraction) if fraction else _PRECISION_S[len(digits)]
    return when.replace(tzinfo=None), time_s, precision_s
