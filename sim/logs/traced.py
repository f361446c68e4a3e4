"""A traced run read back as the log an engine would keep: every attempt to deliver a message
and its answer, with what a log's header says of the message (who sent it to whom, its type).

The run folder is one ``ehrsim run ... --trace`` wrote: ``trace.csv`` gives the attempts
(``sent`` rows, each answered by an ``acked``, ``nak`` or ``timeout`` row of the same message
and attempt) and ``scenario.yaml`` the flows' ends, message types and replies, and the clock
(``start``). Both writers (:mod:`sim.logs.hl7_write`, :mod:`sim.logs.csv_write`) take a
:class:`TracedRun`, so that they agree on every name, type and time.

Message types (MSH-9, and the CSV's ``message``) follow one rule, :func:`message_types`:

- a flow whose ``message`` is an HL7 v2 type (``ORM^O01``, ``OML^O21``, ``ORU^R01^ORU_R01``)
  keeps it;
- otherwise the type follows the flow's part in the scenario: an order flow (one with a
  ``reply``) is ``ORM^O01``, a result flow (one a reply travels on) ``ORU^R01``, any other
  flow ``ADT^A08``;
- flows that would then share their sender, receiver and type (as a reader names it, without
  a message structure: ``ORU^R01^ORU_R01`` is ``ORU^R01``) are kept apart by the flow's id in
  the type's third component (``ORM^O01^lab-orders``), as a log reader tells flows apart by
  sender, receiver and type; an id shaped like a structure (``adt_one``), which a reader
  would drop, gets ``-flow`` after it (``ADT^A08^adt_one-flow``).

Orders and results carry ORC and OBR (placer number, priority) whatever their type.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sim.logs.message_type import STRUCTURE, written_type

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "ORDER",
    "OTHER",
    "RESULT",
    "SCENARIO_FILE",
    "TRACE_FILE",
    "Attempt",
    "LogFlow",
    "TraceError",
    "TracedRun",
    "application",
    "message_types",
    "read_run",
]

TRACE_FILE: Final = "trace.csv"
SCENARIO_FILE: Final = "scenario.yaml"

ORDER: Final = "order"
RESULT: Final = "result"
OTHER: Final = "other"
DEFAULT_TYPES: Final = {ORDER: "ORM^O01", RESULT: "ORU^R01", OTHER: "ADT^A08"}
"""MSH-9 of a flow whose ``message`` is not an HL7 v2 type, by the flow's part."""

_HL7_TYPE = re.compile(r"[A-Z][A-Z0-9]{2}\^[A-Z][A-Z0-9]{2}(\^[A-Z][A-Z0-9]{2}_[A-Z][A-Z0-9]{2})?")
"""An HL7 v2 message type: code ^ trigger event, optionally ^ message structure."""

_NEEDED = ("replication", "time_s", "uid", "flow", "priority", "event", "patient", "attempt")
"""trace.csv's columns the writers read (``code`` and ``order_uid`` where they apply)."""


class TraceError(ValueError):
    """A run folder that cannot be written as a log: says which file and what is wrong."""


@dataclass(frozen=True, slots=True)
class LogFlow:
    """A flow as a log names it."""

    id: str
    part: str
    """:data:`ORDER`, :data:`RESULT` or :data:`OTHER`."""
    source: str
    """The sending application (MSH-3): the sender's id in upper case, ``EHR`` for the EHR."""
    destination: str
    """The receiving application (MSH-5), named as ``source`` is."""
    message: str
    """The message type (MSH-9), see :func:`message_types`."""


@dataclass(slots=True)
class Attempt:
    """One attempt to deliver a message, and its answer once read."""

    uid: int
    attempt: int
    """1 for the first send of the message, 2 for its first resend, ..."""
    flow: str
    priority: str
    """The message's class: ``stat``, ``urgent`` or ``routine``."""
    patient: str
    order_uid: int | None
    """For a result, the uid of the order it answers; None otherwise."""
    sent_s: float
    """When the attempt started (simulated seconds from ``start``)."""
    code: str | None = None
    """The answer's ACK code (``AA``, ``AE``, ``AR``); None after a timeout or without an
    answer by the end of the run."""
    answered_s: float | None = None
    """When the ACK or negative ACK came (None: a timeout, or no answer by the end)."""

    @property
    def placer(self) -> int:
        """The placer order number: the order's uid (a result's order, else its own)."""
        return self.uid if self.order_uid is None else self.order_uid


@dataclass(slots=True)
class TracedRun:
    """One replication of a traced run, as a log records it."""

    start: datetime
    """The wall clock of simulated second 0 (the scenario's ``start``)."""
    flows: dict[str, LogFlow]
    attempts: list[Attempt]
    """Every attempt, in the order they started."""
    lines: list[tuple[Attempt, bool]]
    """The log's entries in time order: (attempt, False) where it was sent, (attempt, True)
    where its ACK or negative ACK came (ties keep the simulation's order)."""

    def wall(self, time_s: float) -> datetime:
        """The wall-clock time of a simulated time, to the millisecond."""
        return self.start + timedelta(milliseconds=round(time_s * 1000.0))


