"""A traced run written as an engine's CSV log: one row per attempt to deliver a message.

Columns ``time,source,destination,message,status,ack_ms,patient,priority,placer``:

- ``time``: when the attempt started, on the scenario's wall clock, ISO 8601 with
  milliseconds and no offset (``2026-01-05T09:30:15.250``);
- ``source``, ``destination``, ``message``: the sending and receiving applications and the
  message type, named as the HL7 log names them (:func:`sim.logs.traced.message_types`);
- ``status``: the ACK code (``AA``, ``AE``, ``AR``), empty when none came (a timeout, or no
  answer by the end of the run); ``ack_ms``: milliseconds from the attempt to its answer,
  empty without one;
- ``patient``; ``priority`` (``stat``, ``urgent``, ``routine``); ``placer``: the order's uid
  for orders and results (a result's order), empty for other messages, as in the HL7 log.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from sim.files import replaced
from sim.logs.hl7_write import carries_placer
from sim.logs.traced import Attempt, TracedRun

__all__ = ["CSV_COLUMNS", "csv_rows", "write_csv"]

CSV_COLUMNS: Final = (
    "time", "source", "destination", "message", "status", "ack_ms", "patient", "priority",
    "placer",
)  # fmt: skip


def _row(run: TracedRun, attempt: Attempt) -> list[str]:
    flow = run.flows[attempt.flow]
    sent = run.wall(attempt.sent_s)
    ack_ms = ""
    if attempt.answered_s is not None:
        ack_ms = str(round(attempt.answered_s * 1000.0) - round(attempt.sent_s * 1000.0))
    return [
        sent.isoformat(timespec="milliseconds"),
        flow.source,
        flow.destination,
        flow.message,
        attempt.code or "",
        ack_ms,
        attempt.patient,
        attempt.priority,
        str(attempt.placer) if carries_placer(flow) else "",
    ]


def csv_rows(run: TracedRun) -> list[list[str]]:
    """The log's rows, one per attempt in the order they started (header not included)."""
    return [_row(run, attempt) for attempt in run.attempts]


def write_csv(run: TracedRun, path: Path) -> int:
    """Write the run's CSV log to ``path`` (atomically: beside it, then renamed); return how
    many rows it holds besides the header."""
    rows = csv_rows(run)
    with replaced(path, newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)
    return len(rows)
