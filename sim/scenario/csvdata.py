"""Reading the CSV files a scenario names: traces to replay and empirical samples.

Both are read once, at load time, so that a bad row stops the scenario before it runs, with the
file and line of the row. Files are read within a size budget and must be UTF-8 text.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal, NamedTuple

from sim.scenario.errors import did_you_mean, show

__all__ = [
    "CLASSES",
    "MAX_CSV_BYTES",
    "DataFileError",
    "PriorityClass",
    "TraceRow",
    "display_path",
    "read_seconds",
    "read_trace",
]

PriorityClass = Literal["stat", "urgent", "routine"]
CLASSES: tuple[PriorityClass, ...] = ("stat", "urgent", "routine")
"""Priority classes in rank order: stat first."""

MAX_CSV_BYTES = 32 * 1024 * 1024
"""Largest trace or sample file read (32 MiB, about a million rows)."""


class TraceRow(NamedTuple):
    """One message to replay: when (seconds from start), its class, and its patient."""

    time: float
    priority: PriorityClass
    patient: int


class DataFileError(ValueError):
    """A problem in a data file, located at a line of that file (1 for the file as a whole)."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row of a CSV file as (line, {column: text}), checking the header first."""
    name = display_path(path)
    try:
        if path.is_dir():
            raise DataFileError(name, 1, "is a folder, not a CSV file")
        with path.open("rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise DataFileError(name, 1, "no such file") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise DataFileError(name, 1, f"cannot be read ({reason})") from None
    if len(data) > MAX_CSV_BYTES:
        raise DataFileError(name, 1, f"is larger than {MAX_CSV_BYTES // 2**20} MiB")
    if b"\x00" in data:
        raise DataFileError(name, 1, "this is a binary file, not CSV text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(name, 1, "the file is not UTF-8 text; save it as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise DataFileError(name, 1, f"the file is empty; it needs a header row {columns}")
        found = [cell.strip().lower() for cell in header]
        for column in columns:
            if column not in found:
                hint = "".join(did_you_mean(cell, [column]) for cell in found)
                raise DataFileError(
                    name,
                    1,
                    f"the header row must name the column '{column}' "
                    f"(found: {', '.join(found) or 'nothing'}){hint}",
                )
        index = {column: found.index(column) for column in columns}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cells = {c: row[i].strip() if i < len(row) else "" for c, i in index.items()}
            yield reader.line_num, cells
    except csv.Error as exc:
        raise DataFileError(name, reader.line_num or 1, f"not valid CSV: {exc}") from None


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def read_seconds(path: Path) -> tuple[float, ...]:
    """The ``seconds`` column of a CSV file, for an ``empirical(file.csv)`` distribution.

    Raises:
        DataFileError: For a missing or unreadable file, a missing column, no rows, or a value
            that is not a finite number of seconds, zero or more.
    """
    name = display_path(path)
    values: list[float] = []
    for line, cells in _rows(path, ("seconds",)):
        text = cells["seconds"]
        try:
            value = _seconds(text)
        except ValueError:
            raise DataFileError(
                name, line, f"column 'seconds': {show(text)} is not a number of seconds"
            ) from None
        if value < 0:
            raise DataFileError(name, line, f"column 'seconds': {show(text)} is negative")
        values.append(value)
    if not values:
        raise DataFileError(name, 1, "the file has a header but no rows of values")
    if not any(values):
        raise DataFileError(name, 1, "every value in column 'seconds' is zero")
    return tuple(values)


def _trace_time(text: str, start: datetime) -> float:
    """Seconds from start of a trace's ``time`` cell: a number of seconds or an ISO date-time."""
    try:
        value = _seconds(text)
    except ValueError:
        pass
    else:
        if value < 0:
            raise ValueError(f"{show(text)} is negative; times count from the scenario's start")
        return value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{show(text)} is neither seconds from the start nor an ISO date-time such as "
            "'2017-12-06T09:30'"
        ) from None
    if moment.tzinfo is not None:
        raise ValueError(f"{show(text)} has a time zone; write local time without one")
    offset = (moment - start).total_seconds()
    if offset < 0:
        raise ValueError(f"{show(text)} is before the scenario's start ({start.isoformat()})")
    return offset


def _trace_row(cells: dict[str, str], start: datetime) -> TraceRow:
    try:
        time = _trace_time(cells["time"], start)
    except ValueError as exc:
        raise ValueError(f"column 'time': {exc}") from None
    priority = cells["priority"]
    if priority not in CLASSES:
        raise ValueError(
            f"column 'priority': {show(priority)} is not a priority class; write stat, urgent "
            f"or routine{did_you_mean(priority, CLASSES)}"
        )
    try:
        patient = int(cells["patient"])
    except ValueError:
        patient = -1
    if patient < 0:
        raise ValueError(
            f"column 'patient': {show(cells['patient'])} is not a patient number (0 or more)"
        )
    return TraceRow(time, priority, patient)


def read_trace(path: Path, start: datetime) -> tuple[TraceRow, ...]:
    """The rows of a trace file, sorted by time (stable, so equal times keep the file's order).

    Args:
        path: The CSV file, with columns ``time``, ``priority`` and ``patient``.
        start: The scenario's start, which ISO times are counted from.

    Raises:
        DataFileError: At the first bad row (saying how many more there are), or for a file
            that is missing, unreadable, has no such columns or no rows.
    """
    name = display_path(path)
    rows: list[TraceRow] = []
    first: DataFileError | None = None
    more = 0
    for line, cells in _rows(path, ("time", "priority", "patient")):
        try:
            rows.append(_trace_row(cells, start))
        except ValueError as exc:
            if first is None:
                first = DataFileError(name, line, str(exc))
            else:
                more += 1
    if first is not None:
        if more:
            first = DataFileError(
                first.file,
                first.line,
                f"{first.message} (and {more} more bad row{'s' if more > 1 else ''})",
            )
        raise first
    if not rows:
        raise DataFileError(name, 1, "the trace has a header but no rows")
    rows.sort(key=lambda row: row.time)
    return tuple(rows)
