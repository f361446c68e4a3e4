"""How often a flow sends: its daily rate, its hourly profile and its weekday pattern.

The model is the scenario format's: a Poisson process whose daily volume is ``rate`` times
the weekday's ``week`` factor, spread over the hours by ``profile``. Intervals are exact:
Poisson (Garwood, from the gamma distribution) for a rate, Clopper-Pearson for an hour's share
of the day, and the conditional binomial interval for a ratio of two Poisson rates (a weekday's
factor against the busiest weekday's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.calibration.window import WEEKDAYS, Window
from sim.logs.entry import LogEntry

__all__ = ["CountFit", "Estimate", "fit_counts", "poisson_interval", "share_interval"]

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A fitted number with its 95 % interval and the number of messages behind it."""

    value: float
    low: float
    high: float
    n: int
    """Messages behind the number (for a share: all of them)."""
    k: int | None = None
    """For a share: the messages counted (``value`` is ``k / n``)."""

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"value": self.value, "ci95": [self.low, self.high], "n": self.n}
        if self.k is not None:
            found["k"] = self.k
        return found


def poisson_interval(count: int, exposure: float) -> tuple[float, float]:
    """Exact 95 % interval of a Poisson rate: ``count`` events in ``exposure`` units of time."""
    from scipy import stats  # here, not at the top: `import sim` stays quick

    tail = (1 - LEVEL) / 2
    low = float(stats.gamma.ppf(tail, count)) if count > 0 else 0.0
    high = float(stats.gamma.ppf(1 - tail, count + 1))
    return low / exposure, high / exposure


def share_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper-Pearson 95 % interval of a share: ``k`` of ``n``.

    The beta quantiles that ``scipy.stats.binomtest(k, n).proportion_ci(method="exact")``
    returns, without the test's p-value it would compute first (a hundred times slower).
    """
    from scipy import stats

    tail = (1 - LEVEL) / 2
    low = float(stats.beta.ppf(tail, k, n - k + 1)) if k > 0 else 0.0
    high = float(stats.beta.ppf(1 - tail, k + 1, n - k)) if k < n else 1.0
    return low, high


@dataclass(frozen=True)
class CountFit:
    """A flow's rate, profile and weekday pattern."""

    rate: Estimate
    """Messages a day (with a weekday pattern: on the busiest weekday)."""
    overall: Estimate
    """Messages a day over the whole log, whatever the weekday."""
    profile: tuple[Estimate, ...]
    """Per local hour from 00:00, the share of the day's messages (0 to 1)."""
    week: tuple[Estimate, ...] | None
    """Per weekday from Monday, ``rate x week[d]`` is the mean rate on weekday d (the largest
    is 1); None when the log is shorter than two weeks (the pattern is then flat)."""
    busiest: int | None
    """The weekday whose mean rate is ``rate`` (0 = Monday), with a weekday pattern."""
    hourly: tuple[tuple[int, ...], ...]
    """Observed messages per day of the window (rows) and local hour (columns)."""
    weekday_days: tuple[int, ...]
    """How many days of each weekday the window holds."""


def _week(per_day: list[int], window: Window) -> tuple[tuple[Estimate, ...], int, Estimate]:
    exposure = window.weekday_days()
    by_weekday = [0] * 7
    for day, count in enumerate(per_day):
        by_weekday[(window.first.toordinal() + day - 1) % 7] += count
    means = [by_weekday[d] / exposure[d] for d in range(7)]
    top = max(range(7), key=lambda d: (means[d], -d))
    rate = Estimate(means[top], *poisson_interval(by_weekday[top], exposure[top]), by_weekday[top])
    week: list[Estimate] = []
    for d in range(7):
        if d == top or means[top] == 0:
            week.append(Estimate(1.0 if d == top else 0.0, 1.0, 1.0, by_weekday[d]))
            continue
        # Given both counts, weekday d's count is binomial in their sum, with
        # p = ratio * D_d / (ratio * D_d + D_top): the interval of p maps to the ratio's.
        both = by_weekday[d] + by_weekday[top]
        p_low, p_high = share_interval(by_weekday[d], both)
        scale = exposure[top] / exposure[d]

        def ratio(p: float, scale: float = scale) -> float:
            return p / (1 - p) * scale if p < 1 else float("inf")

        week.append(Estimate(means[d] / means[top], ratio(p_low), ratio(p_high), by_weekday[d]))
    return tuple(week), top, rate


def fit_counts(entries: Sequence[LogEntry], window: Window) -> CountFit:
    """Fit one flow's entries (non-empty) over the log's window."""
    n = len(entries)
    hourly = [[0] * 24 for _ in range(window.days)]
    for entry in entries:
        hourly[window.day_index(entry.local)][entry.local.hour] += 1
    per_hour = [sum(day[h] for day in hourly) for h in range(24)]
    per_day = [sum(day) for day in hourly]
    overall = Estimate(n / window.days, *poisson_interval(n, window.days), n)
    profile = tuple(Estimate(c / n, *share_interval(c, n), n, c) for c in per_hour)
    week: tuple[Estimate, ...] | None = None
    busiest: int | None = None
    rate = overall
    if window.weekly:
        week, busiest, rate = _week(per_day, window)
    return CountFit(
        rate,
        overall,
        profile,
        week,
        busiest,
        tuple(tuple(day) for day in hourly),
        tuple(window.weekday_days()),
    )


def weekday_name(index: int) -> str:
    """``Mon`` ... ``Sun``."""
    return WEEKDAYS[index]
