"""What ehrsim takes from an engine's message log, whatever its format.

The readers (HL7 v2 files, CSV tables) turn a log into :class:`LogEntry` records, one per
original message with its ACK joined to it, so that calibration never sees a format: an HL7 ACK
is matched to its original (MSA-2 = the original's MSH-10) and becomes the original's
``ack_code`` and ``ack_s``; a CSV row carries both already.

Times are kept twice because a log answers two questions: ``time_s`` (the offset applied)
orders messages and measures response times across a change of offset, while ``local`` (the
wall clock as written) says which hour and weekday a message belongs to, as a hospital's day is
lived on its own clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

PRIORITIES: Final = ("stat", "urgent", "routine")
"""The priority classes a log entry can carry (HL7 priority S, A and R), as ehrsim names them."""

NEGATIVE_ACKS: Final = frozenset({"AE", "AR", "CE", "CR"})
"""ACK codes (MSA-1) that refuse a message: application or commit error or reject."""

NO_MSH: Final = "no MSH"
BAD_TIME: Final = "unreadable MSH-7"
ORPHAN_ACK: Final = "ACK for no message"
PROBLEM_KINDS: Final = (NO_MSH, BAD_TIME, ORPHAN_ACK)
"""What a reader skips, counts and reports rather than stopping on."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One original message of a log (never an ACK), with its response when one was logged."""

    file: str
    """The log file it came from, as given on the command line."""
    number: int
    """Its position in that file, from 1 (messages for HL7, data rows for CSV)."""
    source: str
    """Sending application (HL7 MSH-3, CSV ``source``), as written."""
    destination: str
    """Receiving application (HL7 MSH-5, CSV ``destination``), as written."""
    message: str
    """Message type (HL7 MSH-9, e.g. ``ORM^O01``; CSV ``message``), as written, but for a
    message structure, which is left out (:func:`sim.logs.message_type.message_type`)."""
    local: datetime
    """The message's time on its own wall clock (naive): hours and weekdays are read here."""
    time_s: float
    """Seconds since the Unix epoch, the time's UTC offset applied when it has one (a time
    without an offset is read as UTC): ordering and response times use this."""
    precision_s: float
    """The resolution of the logged time: 60 for ``YYYYMMDDHHMM``, 1 for seconds, 0.001 for
    milliseconds."""
    control_id: str | None = None
    """HL7 MSH-10, the id an ACK's MSA-2 refers to; None in CSV logs."""
    patient: str | None = None
    """The patient's identifier (HL7 PID-3's first component, CSV ``patient``)."""
    priority: str | None = None
    """One of :data:`PRIORITIES`, or None when the message does not say."""
    placer: str | None = None
    """Placer order number (HL7 ORC-2 or OBR-2, CSV ``placer``): links results to orders."""
    ack_code: str | None = None
    """The response's code (HL7 MSA-1, e.g. ``AA``; CSV ``status``), None when none was logged."""
    ack_s: float | None = None
    """Response time in seconds (the ACK's time minus the original's), None without one."""
    ack_precision_s: float | None = None
    """The resolution of ``ack_s``: for HL7 the coarser of the two MSH-7s it is the difference
    of; for CSV that of ``ack_ms``'s digits (0.001 for whole milliseconds). None without one."""

    @property
    def nak(self) -> bool:
        """Whether the response refused the message (see :data:`NEGATIVE_ACKS`)."""
        return self.ack_code in NEGATIVE_ACKS


@dataclass(frozen=True, slots=True)
class LogProblem:
    """A message a reader skipped: what was wrong and where."""

    kind: str
    """One of :data:`PROBLEM_KINDS`."""
    file: str
    number: int
    detail: str


@dataclass(slots=True)
class ReadLog:
    """Everything read from one or more log files."""

    entries: list[LogEntry]
    """Original messages in time order (``time_s``; ties keep file and message order)."""
    problems: list[LogProblem] = field(default_factory=list)
    """Every message skipped, in file and message order."""
    files: list[str] = field(default_factory=list)
    acks: int = 0
    """ACK messages read (HL7), matched or not."""

    def problem_counts(self) -> dict[str, int]:
        """How many messages were skipped for each kind of problem, every kind listed."""
        counts = Counter(p.kind for p in self.problems)
        return {kind: counts.get(kind, 0) for kind in PROBLEM_KINDS}


class LogError(ValueError):
    """A log that cannot be read at all: names the file, the message (or row) and the field."""

    def __init__(
        self,
        file: str,
        number: int | None,
        field_name: str | None,
        reason: str,
        unit: str = "message",
    ) -> None:
        self.file = file
        self.number = number
        self.field_name = field_name
        self.reason = reason
        self.unit = unit
        """What `number` counts: ``message`` (HL7) or ``row`` (CSV data rows, from 1)."""
        where = file
        if number is not None:
            where += f", {unit} {number}"
        if field_name:
            where += f", {field_name}"
        super().__init__(f"{where}: {reason}")
