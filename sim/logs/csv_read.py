"""CSV logs, for engines that export a table of the messages they sent: one row per message.

The header names the columns, in any order and any case: ``time``, ``source``,
``destination``, ``message``, ``status`` and ``ack_ms`` are required, ``patient``,
``priority`` and ``placer`` optional, others ignored. A row's ``time`` is an ISO 8601 date and
time to the minute at least (``2026-01-05T09:30``, ``2026-01-05 09:30:15.250+01:00``, ``Z``);
its precision is that of the digits given. ``status`` is the response's ACK code or a word for
it, ``ack_ms`` the response time in milliseconds. Anything a row gets wrong stops the read with
the file, the row (data rows from 1, the header not counted) and the column; blank lines are
skipped and not counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Final

from sim.logs.entry import LogEntry, LogError, ReadLog
from sim.logs.message_type import written_type

REQUIRED: Final = ("time", "source", "destination", "message", "status", "ack_ms")
OPTIONAL: Final = ("patient", "priority", "placer")
STATUS: Final = {
    **{code.lower(): code for code in ("AA", "AE", "AR", "CA", "CE", "CR")},
    "ok": "AA",
    "acked": "AA",
    "nak": "AE",
    "error": "AE",
    "rejected": "AR",
    "": None,
    "timeout": None,
}
"""``status`` values (lower case) and the ACK code each stands for; None: no response."""
PRIORITY: Final = {
    "stat": "stat",
    "urgent": "urgent",
    "routine": "routine",
    "s": "stat",
    "a": "urgent",
    "r": "routine",
    "": None,
}

_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?"
)


def is_csv_header(line: str) -> bool:
    """Whether a line is a CSV log's header (it names every required column)."""
    names = {name.strip().lower() for name in next(csv.reader([line]), [])}
    return all(column in names for column in REQUIRED)


def read_csv(texts: Sequence[tuple[str, str]]) -> ReadLog:
    """Read CSV logs given as (file name, text), in the order given, as one log."""
    entries = [entry for file, text in texts for entry in _rows(file, text)]
    entries.sort(key=lambda e: e.time_s)  # stable: ties keep file and row order
    return ReadLog(entries=entries, files=[file for file, _ in texts])


def _lines(file: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV's rows, each with the line it ends on; LogError for text the csv module cannot
    split (an unclosed quote swallows the rest of the file, for one)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    try:
        for row in reader:
            yield reader.line_num, row
            last = reader.line_num
    except csv.Error as exc:
        raise LogError(
            file,
            None,
            None,
            f"from line {last + 1}: not CSV the reader can split ({exc}; an unclosed quote?)",
        ) from None


def _rows(file: str, text: str) -> Iterator[LogEntry]:
    rows = _lines(file, text)
    header = next((row for _, row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        return
    names = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise LogError(file, None, "header", f"no column {', '.join(missing)}")
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        raise LogError(file, None, "header", f"column {', '.join(doubled)} appears twice")
    where = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    number = 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        if len(row) != len(names):
            raise LogError(
                file,
                number,
                None,
                f"{len(row)} fields where the header has {len(names)} (line {line})",
                unit="row",
            )
        cells: dict[str, str] = {name: row[i].strip() for name, i in where.items()}
        yield _entry(file, number, cells)


def _entry(file: str, number: int, cells: dict[str, str]) -> LogEntry:
    def bad(column: str, reason: str) -> LogError:
        return LogError(file, number, column, reason, unit="row")

    for column in ("source", "destination", "message"):
        if not cells[column]:
            raise bad(column, "empty")
    try:
        local, time_s, precision_s = parse_time(cells["time"])
    except ValueError as exc:
        raise bad("time", str(exc)) from None
    status = cells["status"].lower()
    if status not in STATUS:
        raise bad("status", f"{cells['status']!r} is no ACK code nor one of {_words()}")
    code = STATUS[status]
    ack_s = _ack_s(cells["ack_ms"], code, bad)
    priority = cells.get("priority", "").lower()
    if priority not in PRIORITY:
        raise bad("priority", f"{cells['priority']!r} is none of stat, urgent, routine, S, A, R")
    return LogEntry(
        file=file,
        number=number,
        source=cells["source"],
        destination=cells["destination"],
        message=written_type(cells["message"]),
        local=local,
        time_s=time_s,
        precision_s=precision_s,
        patient=cells.get("patient") or None,
        priority=PRIORITY[priority],
        placer=cells.get("placer") or None,
        ack_code=code,
        ack_s=ack_s,
        ack_precision_s=_ms_precision(cells["ack_ms"]) if ack_s is not None else None,
    )


def _ack_s(value: str, code: str | None, bad: Callable[[str, str], LogError]) -> float | None:
    if not value:
        return None
    if code is None:
        raise bad("ack_ms", f"{value!r} for a message without a response (status empty or timeout)")
    try:
        ms = float(value)
    except ValueError:
        raise bad("ack_ms", f"{value!r} is not a number of milliseconds") from None
    if not math.isfinite(ms) or ms < 0:
        raise bad("ack_ms", f"{value!r} is not a duration (finite, at least 0)")
    return ms / 1000.0


def _ms_precision(value: str) -> float:
    """The resolution of a number of milliseconds as written: 0.001 s for ``81``, 0.0001 s for
    ``81.5`` (a measured duration, not a difference of the ``time`` column's values)."""
    _, dot, fraction = value.strip().partition(".")
    return 0.001 * 10.0 ** -len(fraction) if dot and fraction.isdigit() else 0.001


def _words() -> str:
    return ", ".join(sorted(word for word in STATUS if word and len(word) > 2)) + " or empty"


def parse_time(value: str) -> tuple[datetime, float, float]:
    """(wall clock as written, epoch seconds, precision in seconds) of an ISO 8601 date-time;
    a time without an offset is read as UTC. ValueError says what is wrong."""
    match = _TIME.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an ISO 8601 date-time (e.g. 2026-01-05T09:30:15.250+01:00)"
        )
    minute, seconds, fraction, offset = match.groups()
    text = minute + (f":{seconds}" if seconds else "")
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")
    if offset:
        text += "+00:00" if offset == "Z" else offset
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    precision_s = 10.0 ** -len(fraction) if fraction else (1.0 if seconds else 60.0)
    return when.replace(tzinfo=None), aware.timestamp(), precision_s
