"""HL7 v2 logs: files of messages in, originals with their ACKs joined to them out.

Framing is :mod:`sim.logs.hl7_frame`'s job, a message's fields :mod:`sim.logs.hl7_fields`'s;
this module joins each ACK to the message it answers, across every file read together (an
engine may log its outbound messages and the ACKs coming back in separate files).

An ACK answers a message sent the other way: its MSH-5 is the original's MSH-3, its MSH-3 the
original's MSH-5, and its MSA-2 the original's MSH-10. Engines resend a message under the same
MSH-10, so of the originals that fit, the ACK goes to the latest one before it that has no
response yet; at equal times the files' and messages' order decides, so a negative ACK and the
resend it caused, stamped in the same second, each get theirs. The ACK's time is read to its own
precision: an ACK written to the second, ``093015``, may answer a message written
``093015.123``, and then its response time is 0 at the log's precision. An ACK that finds none
is counted as an orphan.
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
    order = {file: i for i, (file, _) in enumerate(texts)}
    problems.extend(join_acks(originals, acks, order))
    problems.sort(key=lambda p: (order[p.file], p.number))
    originals.sort(key=lambda o: o.time_s)  # stable: ties keep file and message order
    return ReadLog(
        entries=[o.entry() for o in originals],
        problems=problems,
        files=[file for file, _ in texts],
        acks=len(acks),
    )


def join_acks(
    originals: list[Original], acks: list[Ack], order: dict[str, int] | None = None
) -> list[LogProblem]:
    """Give each ACK's code and response time to the original it answers; the orphans.

    Messages are taken in time order, ties in file and message order (``order`` ranks the
    files). An ACK answers the latest unanswered original before it with its MSA-2 as MSH-10
    going the other way (an ACK with empty MSH-3 or MSH-5 matches on what it names); when there
    is none, the earliest such original within the ACK's own precision after it (an ACK written
    to the second, ``093000``, may answer ``093000.800``).
    """
    rank = order or {}

    def place(m: Original | Ack) -> tuple[float, int, int]:
        return (m.time_s, rank.get(m.file, 0), m.number)

    by_id: dict[str, list[Original]] = {}
    for original in sorted(originals, key=place):
        if original.control_id is not None:
            by_id.setdefault(original.control_id, []).append(original)
    orphans: list[LogProblem] = []
    for ack in sorted(acks, key=place):
        here = place(ack)
        fits = [
            o
            for o in by_id.get(ack.refers_to or "", ())
            if o.ack_code is None
            and (not ack.destination or o.source == ack.destination)
            and (not ack.source or o.destination == ack.source)
        ]
        before = [o for o in fits if place(o) < here]
        after = [o for o in fits if place(o) >= here and o.time_s <= ack.time_s + ack.precision_s]
        answered = before[-1] if before else after[0] if after else None
        if answered is None:
            orphans.append(
                LogProblem(
                    ORPHAN_ACK,
                    ack.file,
                    ack.number,
                    f"{ack.code} from {ack.source or '(empty MSH-3)'} to "
                    f"{ack.destination or '(empty MSH-5)'} for MSA-2 "
                    f"{ack.refers_to or '(empty)'}: no message without a response matches",
                )
            )
            continue
        answered.ack_code = ack.code
        # epoch floats' noise out; an ACK cut to a coarser precision may read a little early
        answered.ack_s = max(0.0, round(ack.time_s - answered.time_s, 6))
        answered.ack_precision_s = max(answered.precision_s, ack.precision_s)
    return orphans
