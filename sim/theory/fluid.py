"""The fluid model of an outage: the backlog a stall builds and the time to drain it.

A fluid model treats messages as a continuous quantity and ignores randomness: while the
backlog B is positive, dB/dt = λ(t) − capacity, and B never goes below 0 (Newell, Applications
of Queueing Theory, 2nd ed., 1982, the deterministic fluid approximation). It is accurate when
the backlog is large compared with the queue's normal random fluctuations, which is the case
after an outage of minutes to hours; it predicts a drain to 0 where the simulation returns to
its normal (small, non-zero) level.

Time is in seconds since 00:00 of a Monday (ehrsim's default ``start`` is a Monday 00:00), so
``9 * 3600`` is 09:00 on the first day. Rates are per second. A rate is either a constant or an
:class:`HourlyProfile`, the scenario format's ``rate`` shaped by ``profile`` and ``week``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from sim.theory import _checks

HOUR = 3600.0
"""Seconds in an hour."""
DAY = 24 * HOUR
"""Seconds in a day."""
WEEK = 7 * DAY
"""Seconds in a week."""


@dataclass(frozen=True)
class HourlyProfile:
    """A piecewise-constant arrival rate: a daily mean shaped hour by hour and day by day.

    As in the scenario format, the 24 ``hourly`` numbers are used relative to their mean, so
    they shape a day without changing its volume, and the 7 ``week`` numbers (Monday first)
    multiply each day's volume as written. The rate during hour h of day d (both from 0) is
    ``mean_rate * hourly[h] / mean(hourly) * week[d]``.

    Attributes:
        mean_rate: The mean rate over a day whose ``week`` multiplier is 1 (per second, > 0).
        hourly: 24 multipliers, hour 0 (00:00–01:00) first; finite, ≥ 0, not all zero.
        week: 7 day multipliers, Monday first; finite and ≥ 0.
    """

    mean_rate: float
    hourly: Sequence[float] = (1.0,) * 24
    week: Sequence[float] = (1.0,) * 7
    _shape: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Checks the numbers and stores the hourly shape normalised to mean 1."""
        _checks.positive("mean_rate", self.mean_rate)
        hourly = _multipliers("hourly", self.hourly, 24)
        week = _multipliers("week", self.week, 7)
        total = math.fsum(hourly)
        if total <= 0.0:
            raise ValueError("hourly multipliers must not all be zero")
        object.__setattr__(self, "mean_rate", float(self.mean_rate))
        object.__setattr__(self, "hourly", hourly)
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "_shape", tuple(24.0 * h / total for h in hourly))

    def _hour_rate(self, hour: int) -> float:
        return self.mean_rate * self._shape[hour % 24] * self.week[(hour // 24) % 7]

    def rate_at(self, t: float) -> float:
        """The arrival rate (per second) at time ``t`` (seconds since Monday 00:00)."""
        return self._hour_rate(math.floor(t / HOUR))

    def segments(self, t0: float, t1: float) -> Iterator[tuple[float, float, float]]:
        """Splits [t0, t1) at hour boundaries into (start, end, rate) pieces of constant rate."""
        t = t0
        while t < t1:
            hour = math.floor(t / HOUR)
            end = min((hour + 1) * HOUR, t1)
            yield t, end, self._hour_rate(hour)
            t = end

    def arrivals(self, t0: float, t1: float) -> float:
        """Expected arrivals in [t0, t1], the integral of the rate (t1 ≥ t0, seconds)."""
        if not (math.isfinite(t0) and math.isfinite(t1)) or t1 < t0:
            raise ValueError(f"need finite times with t1 >= t0, got t0={t0!r}, t1={t1!r}")
        weeks = math.floor((t1 - t0) / WEEK)
        per_week = self.mean_rate * DAY * math.fsum(self.week)
        rest = math.fsum((b - a) * r for a, b, r in self.segments(t0 + weeks * WEEK, t1))
        return weeks * per_week + rest


Rate: TypeAlias = float | HourlyProfile
"""A constant arrival rate (per second) or a time-varying one."""


def _multipliers(name: str, values: Sequence[float], n: int) -> tuple[float, ...]:
    if len(values) != n:
        raise ValueError(f"{name} needs {n} numbers, got {len(values)}")
    return tuple(_checks.nonnegative(f"{name}[{i}]", v) for i, v in enumerate(values))


def _time(name: str, value: float) -> float:
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite time in seconds, got {value!r}")
    return x


def stall_backlog(rate: Rate, start: float, duration: float) -> float:
    """Messages that arrive during a stall in which nothing leaves: ∫ λ(t) dt over the stall.

    Source: the fluid model with capacity 0 (Newell 1982): B = ∫_start^{start+duration}
    λ(t) dt, i.e. λ · duration for a constant rate.

    Args:
        rate: Arrival rate (per second): a constant or an :class:`HourlyProfile`.
        start: Start of the stall (seconds since Monday 00:00; only matters for a profile).
        duration: Length of the stall (seconds, ≥ 0).

    Returns:
        The backlog at the end of the stall (messages, as a real number).

    Raises:
        ValueError: On a negative rate or duration, or a non-finite time.
    """
    start = _time("start", start)
    duration = _checks.nonnegative("duration", duration)
    if isinstance(rate, HourlyProfile):
        return rate.arrivals(start, start + duration)
    return _checks.nonnegative("rate", rate) * duration


def fluid_backlog(
    rate: Rate, capacity: float, start: float, duration: float, backlog: float = 0.0
) -> float:
    """Backlog after ``duration`` of the fluid equation dB/dt = λ(t) − capacity, B ≥ 0.

    Source: Newell 1982. On each piece of constant rate r and length h the solution is
    B ← max(0, B + (r − capacity) h), exactly. With ``capacity = 0`` it is
    :func:`stall_backlog` plus the initial backlog; with a reduced capacity it models a partial
    stall (an ``engine-stall`` of severity s leaves (1 − s) of the capacity).

    Args:
        rate: Arrival rate (per second): a constant or an :class:`HourlyProfile`.
        capacity: Service capacity during the interval (messages per second, ≥ 0).
        start: Start of the interval (seconds since Monday 00:00).
        duration: Length of the interval (seconds, ≥ 0).
        backlog: Backlog at ``start`` (messages, ≥ 0).

    Returns:
        The backlog at ``start + duration`` (messages).

    Raises:
        ValueError: On negative or non-finite inputs.
    """
    start = _time("start", start)
    duration = _checks.nonnegative("duration", duration)
    capacity = _checks.nonnegative("capacity", capacity)
    b = _checks.nonnegative("backlog", backlog)
    if not isinstance(rate, HourlyProfile):
        return max(0.0, b + (_checks.nonnegative("rate", rate) - capacity) * duration)
    for t0, t1, r in rate.segments(start, start + duration):
        b = max(0.0, b + (r - capacity) * (t1 - t0))
    return b


def drain_time(backlog: float, capacity: float, lam: float) -> float:
    """Time for a backlog to drain at a constant arrival rate: B / (capacity − λ).

    Source: the fluid model (Newell 1982) with constant rates: the backlog falls at the
    net rate capacity − λ.

    Args:
        backlog: Backlog at the start of the drain (messages, ≥ 0).
        capacity: Drain capacity (messages per second, ≥ 0), e.g. a channel's connections
            divided by its mean ack time.
        lam: Arrival rate during the drain (per second, ≥ 0).

    Returns:
        The drain time (seconds): 0 for an empty backlog, ``math.inf`` when capacity ≤ λ and
        the backlog is positive (it never drains).

    Raises:
        ValueError: On negative or non-finite inputs.
    """
    b = _checks.nonnegative("backlog", backlog)
    capacity = _checks.nonnegative("capacity", capacity)
    lam = _checks.nonnegative("lam", lam)
    if b == 0.0:
        return 0.0
    if capacity <= lam:
        return math.inf
    return b / (capacity - lam)


def _scan(
    profile: HourlyProfile, capacity: float, b: float, t0: float, t1: float
) -> tuple[float | None, float, float]:
    """Runs the fluid over [t0, t1) from B = b > 0 until it empties.

    Returns:
        The time B reaches 0 (or None), B at t1 and the lowest B at a piece boundary.
    """
    lowest = b
    for a, e, r in profile.segments(t0, t1):
        net = r - capacity
        if net < 0.0 and b + net * (e - a) <= 0.0:
            return a + b / -net, 0.0, 0.0
        b += net * (e - a)
        lowest = min(lowest, b)
    return None, b, lowest


def drain_time_varying(
    backlog: float,
    capacity: float,
    rate: Rate,
    start: float,
    horizon: float | None = None,
) -> float | None:
    """Time for a backlog to drain while arrivals follow a daily profile.

    Source: the fluid model (Newell 1982) integrated exactly over the pieces of constant
    rate: while B > 0, dB/dt = λ(t) − capacity; the answer is the first time B reaches 0. The
    backlog can grow during busy hours and shrink at night. Without a horizon the search ends
    by periodicity: if a week passes without draining and the week's net inflow is ≥ 0 the
    backlog never drains; if it is negative, whole weeks are skipped.

    Args:
        backlog: Backlog at ``start`` (messages, ≥ 0).
        capacity: Drain capacity (messages per second, ≥ 0).
        rate: Arrival rate (per second): a constant or an :class:`HourlyProfile`.
        start: When the drain begins (seconds since Monday 00:00), e.g. the end of a stall.
        horizon: Give up after this long (seconds, ≥ 0); None searches without limit.

    Returns:
        Seconds from ``start`` until the backlog reaches 0, or None if it does not within
        ``horizon`` (or ever). For a constant rate it equals :func:`drain_time`.

    Raises:
        ValueError: On negative or non-finite inputs.
    """
    b0 = _checks.nonnegative("backlog", backlog)
    capacity = _checks.nonnegative("capacity", capacity)
    start = _time("start", start)
    limit = math.inf if horizon is None else _checks.nonnegative("horizon", horizon)
    if not isinstance(rate, HourlyProfile):
        t = drain_time(b0, capacity, rate)
        return None if math.isinf(t) or t > limit else t
    if b0 == 0.0:
        return 0.0
    end = start + limit
    hit, b1, lowest = _scan(rate, capacity, b0, start, min(end, start + WEEK))
    if hit is not None:
        return hit - start
    weekly_net = b1 - b0
    if end <= start + WEEK or weekly_net >= 0.0:
        return None
    # Week k (while B > 0) repeats week 0 shifted by k * weekly_net; it first reaches 0 in
    # week ceil(lowest / -weekly_net). Start one week early to be safe against rounding.
    weeks = max(1, math.ceil(lowest / -weekly_net) - 1)
    t = start + weeks * WEEK
    b = b0 + weeks * weekly_net
    while t < end:
        stop = min(end, t + WEEK)
        hit, b, _ = _scan(rate, capacity, b, t, stop)
        if hit is not None:
            return hit - start
        t = stop
    return None


def outage_drain_time(
    rate: Rate,
    capacity: float,
    start: float,
    duration: float,
    *,
    severity: float = 1.0,
    horizon: float | None = None,
) -> float | None:
    """Time from the end of a stall until its backlog has drained, by the fluid model.

    The queue is taken as empty when the stall begins. During the stall the capacity is
    ``(1 − severity) * capacity`` (``engine-stall``: severity is the share of channel capacity
    lost), afterwards it is ``capacity`` again; arrivals follow ``rate`` throughout.

    Args:
        rate: Arrival rate (per second): a constant or an :class:`HourlyProfile`.
        capacity: Normal drain capacity (messages per second, ≥ 0).
        start: Start of the stall (seconds since Monday 00:00).
        duration: Length of the stall (seconds, ≥ 0).
        severity: Share of capacity lost during the stall, in [0, 1].
        horizon: Give up this long after the stall ends (seconds); None searches without limit.

    Returns:
        Seconds from the end of the stall until the backlog is 0, or None if not within the
        horizon (or ever).

    Raises:
        ValueError: On invalid inputs.
    """
    if not 0.0 <= severity <= 1.0:
        raise ValueError(f"severity must be in [0, 1], got {severity!r}")
    capacity = _checks.nonnegative("capacity", capacity)
    b = fluid_backlog(rate, (1.0 - severity) * capacity, start, duration)
    return drain_time_varying(b, capacity, rate, start + duration, horizon)
