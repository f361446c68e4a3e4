"""Resends: a log's attempts to deliver a message, told apart from its messages.

An engine resends a message it got no ACK for, or a negative one, under the same control id
(HL7 MSH-10), and logs every attempt; the readers keep each attempt as its own entry with its
own response. Traffic (rates, profiles, weekdays, priority mix, replies) is about messages, so
the attempts of one message count once there; response times and refusals are about attempts,
so every attempt's response counts there.

Attempts are the same message when they share sender, receiver and control id, and also
message type, patient and placer number: a resend repeats all of them, while an engine that
reuses control ids (a counter restarted, or wrapped) gives them to other messages, which must
not merge. A log without control ids (CSV) cannot tell a resend from a new message: every row
is a message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sim.logs.entry import NEGATIVE_ACKS, LogEntry

__all__ = ["first_sends"]

_Key = tuple[str, str, str, str, str | None, str | None]
"""What attempts of one message share: sender, receiver, control id, type, patient, placer."""


def first_sends(entries: Sequence[LogEntry]) -> list[LogEntry]:
    """One entry per message of ``entries`` (see the module), in time order.

    A message's entry is its first attempt's (its time, its fields), with the response that
    delivered it: the code of its first attempt that was not refused, and as response time the
    time from its first send to that response, so that the message's delivery is ``time_s +
    ack_s`` however many attempts it took. A message no attempt of which was accepted keeps its
    last response (a refusal) timed the same way, or none when none came.
    """
    attempts: dict[_Key, list[LogEntry]] = {}
    messages: list[LogEntry | _Key] = []
    for entry in sorted(entries, key=lambda e: e.time_s):  # stable: ties keep their order
        if entry.control_id is None:
            messages.append(entry)
            continue
        key = (
            entry.source,
            entry.destination,
            entry.control_id,
            entry.message,
            entry.patient,
            entry.placer,
        )
        if key not in attempts:
            attempts[key] = []
            messages.append(key)
        attempts[key].append(entry)
    return [m if isinstance(m, LogEntry) else _message(attempts[m]) for m in messages]


def _message(attempts: list[LogEntry]) -> LogEntry:
    first = attempts[0]
    if len(attempts) == 1:
        return first
    answered = [a for a in attempts if a.ack_s is not None]
    accepted = [a for a in answered if a.ack_code not in NEGATIVE_ACKS]
    final = accepted[0] if accepted else answered[-1] if answered else None
    if final is None or final.ack_s is None:
        return dataclasses.replace(first, ack_code=None, ack_s=None)
    return dataclasses.replace(
        first,
        ack_code=final.ack_code,
        ack_s=round(final.time_s + final.ack_s - first.time_s, 6),
    )
