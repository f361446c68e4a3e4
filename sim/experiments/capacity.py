"""Capacity planning: the smallest value of one knob for which a target on a metric holds.

``find_capacity`` answers "how many lab connections so that a 6-hour outage drains within an
hour?". The knob (``--vary KEY=LO..HI``, ``--step S``) ranges over a grid of values; each value
is a point evaluated exactly as a sweep evaluates it (:func:`sim.experiments.sweep.run_points`:
the same tasks, the same common random numbers, the same cache and the same figures).

The verdict of a point, for ``M < V`` (``<=`` alike): *met* when the one-sided upper bound of
the mean at ``confidence`` (Student's t over the replications) is below V; *not met* when the
one-sided lower bound is at or above V, or when a replication's metric is null (a recovery
that never came fails any target); otherwise the interval *straddles* V. ``>`` and ``>=``
mirror it. A point that straddles gets more replications (doubling, from the scenario's
``replications`` up to ``replications_max``); one that still straddles there is *undecided*
and counts as not met.

The search assumes the target, once met, stays met for every larger value (the metric is
monotone in the knob: more connections never drain slower). It evaluates the top of the range
first (nothing met there: no answer), then bisects the grid, so it simulates about
log2(values) points instead of all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.executors import Executor, LocalExecutor, open_executor
from sim.experiments.figures import Figure
from sim.experiments.grid import Param
from sim.experiments.sweep import Point, load_points, run_points
from sim.experiments.sweep_cache import ReplicationCache
from sim.metrics.stats import round_tree
from sim.metrics.summary import FORMAT_VERSION

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "ASSUMPTION",
    "MET",
    "NOT_MET",
    "UNDECIDED",
    "CapacityError",
    "CapacityResult",
    "Knob",
    "PlanPoint",
    "PlanProgress",
    "Target",
    "decide",
    "find_capacity",
    "one_sided_t",
    "parse_target",
    "parse_vary",
    "search",
]

MET = "met"
NOT_MET = "not met"
UNDECIDED = "undecided"
"""The verdicts of a point (undecided: the interval still straddles the target at the most
replications; it counts as not met)."""
_STRADDLES = "straddles"

ASSUMPTION = (
    "assumes the target, once met, stays met for every larger value (the metric is monotone "
    "in the knob); it evaluates the top of the range, then bisects"
)
"""What the search takes for granted, said wherever its answer is."""

OPS = ("<=", ">=", "<", ">")
MAX_VALUES = 10_000
"""The most values a range may have (more is almost surely a typo)."""

PlanProgress = Callable[[str, int, int], None]
"""(value, replications done, replications wanted at that value) -> None."""


class CapacityError(ValueError):
    """A ``--vary``, ``--step``, ``--target``, ``--confidence`` or ``--replications-max``
    that cannot be read (exit 2)."""


# -- Student's t -----------------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: int) -> float:
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def one_sided_t(confidence: float, df: int) -> float:
    """The ``confidence`` quantile of Student's t with ``df`` degrees of freedom.

    ``mean + one_sided_t(c, n - 1) * s / sqrt(n)`` is the one-sided upper bound of the mean at
    confidence c; ``one_sided_t(0.975, df)`` is the two-sided 95 % quantile of
    :func:`sim.metrics.stats.t95`. Found by bisection on the distribution function (the
    regularised incomplete beta), to about 1e-9.
    """
    if df < 1:
        raise ValueError("a bound needs at least two replications")
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence must be in [0.5, 1), got {confidence!r}")
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < confidence:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if _t_cdf(mid, df) < confidence:
            low = mid
        else:
            high = mid
        if high - low < 1e-10:
            break
    return (low + high) / 2.0


# -- the target and the knob -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """``METRIC OP VALUE``: the metric's path in summary.json, the comparison and the value
    in the metric's unit (seconds for times, a fraction for shares).

    Attributes:
        metric: The metric (``recovery_time_s``).
        op: ``<``, ``<=``, ``>`` or ``>=``.
        value: The threshold in the metric's unit.
        text: The target as typed.
    """

    metric: str
    op: str
    value: float
    text: str

    @property
    def upper(self) -> bool:
        """Whether the target bounds the metric from above (``<``, ``<=``)."""
        return self.op in ("<", "<=")

    def holds(self, x: float) -> bool:
        """Whether ``x`` satisfies ``x OP value``."""
        return {
            "<": x < self.value,
            "<=": x <= self.value,
            ">": x > self.value,
            ">=": x >= self.value,
        }[self.op]


_TARGET = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*(<=|>=|<|>)\s*(\S.*?)\s*")
_EXAMPLE_TARGET = "write e.g. --target 'recovery_time_s < 30min'"


def _metric_unit(metric: str) -> str:
    from sim.report.compare_text import unit

    return unit(metric)


def parse_target(text: str) -> Target:
    """``METRIC OP VALUE`` as a :class:`Target`.

    VALUE is in the metric's unit (seconds for a time) or carries units: a duration for a
    time (``30min``), a percentage for a share (``95%``); a plain number otherwise.

    Raises:
        CapacityError: Not ``METRIC OP VALUE``, or a value of the wrong unit for the metric.
    """
    from sim.scenario.units import UnitError, parse_duration

    match = _TARGET.fullmatch(text)
    if match is None:
        raise CapacityError(
            f"--target {text!r} is not 'METRIC OP VALUE' with OP one of <, <=, >, >=; "
            f"{_EXAMPLE_TARGET}"
        )
    metric, op, raw = match.groups()
    kind = _metric_unit(metric)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        if kind == "s":
            try:
                value = parse_duration(raw, allow_zero=True)
            except UnitError as exc:
                raise CapacityError(f"--target {text!r}: {metric} is a time; {exc}") from None
        elif kind == "share" and raw.endswith("%"):
            try:
                value = float(raw[:-1]) / 100.0
            except ValueError:
                value = math.nan
            if math.isnan(value):
                raise CapacityError(
                    f"--target {text!r}: {raw!r} is not a percentage; write e.g. 95%"
                ) from None
        else:
            shown = kind or "a plain number"
            raise CapacityError(
                f"--target {text!r}: {raw!r} is not a value of {metric}, which is in "
                f"{shown}; write a plain number"
                + (" or a percentage (95%)" if kind == "share" else "")
            )
    if not math.isfinite(value):
        raise CapacityError(f"--target {text!r}: the value must be a finite number")
    return Target(metric, op, value, f"{metric} {op} {raw}")


_QUANTITY = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([A-Za-z/%]*)\s*")


@dataclass(frozen=True)
class Knob:
    """The key a plan varies and its grid of values, each as the scenario writes it.

    Attributes:
        key: A scenario key path, as ``--set`` takes it.
        values: The grid from LO to HI by the step, as ``--set`` VALUEs (``"3"``, ``"15/s"``,
            ``"90min"``).
        integer: Whether the values are whole numbers without units (a JSON integer in
            plan.json).
        text: The range as typed (``1..8``).
        step: The step as typed (``"1"`` by default for whole numbers).
    """

    key: str
    values: tuple[str, ...]
    integer: bool
    text: str
    step: str

    def json_value(self, value: str) -> int | str:
        """A value as plan.json writes it: an integer for a whole-number key, else the text."""
        return int(value) if self.integer else value


def _size(key: str, what: str, text: str) -> tuple[float, str, float]:
    """(number as typed, unit as typed, size in base units) of one end or the step."""
    from sim.scenario.units import UnitError, parse_duration, parse_rate

    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise CapacityError(
            f"--vary {key}: {what} {text!r} is not a number, a duration (30min) or a rate (20/s)"
        )
    number, suffix = float(match.group(1)), match.group(2)
    if not suffix:
        return number, "", number
    try:
        size = parse_rate(text.strip()) if "/" in suffix else parse_duration(text.strip())
    except UnitError as exc:
        raise CapacityError(f"--vary {key}: {what} {text.strip()!r}: {exc}") from None
    return number, suffix, size


def _kind(suffix: str) -> str:
    if not suffix:
        return "a plain number"
    return "a rate" if "/" in suffix else "a duration"


def _number_text(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def parse_vary(text: str, step: str | None = None) -> Knob:
    """``KEY=LO..HI`` and the step as a :class:`Knob` (both ends included).

    The ends are whole numbers (step 1 by default), plain numbers, durations (``30min..3h``)
    or rates (``10/s..40/s``); the step is of the same kind and is required unless the ends
    are whole numbers. Values are written in the unit of LO.

    Raises:
        CapacityError: Not ``KEY=LO..HI``, an empty or reversed range, ends or a step of
            different kinds (a wrong unit), a step that is not positive, or too many values.
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CapacityError(
            f"--vary {text!r} is not KEY=LO..HI; write e.g. --vary systems.lab.connections=1..8"
        )
    low_text, dots, high_text = spec.partition("..")
    if not dots or not low_text.strip() or not high_text.strip():
        raise CapacityError(
            f"--vary {key}: the range {spec.strip()!r} is empty or open; give both ends, "
            "e.g. 1..8 (both included)"
        )
    low, low_unit, low_size = _size(key, "LO", low_text)
    high, high_unit, high_size = _size(key, "HI", high_text)
    if _kind(low_unit) != _kind(high_unit):
        raise CapacityError(
            f"--vary {key}: LO {low_text.strip()!r} is {_kind(low_unit)} but HI "
            f"{high_text.strip()!r} is {_kind(high_unit)}; give both ends in the same kind"
        )
    if high_size < low_size:
        raise CapacityError(
            f"--vary {key}: the range {spec.strip()!r} is reversed (it would be empty); "
            f"write {high_text.strip()}..{low_text.strip()}"
        )
    integer = not low_unit and low.is_integer() and high.is_integer()
    if step is None:
        if not integer:
            raise CapacityError(
                f"--vary {key}: the range {spec.strip()!r} is not of whole numbers; give "
                "--step in the same unit, e.g. --step 10min"
            )
        step = "1"
    step_number, step_unit, step_size = _size(key, "--step", step)
    if _kind(step_unit) != _kind(low_unit):
        raise CapacityError(
            f"--vary {key}: --step {step.strip()!r} is {_kind(step_unit)} but the range is "
            f"{_kind(low_unit)}; give the step in the same kind"
        )
    if step_size <= 0:
        raise CapacityError(f"--step {step.strip()!r} must be positive")
    integer = integer and step_number.is_integer()
    count = math.floor((high_size - low_size) / step_size + 1e-9) + 1
    if count > MAX_VALUES:
        raise CapacityError(
            f"--vary {key}: {count:,} values from {low_text.strip()} to {high_text.strip()} by "
            f"{step.strip()}; a plan has at most {MAX_VALUES:,}"
        )
    per_unit = _size(key, "LO", f"1{low_unit}")[2] if low_unit else 1.0
    values = []
    for k in range(count):
        size = low_size + k * step_size
        text = str(round(size)) if integer else _number_text(size / per_unit) + low_unit
        values.append(text)
    return Knob(key, tuple(values), integer, spec.strip(), step.strip())