def application(system_id: str) -> str:
    """A system's name as a log's sending or receiving application (MSH-3, MSH-5)."""
    return system_id.upper()


def message_types(scenario: Scenario) -> dict[str, LogFlow]:
    """Every flow of the scenario named as a log names it (see the module's rule)."""
    replied = {f.reply.flow for f in scenario.flows.values() if f.reply is not None}
    flows: dict[str, LogFlow] = {}
    for fid, spec in scenario.flows.items():
        part = ORDER if spec.reply is not None else RESULT if fid in replied else OTHER
        given = spec.message.strip()
        message = given if _HL7_TYPE.fullmatch(given) else DEFAULT_TYPES[part]
        flows[fid] = LogFlow(fid, part, application(spec.source), application(spec.to), message)
    groups: dict[tuple[str, str, str], list[str]] = {}
    for fid, flow in flows.items():  # grouped as a reader names the type (no structure)
        named = written_type(flow.message)
        groups.setdefault((flow.source, flow.destination, named), []).append(fid)
    for (_src, _dst, named), fids in groups.items():
        if len(fids) > 1:
            event = "^".join(named.split("^")[:2])
            for fid in fids:
                old = flows[fid]
                # an id shaped like a structure ('adt_one') would be dropped as one on reading
                mark = f"{fid}-flow" if STRUCTURE.fullmatch(fid) else fid
                flows[fid] = LogFlow(fid, old.part, old.source, old.destination, f"{event}^{mark}")
    return flows


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _NEEDED if c not in (reader.fieldnames or ())]
        if missing:
            raise TraceError(
                f"{path}: no column {', '.join(missing)}: not a trace.csv of this ehrsim "
                "version (run the scenario again with --trace)"
            )
        yield from reader


def read_run(folder: Path, replication: int) -> TracedRun:
    """Replication ``replication`` (1 = the first) of the traced run in ``folder``.

    Raises:
        TraceError: the folder has no trace.csv or scenario.yaml, the trace lacks the columns
            a log needs, or has no rows of that replication.
    """
    from sim.scenario import ScenarioError, load_scenario

    trace = folder / TRACE_FILE
    if not folder.is_dir():
        raise TraceError(f"{folder}: no such folder")
    if not trace.is_file():
        raise TraceError(
            f"{folder}: no {TRACE_FILE} (write one with 'ehrsim run SCENARIO --trace')"
        )
    scenario_path = folder / SCENARIO_FILE
    if not scenario_path.is_file():
        raise TraceError(f"{folder}: no {SCENARIO_FILE} beside {TRACE_FILE}")
    try:
        scenario = load_scenario(scenario_path)
    except ScenarioError as exc:
        raise TraceError(f"{scenario_path}: {exc}") from None
    run = TracedRun(scenario.start, message_types(scenario), [], [])
    index = str(replication - 1)
    pending: dict[tuple[str, str], Attempt] = {}
    seen: set[str] = set()
    for number, row in enumerate(_rows(trace), start=2):
        rep = row["replication"]
        seen.add(rep)
        if rep != index:
            continue
        event = row["event"]
        if event == "sent":
            try:
                attempt = Attempt(
                    int(row["uid"]),
                    int(row["attempt"]),
                    row["flow"],
                    row["priority"],
                    row["patient"],
                    int(row["order_uid"]) if row.get("order_uid") else None,
                    float(row["time_s"]),
                )
            except ValueError as exc:
                raise TraceError(f"{trace}, line {number}: {exc}") from None
            if attempt.flow not in run.flows:
                raise TraceError(
                    f"{trace}, line {number}: flow {attempt.flow!r} is not in {SCENARIO_FILE}"
                )
            pending[(row["uid"], row["attempt"])] = attempt
            run.attempts.append(attempt)
            run.lines.append((attempt, False))
        elif event in ("acked", "nak", "timeout"):
            answered = pending.pop((row["uid"], row["attempt"]), None)
            if answered is None:
                raise TraceError(
                    f"{trace}, line {number}: {event} of message {row['uid']} attempt "
                    f"{row['attempt']}, which was never sent"
                )
            if event != "timeout":
                answered.code = row.get("code") or None
                answered.answered_s = float(row["time_s"])
                run.lines.append((answered, True))
    if index not in seen:
        have = sorted(int(r) + 1 for r in seen)
        listed = f"1 to {max(have)}" if have else "none"
        raise TraceError(f"{trace}: no replication {replication} (it holds {listed})")
    return run
