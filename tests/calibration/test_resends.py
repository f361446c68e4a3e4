"""Resends: an engine resends a message under the same control id, and the log keeps every
attempt. Calibration counts the message once for its traffic (rate, profile, priority mix,
replies) and every attempt's response for the system's ACK times and NAK share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sim.calibration import calibrate
from sim.calibration.resends import first_sends
from sim.logs.entry import LogEntry

DAY = datetime(2026, 1, 5)
AFTER = 3600.0
"""Every result comes this long after its order's delivery (the ACK that accepted it)."""


def entry(
    number: int,
    source: str,
    destination: str,
    message: str,
    at: datetime,
    control_id: str | None,
    code: str | None,
    ack_s: float | None,
    **extra: str,
) -> LogEntry:
    return LogEntry("engine.hl7", number, source, destination, message, at,
                    at.replace(tzinfo=UTC).timestamp(), 0.001, control_id, ack_code=code,
                    ack_s=ack_s, **extra)  # fmt: skip


def world(control_ids: bool = True) -> list[LogEntry]:
    """Ten stat orders from EPIC to LAB an hour apart from 08:00, each with one result back.

    Order 1 takes three attempts: the first gets no ACK (a timeout), the second an AE 30 s
    later, the third (60 s after the first) an AA after 0.1 s: it is delivered at 08:01:00.1
    and its result comes an hour later. Result 4 is refused once by EPIC and resent."""
    entries: list[LogEntry] = []

    def add(*args: object, **extra: str) -> LogEntry:
        made = entry(len(entries) + 1, *args, **extra)  # type: ignore[arg-type]
        entries.append(made)
        return made

    for i in range(1, 11):
        sent = DAY + timedelta(hours=7 + i)
        cid = f"O{i}" if control_ids else None
        order = {"priority": "stat", "placer": f"P{i}"}
        if i == 1:
            add("EPIC", "LAB", "ORM^O01", sent, cid, None, None, **order)
            add("EPIC", "LAB", "ORM^O01", sent + timedelta(seconds=30), cid, "AE", 0.2, **order)
            sent += timedelta(seconds=60)
        add("EPIC", "LAB", "ORM^O01", sent, cid, "AA", 0.1, **order)
        result = sent + timedelta(seconds=0.1 + AFTER)
        rid = f"R{i}" if control_ids else None
        if i == 4:
            add("LAB", "EPIC", "ORU^R01", result, rid, "AE", 0.05, placer=f"P{i}")
            result += timedelta(seconds=30)
        add("LAB", "EPIC", "ORU^R01", result, rid, "AA", 0.05, placer=f"P{i}")
    return sorted(entries, key=lambda e: e.time_s)