# -- one point -------------------------------------------------------------------------------


def decide(fig: Figure, target: Target, confidence: float) -> tuple[str, float | None]:
    """A point's verdict from its replications, and the one-sided bound it rests on.

    Returns:
        (``met``, ``not met`` or ``straddles``, the bound on the target's side at
        ``confidence``: the upper bound for ``<``/``<=``, the lower one for ``>``/``>=``;
        ``None`` with a null value or fewer than two replications). A null value in any
        replication is not met; one replication alone straddles (it has no interval).
    """
    if fig.nulls or not fig.values:
        return NOT_MET, None
    nums = fig.numbers
    n = len(nums)
    if n < 2:
        return _STRADDLES, None
    mean = math.fsum(nums) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in nums) / (n - 1))
    half = one_sided_t(confidence, n - 1) * sd / math.sqrt(n)
    near, far = (mean + half, mean - half) if target.upper else (mean - half, mean + half)
    if target.holds(near):
        return MET, near
    if not target.holds(far):
        return NOT_MET, near
    return _STRADDLES, near


@dataclass
class PlanPoint:
    """One value the plan evaluated.

    Attributes:
        index: Its place in the knob's grid.
        value: The value as ``--set`` takes it.
        figure: The metric over its replications.
        verdict: ``met``, ``not met`` or ``undecided``.
        bound: The one-sided bound the verdict compared (``None``: a null, or one
            replication).
    """

    index: int
    value: str
    figure: Figure
    verdict: str
    bound: float | None
    stop_reason: str = ""
    """Why a replication stopped before its horizon (a guard; ``""``: none did)."""

    @property
    def replications(self) -> int:
        return len(self.figure.values)

    @property
    def met(self) -> bool:
        return self.verdict == MET

    def to_json(self, knob: Knob) -> dict[str, Any]:
        """``{value, replications, mean, ci95_low, ci95_high, verdict, bound, nulls}``."""
        ci = self.figure.ci95
        return dict(
            round_tree(
                {
                    "value": knob.json_value(self.value),
                    "replications": self.replications,
                    "mean": self.figure.mean,
                    "ci95_low": ci[0] if ci is not None else None,
                    "ci95_high": ci[1] if ci is not None else None,
                    "verdict": self.verdict,
                    "bound": self.bound,
                    "nulls": self.figure.nulls,
                }
            )
        )


