"""HL7 v2 logs: files of messages in, originals with their ACKs joined to them out.

Framing is :mod:`sim.logs.hl7_frame`'s job, a message's fields :mod:`sim.logs.hl7_fields`'s;
this module joins each ACK to the message it answers, across every file read together (an
engine may log its outbound messages and the ACKs coming back in separate files).

An ACK answers a message sent the other way: its MSH-5 is the original's MSH-3, its MSH-3 the
original's MSH-5, and its MSA-2 the original's MSH-10. Engines resend a message under the same
MSH-10, so of the originals that fit, the ACK goes to the latest one at or before the ACK's own
time that has no response yet (an original and an ACK at the same time, as a coarse MSH-7
makes common, count the original first). An ACK that finds none is counted as an orphan.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.logs.entry import ORPHAN_ACK, LogProblem, ReadLog
from sim.logs.hl7_fields import Ack, Original, read_message
from sim.logs.hl7_frame import messages


def read_hl7(texts: Sequence[tuple[str, str]]) -> ReadLog:
    """Read HL7 v2 logs given as (file name, text), in the order given, as one log."""
    originals: list[Original] = []
    acks: list[Ack] = []
    problems: list[LogProblem] = []
    for file, text in texts:
        for number, segments in messages(file, text):
            read = read_message(file, number, segments)
            if isinstance(read, Original):
                originals.append(read)
            elif isinstance(read, Ack):
                acks.append(read)
            else:
                problems.append(read)
    problems.extend(join_acks(originals, acks))
    order = {file: i for i, (file, _) in enumerate(texts)}
    problems.sort(key=lambda p: (order[p.file], p.number))
    originals.sort(key=lambda o: o.time_s)  # stable: ties keep file and message order
    return ReadLog(
        entries=[o.entry() for o in originals],
        problems=problems,
        files=[file for file, _ in texts],
        acks=len(acks),
    )


def join_acks(originals: list[Original], acks: list[Ack]) -> list[LogProblem]:
    """Give each ACK's code and response time to the original it answers; the orphans."""
    events: list[tuple[float, int, int, Original | Ack]] = [
        (o.time_s, 0, i, o) for i, o in enumerate(originals)
    ]
    events.extend((a.time_s, 1, i, a) for i, a in enumerate(acks))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    waiting: dict[tuple[str, str, str], list[Original]] = {}
    orphans = []
    for _, _, _, event in events:
        if isinstance(event, Original):
            if event.control_id is not None:
                key = (event.source, event.destination, event.control_id)
                waiting.setdefault(key, []).append(event)
            continue
        pending = (
            waiting.get((event.destination, event.source, event.refers_to))
            if event.refers_to is not None
            else None
        )
        if not pending:
            orphans.append(
                LogProblem(
                    ORPHAN_ACK,
                    event.file,
                    event.number,
                    f"{event.code} from {event.source} to {event.destination} for MSA-2 "
                    f"{event.refers_to or '(empty)'}: no message without a response matches",
                )
            )
            continue
        original = pending.pop()
        original.ack_code = event.code
        original.ack_s = round(event.time_s - original.time_s, 6)  # epoch floats' noise out
    return orphans
