"""The days a log covers, read on its own wall clock (MSH-7 as written, offset not applied)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sim.logs.entry import LogEntry

__all__ = ["DAY_NAMES", "WEEKDAYS", "WEEK_DAYS", "Window"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEK_DAYS = 14
"""Days of log a weekday pattern needs: every weekday seen at least twice."""


@dataclass(frozen=True)
class Window:
    """Whole local days, from the first message's day to the last message's day.

    A log is read as covering whole days (engines rotate their logs daily): a message's hour and
    weekday, and every rate, are counted against these days.
    """

    first: date
    last: date

    @classmethod
    def of(cls, entries: Sequence[LogEntry]) -> Window:
        """The window of a non-empty list of entries."""
        days = [e.local.date() for e in entries]
        return cls(min(days), max(days))

    @property
    def days(self) -> int:
        """Calendar days covered, both ends included."""
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """Local midnight of the first day."""
        return datetime.combine(self.first, time())

    def day_index(self, moment: datetime) -> int:
        """Which day of the window a local time falls on, from 0."""
        return (moment.date() - self.first).days

    def weekday_days(self) -> list[int]:
        """How many days of each weekday (Monday first) the window holds."""
        counts = [0] * 7
        for offset in range(self.days):
            counts[(self.first + timedelta(days=offset)).weekday()] += 1
        return counts

    @property
    def weekly(self) -> bool:
        """Whether the log is long enough to fit a weekday pattern."""
        return self.days >= WEEK_DAYS