@dataclass
class CapacityResult:
    """What a plan found.

    Attributes:
        scenario: The scenario's name.
        seed: The seed every point ran with.
        knob: The key varied and its grid.
        target: The target.
        confidence: The one-sided confidence of the verdicts.
        replications: Replications each point started with (the scenario's).
        replications_max: The most a point may grow to.
        points: The points evaluated, by value.
        answer: The smallest value that meets the target (``None``: none in the range).
        reason: Why there is no answer (``""`` when there is one).
        reused: Replications taken from the cache (varies between identical plans).
        ran: Replications simulated by this plan (varies likewise).
    """

    scenario: str
    seed: int
    knob: Knob
    target: Target
    confidence: float
    replications: int
    replications_max: int
    points: list[PlanPoint]
    answer: str | None
    reason: str = ""
    reused: int = 0
    ran: int = 0

    @property
    def runs(self) -> int:
        """The replications the plan rests on: each evaluated point's, summed."""
        return sum(p.replications for p in self.points)

    @property
    def complete(self) -> bool:
        """Whether every replication of every point reached its horizon."""
        return not any(p.stop_reason for p in self.points)

    @property
    def grid_runs(self) -> int:
        """What the grid would cost at the starting replications: every value once."""
        return len(self.knob.values) * self.replications

    def point(self, value: str) -> PlanPoint | None:
        """The evaluated point of ``value`` (``None``: not evaluated)."""
        return next((p for p in self.points if p.value == value), None)

    def below(self) -> PlanPoint | None:
        """The evaluated point just below the answer (``None``: the answer is LO, or none)."""
        if self.answer is None:
            return None
        index = self.knob.values.index(self.answer)
        return self.point(self.knob.values[index - 1]) if index > 0 else None

    def to_json(self) -> dict[str, Any]:
        """plan.json: the question, the answer, its cost and every point evaluated. Nothing
        that varies between identical plans (times, executor, cache)."""
        return {
            "format_version": FORMAT_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "key": self.knob.key,
            "range": self.knob.text,
            "step": self.knob.step,
            "values": len(self.knob.values),
            "target": self.target.text,
            "metric": self.target.metric,
            "op": self.target.op,
            "threshold": round_tree(self.target.value),
            "confidence": self.confidence,
            "replications": self.replications,
            "replications_max": self.replications_max,
            "assumption": ASSUMPTION,
            "complete": self.complete,
            "answer": None if self.answer is None else self.knob.json_value(self.answer),
            "reason": self.reason or None,
            "runs": self.runs,
            "grid_runs": self.grid_runs,
            "points": [p.to_json(self.knob) for p in self.points],
        }


