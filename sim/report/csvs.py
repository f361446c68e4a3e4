"""The CSV files of a results folder: backlog samples, latency, events, replications, trace.

Every file has a header row, one row per record, ``\\n`` line ends and the replication index in
its first column, so the files of all replications concatenate into one table. Times are given
twice: ``time_s`` (simulated seconds from the start, exact) and ``clock`` (the local date and
time it stands for, to the second), so a spreadsheet can plot either.
"""

from __future__ import annotations

import csv
import math
from array import array
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.metrics.registry import lookup

if TYPE_CHECKING:
    from sim.experiments.run import ReplicationResult

__all__ = [
    "EVENT_COLUMNS",
    "LATENCY_COLUMNS",
    "TRACE_COLUMNS",
    "cell",
    "clock",
    "replication_columns",
    "write_events",
    "write_latency",
    "write_replications",
    "write_table",
    "write_timeseries",
    "write_trace",
]

LATENCY_COLUMNS = (
    "replication", "flow", "priority", "count", "mean_s", "p50_s", "p95_s", "p99_s", "max_s",
)  # fmt: skip
"""latency.csv's columns (the run's latency rows may add more, appended after these)."""

EVENT_COLUMNS = ("replication", "time_s", "clock", "kind", "target", "detail")
"""events.csv's columns."""

TRACE_COLUMNS = (
    "replication", "time_s", "clock", "uid", "flow", "priority", "event",
    "patient", "system", "attempt", "code", "order_uid",
)  # fmt: skip
"""trace.csv's columns: one row per move of a message (``--trace``); results/README.md says
what each column and event means."""

_HEADLINE = (
    ("created", "messages.created"),
    ("delivered", "messages.delivered"),
    ("queued_at_end", "messages.queued_at_end"),
    ("in_flight_at_end", "messages.in_flight_at_end"),
    ("dead_lettered", "messages.dead_lettered"),
    ("expired", "messages.expired"),
    ("shed", "messages.shed"),
    ("lost", "messages.lost"),
    ("duplicates", "messages.duplicates"),
    ("on_paper", "messages.on_paper"),
    ("peak_backlog", "peak_backlog"),
    ("recovery_time_s", "recovery_time_s"),
    ("people_recovery_time_s", "people_recovery_time_s"),
    ("time_to_detect_s", "time_to_detect_s"),
    ("late.stat", "late.stat"),
    ("late.urgent", "late.urgent"),
    ("late.routine", "late.routine"),
    ("medcom_later_than_24h", "medcom_later_than_24h"),
    ("retry_amplification", "retry_amplification"),
    ("goodput_share", "goodput_share"),
    ("order_violations", "order_violations"),
)
"""replications.csv's fixed columns: (header, path in a replication's summary)."""

_PER_QUEUE = ("peak_backlog", "oldest_age_s", "recovery_time_s")
"""Per-destination figures in replications.csv, as ``queues.<system>.<figure>``."""


def cell(value: Any) -> str:
    """A value as CSV text: integers without ``.0``, floats to six decimals, null as empty.

    Six decimals is summary.json's precision (micro-seconds, micro-shares), and rounding here
    keeps the files byte-identical between runs of the same scenario and seed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        rounded = round(value, 6)
        if rounded.is_integer() and abs(rounded) < 1e15:
            return str(int(rounded))
        return repr(rounded)
    return str(value)


def clock(start: datetime, seconds: float) -> str:
    """The local date and time of simulated second ``seconds``, e.g. ``2017-12-06 09:00:00``."""
    return (start + timedelta(seconds=seconds)).isoformat(sep=" ", timespec="seconds")


def write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, text: bool = False
) -> None:
    """Write a CSV file; `text` rows are already formatted cells."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        if text:
            writer.writerows(rows)
            return
        for row in rows:
            writer.writerow([cell(v) for v in row])


def _cells(values: Sequence[Any]) -> list[str]:
    """A whole column as CSV text: integer arrays at C speed, anything else through `cell`."""
    if isinstance(values, array) and values.typecode in "bhilq":
        return list(map(str, values))
    return [cell(v) for v in values]


def sample_columns(reps: Sequence[ReplicationResult]) -> list[str]:
    """Every sample column of the run, in the order the model first recorded them."""
    return list(dict.fromkeys(name for rep in reps for name in rep.samples.columns))


def write_timeseries(path: Path, reps: Sequence[ReplicationResult], start: datetime) -> None:
    """timeseries.csv: ``replication,time_s,clock,<every sample column>`` at the sampling step."""
    columns = sample_columns(reps)

    moments: dict[float, tuple[str, str]] = {}  # replications sample at the same times

    def moment(t: float) -> tuple[str, str]:
        known = moments.get(t)
        if known is None:
            known = moments[t] = (cell(t), clock(start, t))
        return known

    def rows() -> Iterable[list[str]]:
        for rep in reps:
            times = rep.samples.time_s
            data = [_cells(rep.samples.columns.get(name, ())) for name in columns]
            n = len(times)
            data = [col if len(col) == n else col[:n] + [""] * (n - len(col)) for col in data]
            index = str(rep.index)
            for t, *values in zip(times, *data, strict=True):
                yield [index, *moment(t), *values]

    write_table(path, ["replication", "time_s", "clock", *columns], rows(), text=True)


def write_latency(path: Path, reps: Sequence[ReplicationResult]) -> None:
    """latency.csv: one row per replication, flow and priority class (seconds)."""
    extra = [
        key
        for key in dict.fromkeys(k for rep in reps for row in rep.latency_rows for k in row)
        if key not in LATENCY_COLUMNS
    ]
    header = [*LATENCY_COLUMNS, *extra]
    rows = ([row.get(k) for k in header] for rep in reps for row in rep.latency_rows)
    write_table(path, header, rows)


def write_events(path: Path, reps: Sequence[ReplicationResult], start: datetime) -> None:
    """events.csv: faults, phases, guards and other events of every replication, in time order."""
    rows = (
        [rep.index, ev.time_s, clock(start, ev.time_s), ev.kind, ev.target, ev.detail]
        for rep in reps
        for ev in rep.events
    )
    write_table(path, EVENT_COLUMNS, rows)


def write_trace(path: Path, reps: Sequence[ReplicationResult], start: datetime) -> None:
    """trace.csv: every recorded move of every message (only with ``--trace``)."""
    rows = (
        [rep.index, row[0], clock(start, row[0]), *row[1:]]
        for rep in reps
        for row in rep.trace or ()
    )
    write_table(path, TRACE_COLUMNS, rows)


def _get(summary: dict[str, Any], path: str) -> Any:
    try:
        return lookup(summary, path)
    except KeyError:
        return None


def replication_columns(reps: Sequence[ReplicationResult]) -> list[tuple[str, str]]:
    """(header, summary path) of every column of replications.csv after ``replication``."""
    systems = list(dict.fromkeys(s for rep in reps for s in rep.summary.get("queues", {})))
    columns = list(_HEADLINE)
    for sid in systems:
        columns += [(f"queues.{sid}.{fig}", f"queues.{sid}.{fig}") for fig in _PER_QUEUE]
    return columns


def write_replications(path: Path, reps: Sequence[ReplicationResult]) -> None:
    """replications.csv: each replication's headline figures, one row each."""
    columns = replication_columns(reps)
    header = ["replication", "complete", *(h for h, _ in columns)]
    rows = ([rep.index, rep.complete, *(_get(rep.summary, p) for _, p in columns)] for rep in reps)
    write_table(path, header, rows)