class TestFirstSends:
    def test_attempts_of_one_message_are_one_entry_timed_by_the_first_send(self) -> None:
        messages = first_sends(world())
        assert len(messages) == 20
        first = next(m for m in messages if m.control_id == "O1")
        assert first.local == DAY + timedelta(hours=8) and first.number == 1
        # delivered by the third attempt: 60 s after the first, plus its 0.1 s ACK
        assert (first.ack_code, first.ack_s) == ("AA", pytest.approx(60.1))
        refused_once = next(m for m in messages if m.control_id == "R4")
        assert (refused_once.ack_code, refused_once.ack_s) == ("AA", pytest.approx(30.05))
        assert [m.time_s for m in messages] == sorted(m.time_s for m in messages)
        assert first_sends(world()[::-1]) == messages  # whatever order they come in

    def test_a_message_never_accepted_keeps_its_last_refusal(self) -> None:
        at = DAY + timedelta(hours=8)
        refused = [
            entry(1, "EPIC", "LAB", "ORM^O01", at, "X", "AE", 0.2),
            entry(2, "EPIC", "LAB", "ORM^O01", at + timedelta(seconds=30), "X", "AR", 0.3),
            entry(3, "EPIC", "LAB", "ORM^O01", at + timedelta(seconds=60), "X", None, None),
        ]
        (message,) = first_sends(refused)
        assert (message.ack_code, message.ack_s) == ("AR", pytest.approx(30.3))
        (unanswered,) = first_sends([refused[2]])
        assert unanswered.ack_code is None and unanswered.ack_s is None

    def test_the_same_control_id_between_other_ends_is_another_message(self) -> None:
        at = DAY + timedelta(hours=8)
        both = [
            entry(1, "EPIC", "LAB", "ORM^O01", at, "7", "AA", 0.1),
            entry(2, "EPIC", "RIS", "ORM^O01", at, "7", "AA", 0.1),
            entry(3, "LAB", "EPIC", "ORM^O01", at, "7", "AA", 0.1),
        ]
        assert first_sends(both) == both

    def test_a_reused_control_id_on_another_patient_or_order_is_another_message(self) -> None:
        """An engine whose control-id counter restarts gives an old id to new messages."""
        at = DAY + timedelta(hours=8)
        later = at + timedelta(days=1)
        reused = [
            entry(1, "EPIC", "LAB", "ORM^O01", at, "1", "AA", 0.1, patient="A", placer="P1"),
            entry(2, "EPIC", "LAB", "ORM^O01", later, "1", "AA", 0.1, patient="B", placer="P2"),
            entry(3, "EPIC", "LAB", "ORM^O01", later, "1", "AA", 0.1, patient="A", placer="P3"),
            entry(4, "EPIC", "LAB", "ADT^A08", later, "1", "AA", 0.1, patient="A", placer="P1"),
        ]
        assert first_sends(reused) == reused
        resent = entry(5, "EPIC", "LAB", "ORM^O01", later, "1", "AA", 0.1, patient="A",
                       placer="P1")  # fmt: skip
        assert first_sends([*reused, resent]) == [reused[0], *reused[1:]]

    def test_without_control_ids_every_entry_is_a_message(self) -> None:
        """A CSV log has no control id: a resend cannot be told from a new message."""
        entries = world(control_ids=False)
        assert first_sends(entries) == entries


@pytest.fixture(scope="module")
def fitted():  # type: ignore[no-untyped-def]
    return calibrate(world(), ehr="EPIC")


class TestCalibrate:
    def test_resends_count_once_for_rate_profile_and_priority(self, fitted) -> None:  # type: ignore[no-untyped-def]
        orders = fitted.flows["ehr-lab-orm-o01"]
        assert orders.counts.overall.n == 10 and orders.counts.rate.value == 10
        assert orders.counts.profile[8].k == 1  # order 1: three attempts in the 08 hour
        assert orders.priority is not None and orders.priority.n == 10
        assert fitted.flows["lab-ehr-oru-r01"].counts.overall.n == 10
        assert fitted.messages == 20 and fitted.resends == 3

    def test_replies_count_a_resent_result_once_from_the_accepted_delivery(self, fitted) -> None:  # type: ignore[no-untyped-def]
        reply = fitted.flows["ehr-lab-orm-o01"].reply
        assert reply is not None
        assert reply.count.value == 1.0
        assert reply.after["stat"].mean == pytest.approx(AFTER, abs=0.01)

    def test_every_attempts_response_counts_for_acks_and_naks(self, fitted) -> None:  # type: ignore[no-untyped-def]
        lab = fitted.systems["lab"]
        assert (lab.messages, lab.attempts) == (10, 12)
        assert lab.ack is not None and lab.ack.n == 11  # the timed-out attempt has none
        assert lab.naks is not None and (lab.naks.share.k, lab.naks.share.n) == (1, 11)
        assert sorted(lab.ack.values) == pytest.approx([0.1] * 10 + [0.2])
        ehr = fitted.systems["ehr"]
        assert (ehr.messages, ehr.attempts) == (10, 11)
        assert ehr.naks is not None and (ehr.naks.share.k, ehr.naks.share.n) == (1, 11)