# -- the search ------------------------------------------------------------------------------


class _Remembered(ReplicationCache):
    """The plan's own replications in memory, in front of the sweep cache (if any), so a
    point that grows simulates only its new replications."""

    def __init__(self, inner: ReplicationCache | None, version: str) -> None:
        super().__init__(inner.folder if inner is not None else Path(), version)
        self._inner = inner
        self._memory: dict[str, dict[str, Any]] = {}
        self.from_disk = 0

    def get(self, key: str) -> dict[str, Any] | None:
        found = self._memory.get(key)
        if found is None and self._inner is not None:
            found = self._inner.get(key)
            self.from_disk += int(found is not None)
        return found

    def put(self, key: str, result: dict[str, Any]) -> None:
        self._memory[key] = result
        if self._inner is not None:
            self._inner.put(key, result)


@dataclass
class _Search:
    points: Sequence[Point]
    knob: Knob
    target: Target
    confidence: float
    start: int
    most: int
    executor: Executor
    cache: _Remembered
    progress: PlanProgress | None
    ran: int = 0
    seen: dict[int, PlanPoint] = field(default_factory=dict)

    def evaluate(self, k: int) -> PlanPoint:
        point = self.points[k]
        param = Param(self.knob.key, (self.knob.values[k],))
        n = self.start
        while True:
            value = self.knob.values[k]

            def tick(_p: int, i: int, _reused: bool, n: int = n, value: str = value) -> None:
                if self.progress is not None:
                    self.progress(value, i + 1, n)

            result = run_points(
                [point],
                [param],
                [self.target.metric],
                replications=n,
                executor=self.executor,
                cache=self.cache,
                progress=tick,
            )
            self.ran += result.ran
            fig = result.points[0].figures[self.target.metric]
            stop_reason = result.points[0].stop_reason
            verdict, bound = decide(fig, self.target, self.confidence)
            if verdict != _STRADDLES or n >= self.most:
                break
            n = min(2 * n, self.most)
        final = UNDECIDED if verdict == _STRADDLES else verdict
        self.seen[k] = PlanPoint(k, self.knob.values[k], fig, final, bound, stop_reason)
        return self.seen[k]


def search(
    points: Sequence[Point],
    knob: Knob,
    target: Target,
    *,
    confidence: float = 0.95,
    replications_max: int = 20,
    executor: Executor | None = None,
    cache: ReplicationCache | None = None,
    progress: PlanProgress | None = None,
) -> CapacityResult:
    """Find the smallest value of the knob whose point meets the target (see the module).

    Args:
        points: One point per value of the knob, in order (from
            :func:`sim.experiments.sweep.load_points` with one parameter).
        knob: The key and its values.
        target: The target (its metric checked against the points' scenarios).
        confidence: One-sided confidence of each verdict.
        replications_max: The most replications a straddling point grows to.
        executor: Where replications run (default: this process).
        cache: The sweep cache to reuse and add to (``None``: none).
        progress: Called as replications finish.

    Raises:
        ValueError: A metric the scenarios do not have, or replications_max below the
            points' replications.
    """
    import sim
    from sim.experiments.compare import check_metrics

    problems = check_metrics([target.metric], [p.scenario for p in points])
    if problems:
        raise ValueError("; ".join(problems))
    first: Scenario = points[0].scenario
    start = first.replications
    if replications_max < start:
        raise CapacityError(
            f"--replications-max {replications_max} is below the scenario's replications "
            f"({start}); raise it or lower replications with --set replications=N"
        )
    remembered = _Remembered(cache, sim.__version__)
    state = _Search(
        points, knob, target, confidence, start, replications_max,
        executor if executor is not None else LocalExecutor(1), remembered, progress,
    )  # fmt: skip
    top = len(points) - 1
    answer: str | None = None
    reason = ""
    highest = state.evaluate(top)
    if not highest.met:
        reason = _no_answer(knob, target, highest)
    else:
        low, high = 0, top
        while low < high:
            mid = (low + high) // 2
            if state.evaluate(mid).met:
                high = mid
            else:
                low = mid + 1
        answer = knob.values[high]
    return CapacityResult(
        first.name,
        first.seed,
        knob,
        target,
        confidence,
        start,
        replications_max,
        [state.seen[k] for k in sorted(state.seen)],
        answer,
        reason,
        reused=remembered.from_disk,
        ran=state.ran,
    )


def _no_answer(knob: Knob, target: Target, top: PlanPoint) -> str:
    where = f"{knob.key}={top.value}, the top of the range"
    fig = top.figure
    if fig.nulls:
        return (
            f"not met at {where}: {target.metric} is null (never recovered) in "
            f"{fig.nulls}/{top.replications} replications"
        )
    if top.verdict == UNDECIDED:
        return (
            f"undecided at {where} after {top.replications} replications (its interval still "
            f"straddles {target.text}); undecided counts as not met: raise --replications-max"
        )
    return f"not met at {where}; nothing smaller meets it either (assuming monotonicity)"


def find_capacity(
    scenario: str | Path,
    vary: str,
    target: str,
    *,
    step: str | None = None,
    confidence: float = 0.95,
    replications_max: int = 20,
    sets: Sequence[str] = (),
    jobs: int = 1,
    dask: str | None = None,
    cache: str | Path | None = None,
    progress: PlanProgress | None = None,
) -> CapacityResult:
    """The smallest value of one knob for which ``target`` holds::

        import sim
        found = sim.find_capacity(
            "theory/stall", "systems.server.connections=2..8", "recovery_time_s < 15min"
        )
        found.answer, found.runs   # '3', 8: the value as --set takes it, replications run

    Args:
        scenario: A scenario file or the name of a shipped scenario.
        vary: ``KEY=LO..HI`` (both ends included).
        target: ``METRIC OP VALUE`` (see :func:`parse_target`).
        step: The grid's step (default 1 for whole numbers; required otherwise).
        confidence: One-sided confidence of each verdict, in [0.5, 1).
        replications_max: The most replications a point that straddles the target grows to.
        sets: ``--set`` assignments applied before the knob.
        jobs: Worker processes (or local Dask workers).
        dask: ``"local"`` or a scheduler's address (see
            :func:`sim.experiments.executors.open_executor`).
        cache: The sweep cache folder to reuse and add to (``None``: none).
        progress: Called as replications finish.

    Raises:
        CapacityError: A range, step, target, confidence or replications_max that cannot be
            used.
        ScenarioError: The scenario is invalid.
        PointsError: Values of the knob that make an invalid scenario (an unknown key, a
            value of the wrong unit).
        ValueError: A target on a metric the scenario does not have, or no horizon.
        ExecutorError: The Dask cluster cannot be reached or runs another ehrsim.
    """
    import sim

    check_confidence(confidence)
    knob = parse_vary(vary, step)
    goal = parse_target(target)
    points, _warnings = load_points(scenario, [Param(knob.key, knob.values)], sets)
    for point in points:
        if point.scenario.horizon is None:
            raise ValueError(f"{point.label} has no horizon")
    store = ReplicationCache(Path(cache), sim.__version__) if cache is not None else None
    with open_executor(jobs, dask) as executor:
        return search(
            points,
            knob,
            goal,
            confidence=confidence,
            replications_max=replications_max,
            executor=executor,
            cache=store,
            progress=progress,
        )


def check_confidence(confidence: float) -> None:
    """Raise :class:`CapacityError` unless ``confidence`` is in [0.5, 1)."""
    if not 0.5 <= confidence < 1.0:
        raise CapacityError(
            f"--confidence {confidence!r} must be at least 0.5 and below 1 (e.g. 0.95)"
        )
