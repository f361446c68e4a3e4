"""Queueing theory beside the simulation: the figures behind `ehrsim theory`.

A scenario simple enough to have a closed form is one whose channels are M/G/c queues, as the
scenario format ("Traffic and the path of a message") describes: Poisson flows at a flat rate,
no faults, no filing `capacity`, a `timeout` far above the `ack` draws, and a transform station
that either never queues (a pure delay, which keeps a Poisson stream Poisson) or is an M/M/c
queue itself (whose departures are Poisson by Burke's theorem). :func:`predict` decides this
and lists every reason when it is not so; :func:`theory_report` then runs replications of the
real engine and sets each prediction beside the simulated mean, its t-based 95 % confidence
interval and the relative error.

Which formula applies, per lane (a waiting line with its connections):

- FIFO, exponential ack: M/M/c (Erlang C), exact; the p95 of the wait too (the inverse of
  P(Wq > t) = C e^{-(cμ-λ)t}).
- FIFO, one connection: M/G/1 (Pollaczek-Khinchine), exact for any ack distribution.
- FIFO, c > 1, other ack distributions: M/G/c by Allen-Cunneen, flagged as an approximation.
- `lifo`, `fair` (one service distribution per lane): the mean wait of FIFO, since a
  work-conserving order that ignores service times does not change the mean (conservation law).
- `priority`: Cobham's non-preemptive formula (M/G/1, or M/M/c with one exponential ack).

Rates are per second, times in seconds. Nothing here prints: the CLI renders the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simpy.events import Timeout

from sim.distributions import Constant, Distribution, Empirical, Exponential, Gamma, Lognormal
from sim.distributions import Uniform as UniformDist
from sim.metrics.histogram import Histogram
from sim.metrics.stats import t95
from sim.model.world import World
from sim.scenario.csvdata import CLASSES
from sim.theory import (
    cobham_mg1_waits,
    cobham_mmc_waits,
    erlang_c,
    mg1,
    mgc_allen_cunneen,
    mmc,
    mmc_wait_quantile,
)

if TYPE_CHECKING:
    from sim.scenario.schema import Flow, Scenario

__all__ = [
    "Estimate",
    "Predicted",
    "Prediction",
    "Progress",
    "Row",
    "TheoryReport",
    "estimate",
    "power_against_bias",
    "predict",
    "theory_report",
]

Progress = Callable[[int, float], None]
"""(replication index, simulated seconds reached) -> None."""

MIN_REPLICATIONS = 5
"""Replications run when the scenario asks for fewer: enough for a usable t interval."""
TIMEOUT_TAIL = 1e-4
"""Largest share of ack draws above the timeout that still counts as 'no send times out'."""
TRANSFORM_DELAY = 1e-3
"""Largest probability of waiting at the transform station for it to count as a pure delay."""
QUANTILE = 0.95
"""The percentile of the channel wait the report predicts where it can."""


# -- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """The mean of independent replications' values and its t-based 95 % interval.

    Attributes:
        mean: Mean over the replications.
        ci_low: Lower end of the 95 % confidence interval (equal to ``mean`` for one value).
        ci_high: Upper end of the interval.
        sd: Sample standard deviation of the values (0 for one value).
        n: Number of values.
    """

    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval."""
        return (self.ci_high - self.ci_low) / 2.0

    @property
    def rel_se(self) -> float:
        """Standard error of the mean relative to the mean (NaN when the mean is 0)."""
        if self.mean == 0.0:
            return math.nan
        return self.sd / math.sqrt(self.n) / abs(self.mean)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval (ends included)."""
        return self.ci_low <= value <= self.ci_high


def estimate(values: Sequence[float]) -> Estimate:
    """Mean and t-based 95 % interval of independent replications' values.

    Args:
        values: One figure per replication (at least one).

    Returns:
        The estimate; with one value the interval is the value itself.

    Raises:
        ValueError: When ``values`` is empty.
    """
    n = len(values)
    if n == 0:
        raise ValueError("an estimate needs at least one value")
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, mean, mean, 0.0, 1)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = t95(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, sd, n)


def _phi(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def power_against_bias(rel_se: float, n: int, bias: float = 0.05) -> float:
    """Probability that a 95 % t interval misses the true value when the estimate is biased.

    The estimator is taken as normal with mean (1 + bias) times the true value and relative
    standard error ``rel_se``; the interval is built from ``n`` replications. The statistic
    (mean - true) / (s / sqrt(n)) is then a noncentral t with n - 1 degrees of freedom and
    noncentrality delta = bias / rel_se; its tails beyond the t quantile are computed with
    the normal approximation of the noncentral t (Abramowitz & Stegun 26.7.10):
    P(T > t) = Phi((delta - t (1 - 1/(4 df))) / sqrt(1 + t^2 / (2 df))).

    Args:
        rel_se: Standard error of the replications' mean relative to the true value.
        n: Number of replications (at least 2).
        bias: Relative bias to detect (0.05 for 5 %).

    Returns:
        The probability that the true value lies outside the interval.

    Raises:
        ValueError: When n < 2 or rel_se is not positive.
    """
    if n < 2:
        raise ValueError("power needs at least two replications")
    if not rel_se > 0.0:
        raise ValueError(f"rel_se must be positive, got {rel_se!r}")
    df = n - 1
    t = t95(df)
    delta = abs(bias) / rel_se
    scale = math.sqrt(1.0 + t * t / (2.0 * df))
    shift = t * (1.0 - 1.0 / (4.0 * df))
    return _phi((delta - shift) / scale) + _phi((-delta - shift) / scale)


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One predicted quantity beside its simulated estimate.

    Attributes:
        quantity: What is compared, e.g. ``"Wq server"`` (mean channel wait of system
            ``server``), ``"Wq server stat"``, ``"p95 Wq server"``, ``"Lq server"``,
            ``"Wq transform"``, ``"latency orders"``.
        predicted: The closed-form value.
        simulated_mean: Mean over the replications.
        ci_low: Lower end of the t-based 95 % interval over the replications.
        ci_high: Upper end of that interval.
        rel_error: (simulated_mean - predicted) / predicted.
        unit: ``"s"`` or ``"msgs"``.
        note: What the reader should know, e.g. that a percentile comes from a histogram
            within 1 %, or that the prediction is an approximation.
        exact: Whether the prediction is exact for the model (False for approximations).
    """

    quantity: str
    predicted: float
    simulated_mean: float
    ci_low: float
    ci_high: float
    rel_error: float
    unit: str = "s"
    note: str = ""
    exact: bool = True

    @property
    def inside_ci(self) -> bool:
        """Whether the prediction lies inside the simulated interval."""
        return self.ci_low <= self.predicted <= self.ci_high


@dataclass
class TheoryReport:
    """Predictions and simulated figures for one scenario.

    Attributes:
        scenario: The scenario's name.
        title: Its title.
        closed_form: Whether the scenario has a closed form; when False, ``reasons`` says
            why and nothing was run.
        reasons: Every reason the scenario has no closed form (empty when it has one).
        model: One line per station: which queue it is and which formula applies.
        notes: Caveats of the comparison (approximations, a zero warm-up, few replications).
        replications: Replications run (0 when nothing was run).
        rows: One row per predicted quantity.
    """

    scenario: str
    title: str
    closed_form: bool
    reasons: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replications: int = 0
    rows: list[Row] = field(default_factory=list)

    @property
    def max_rel_error(self) -> float | None:
        """The largest absolute relative error over the rows (None without rows)."""
        errors = [abs(r.rel_error) for r in self.rows if not math.isnan(r.rel_error)]
        return max(errors) if errors else None

    def within(self, tolerance: float = 0.05) -> bool:
        """Whether every row has a relative error below ``tolerance`` (False without rows)."""
        worst = self.max_rel_error
        return worst is not None and worst < tolerance


# -- predictions -----------------------------------------------------------------------------


Measure = Callable[[World, "_Snapshot"], float | None]
"""Reads one figure off a finished replication (None when it has no value)."""


@dataclass(frozen=True)
class Predicted:
    """One quantity the theory predicts and how to read it off a replication.

    Attributes:
        quantity: Its name in the report (see :class:`Row`).
        value: The predicted value.
        unit: ``"s"`` or ``"msgs"``.
        note: A caveat for the reader ("" when none).
        exact: False when the value comes from an approximation.
        measure: Reads the simulated figure off a finished replication.
    """

    quantity: str
    value: float
    unit: str
    note: str
    exact: bool
    measure: Measure = field(repr=False, compare=False)


@dataclass
class Prediction:
    """What the theory says about a scenario before anything runs.

    Attributes:
        closed_form: Whether every station has a closed form.
        reasons: Why not, one line each (empty when it does).
        model: One line per station describing the queue and the formula.
        notes: Caveats (approximations, zero warm-up).
        quantities: The predicted quantities (empty when there is no closed form).
    """

    closed_form: bool
    reasons: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quantities: list[Predicted] = field(default_factory=list)


@dataclass
class _Snapshot:
    """Integrals of the waiting lines at the end of the warm-up, for post-warm-up averages."""

    at: float = 0.0
    created: int = 0
    transform_area: float = 0.0
    lane_area: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Lane:
    """A waiting line with its connections, as the theory sees it."""

    id: str
    servers: int
    discipline: str
    """The name of the lane's discipline (its channel's, or the engine's when shared)."""
    flows: tuple[str, ...]
    class_rates: tuple[float, ...]
    class_means: tuple[float, ...]
    class_second: tuple[float, ...]
    exponential: bool
    """Every message's service time is exponential with one common mean."""
    one_service: bool
    """Every message's service time has the same distribution (one system, or equal acks)."""

    @property
    def rate(self) -> float:
        """Total arrival rate (per second)."""
        return math.fsum(self.class_rates)

    @property
    def mean(self) -> float:
        """Mean service time over all classes (seconds)."""
        return (
            math.fsum(r * m for r, m in zip(self.class_rates, self.class_means, strict=True))
            / self.rate
        )

    @property
    def scv(self) -> float:
        """Squared coefficient of variation of the service time over all classes."""
        second = (
            math.fsum(r * s for r, s in zip(self.class_rates, self.class_second, strict=True))
            / self.rate
        )
        return max(0.0, second / self.mean**2 - 1.0)


@dataclass(frozen=True)
class _LaneTheory:
    """The predicted waits of one lane."""

    waits: tuple[float, ...]
    """Mean wait of each class index (every class the same unless by priority)."""
    p95: float | None
    exact: bool
    label: str


def _flat(values: Sequence[float]) -> bool:
    return max(values) - min(values) <= 1e-12 * max(abs(v) for v in values)


def _is_exponential(dist: Distribution) -> bool:
    return isinstance(dist, Exponential) or (isinstance(dist, Gamma) and dist.cv == 1.0)


def _second_moment(dist: Distribution) -> float:
    return dist.mean**2 * (1.0 + dist.scv)


def ack_tail(dist: Distribution, t: float) -> float:
    """An upper bound on P(draw > t) (exact where the distribution allows it).

    Args:
        dist: The ack distribution.
        t: The timeout (seconds).

    Returns:
        P(X > t) for exponential, constant, lognormal, uniform and empirical draws; a Chernoff
        bound for gamma; Cantelli's bound for any other distribution.
    """
    if isinstance(dist, Exponential):
        return math.exp(-t / dist.mean)
    if isinstance(dist, Constant):
        return 1.0 if dist.value > t else 0.0
    if isinstance(dist, Lognormal):
        return 0.5 * math.erfc((math.log(t) - dist.mu) / (dist.sigma * math.sqrt(2.0)))
    if isinstance(dist, UniformDist):
        return min(1.0, max(0.0, (dist.high - t) / (dist.high - dist.low)))
    if isinstance(dist, Empirical):
        return sum(1 for v in dist.values if v > t) / len(dist.values)
    if isinstance(dist, Gamma):
        shape, scale = 1.0 / dist.scv, dist.mean * dist.scv
        if t <= dist.mean:
            return 1.0
        return min(1.0, math.exp(shape * (1.0 + math.log(t / (shape * scale))) - t / scale))
    var = dist.scv * dist.mean**2
    return 1.0 if t <= dist.mean else var / (var + (t - dist.mean) ** 2)


def _flow_rate(scenario: Scenario, flow: Flow) -> float:
    """A flow's constant rate (per second): rate x the flat week's multiplier."""
    assert flow.rate is not None
    week = flow.week or scenario.week
    return flow.rate * week[0]


def _say(noun: str, ids: Sequence[str], one: str, many: str, tail: str) -> str:
    """'flow a is x (tail)' or 'flows a, b are x (tail)'; '' when there are no ids."""
    if not ids:
        return ""
    text = f"{noun} {ids[0]} {one}" if len(ids) == 1 else f"{noun}s {', '.join(ids)} {many}"
    return f"{text} {tail}".rstrip()


def _reasons(scenario: Scenario) -> list[str]:
    """Everything that keeps the scenario's channels from being M/G/c queues."""
    reasons: list[str] = []
    horizon = scenario.horizon or math.inf
    active = [f for f in scenario.faults if f.at < horizon]
    if active:
        kinds = ", ".join(dict.fromkeys(f.kind for f in active))
        reasons.append(f"faults are scheduled ({kinds})")
    if not scenario.flows:
        reasons.append("the scenario has no flows")
    if not _flat(scenario.profile) and any(f.profile is None for f in scenario.flows.values()):
        reasons.append("profile is not flat (the arrival rate changes hour by hour)")
    if not _flat(scenario.week) and any(f.week is None for f in scenario.flows.values()):
        reasons.append("week is not flat (the arrival rate changes day by day)")
    flows = scenario.flows
    traced = [fid for fid, f in flows.items() if f.trace is not None]
    replied = [fid for fid, f in flows.items() if f.trace is None and f.rate is None]
    shaped = [fid for fid, f in flows.items() if f.profile is not None and not _flat(f.profile)]
    weekly = [fid for fid, f in flows.items() if f.week is not None and not _flat(f.week)]
    reasons += [
        _say("flow", traced, "replays a trace", "replay traces", "(not Poisson arrivals)"),
        _say("flow", replied, "is created by replies", "are created by replies",
             "(not Poisson arrivals)"),
        _say("flow", shaped, "has its own profile, not flat", "have their own profiles, not flat",
             ""),
        _say("flow", weekly, "has its own week, not flat", "have their own weeks, not flat", ""),
    ]  # fmt: skip
    receivers = list(dict.fromkeys(f.to for f in flows.values()))
    capacity = [sid for sid in receivers if scenario.systems[sid].capacity is not None]
    reasons.append(
        _say("system", capacity, "has a filing capacity", "have a filing capacity",
             "(a second server, shared by the connections)")
    )  # fmt: skip
    late = []
    for sid in receivers:
        system = scenario.systems[sid]
        tail = ack_tail(system.ack, system.timeout)
        if tail > TIMEOUT_TAIL:
            late.append(f"{sid} (P(ack > timeout) = {tail:.2g})")
    reasons.append(
        _say("system", late, "has a timeout", "have timeouts",
             "not far above the ack draws: some sends would time out and be retried")
    )  # fmt: skip
    reasons = [r for r in reasons if r]
    return reasons + _strategy_reasons(scenario, receivers)


def _channel_reasons(scenario: Scenario, sid: str) -> list[str]:
    """What keeps one channel, under its effective strategy, from being an M/G/c queue."""
    reasons: list[str] = []
    strategy = scenario.channel_strategy(sid)
    name = strategy.discipline.name
    if name == "codel":
        reasons.append("discipline codel sheds messages that waited too long")
    elif name not in ("fifo", "lifo", "priority", "fair"):
        reasons.append(f"discipline {name} has no closed form here")
    if strategy.order == "per-patient":
        reasons.append("order per-patient holds a message back behind its patient's older one")
    elif strategy.order == "strict":
        if strategy.queues == "shared":
            reasons.append("order strict on a shared queue blocks every worker behind one message")
        elif name != "fifo":
            reasons.append(f"order strict with discipline {name} holds messages out of order")
        elif not isinstance(scenario.engine.transform, Constant):
            reasons.append(
                "order strict behind a transform of varying length holds messages that "
                "overtook an older one"
            )
    if strategy.drain is not None:
        reasons.append("strategy.drain limits the rate of sends (a token bucket)")
    if strategy.expire is not None:
        reasons.append("strategy.expire takes long-waiting messages out of the queue")
    if strategy.queues == "per-flow":
        flows = [fid for fid, f in scenario.flows.items() if f.to == sid]
        if len(flows) > 1:
            reasons.append(
                f"queues per-flow: the lanes of flows {', '.join(flows)} take turns on the "
                "connections of their system, which has no closed form per flow"
            )
    return reasons


def _strategy_reasons(scenario: Scenario, receivers: Sequence[str]) -> list[str]:
    """Each channel's strategy reasons; one that holds only on some channels names them."""
    on: dict[str, list[str]] = {}
    for sid in receivers:
        for reason in _channel_reasons(scenario, sid):
            on.setdefault(reason, []).append(sid)
    return [
        reason
        if len(sids) == len(receivers)
        else f"{reason} (channel{'s' * (len(sids) > 1)} {', '.join(sids)})"
        for reason, sids in on.items()
    ]


def _lanes(scenario: Scenario) -> list[_Lane]:
    """The scenario's lanes with their traffic by class and the moments of their service.

    Under `per-flow` queues each flow's lane is the only one to its system here (more lanes to
    one system share its connections and have no closed form: see `_channel_reasons`).
    """
    strategy = scenario.strategy
    flows = scenario.flows

    def servers(sid: str) -> int:
        strict = scenario.channel_strategy(sid).order == "strict"
        return 1 if strict else scenario.systems[sid].connections

    groups: dict[str, list[str]] = {}
    if strategy.queues == "shared":
        groups["shared"] = list(flows)
    elif strategy.queues == "per-destination":
        for fid, flow in flows.items():
            groups.setdefault(flow.to, []).append(fid)
    else:
        groups = {fid: [fid] for fid in flows}
    lanes = []
    for lane_id, members in groups.items():
        systems = list(dict.fromkeys(flows[f].to for f in members))
        lane_strategy = strategy if strategy.queues == "shared" else None
        discipline = (lane_strategy or scenario.channel_strategy(systems[0])).discipline.name
        rates, means, second = [], [], []
        for name in CLASSES:
            parts = [
                (_flow_rate(scenario, flows[f]) * flows[f].priority.get(name, 0.0), flows[f].to)
                for f in members
            ]
            total = math.fsum(r for r, _ in parts)
            rates.append(total)
            if total > 0:
                weighted = [(r, scenario.systems[s].ack) for r, s in parts]
                means.append(math.fsum(r * d.mean for r, d in weighted) / total)
                second.append(math.fsum(r * _second_moment(d) for r, d in weighted) / total)
            else:  # an empty class: any positive service, it carries no load
                ack = scenario.systems[systems[0]].ack
                means.append(ack.mean)
                second.append(_second_moment(ack))
        acks = [scenario.systems[s].ack for s in systems]
        exponential = all(_is_exponential(d) for d in acks) and _flat([d.mean for d in acks])
        lanes.append(
            _Lane(
                lane_id,
                sum(servers(sid) for sid in systems),
                discipline,
                tuple(members),
                tuple(rates),
                tuple(means),
                tuple(second),
                exponential,
                len(set(acks)) == 1,
            )
        )
    return lanes


def _lane_theory(lane: _Lane, discipline: str) -> _LaneTheory | str:
    """The lane's predicted waits, or why it has none."""
    lam, c, mean, scv = lane.rate, lane.servers, lane.mean, lane.scv
    rho = lam * mean / c
    if rho >= 1.0:
        return f"lane {lane.id} is overloaded (rho = {rho:.3g} >= 1): no steady state"
    n = len(CLASSES)
    if discipline == "priority":
        if c == 1:
            scvs = [
                max(0.0, s / m**2 - 1.0)
                for m, s in zip(lane.class_means, lane.class_second, strict=True)
            ]
            waits = cobham_mg1_waits(lane.class_rates, lane.class_means, scvs)
            return _LaneTheory(waits, None, True, "non-preemptive priority M/G/1 (Cobham)")
        if lane.exponential:
            waits = cobham_mmc_waits(lane.class_rates, 1.0 / mean, c)
            return _LaneTheory(waits, None, True, f"non-preemptive priority M/M/{c} (Cobham)")
        return (
            f"lane {lane.id}: priority classes on {c} connections with non-exponential ack "
            "times have no closed form"
        )
    if discipline == "fair" and not lane.one_service:
        return f"lane {lane.id}: fair queueing between flows with different ack times"
    fifo = discipline == "fifo"
    if lane.exponential:
        wq = mmc(lam, 1.0 / mean, c).wq
        p95 = mmc_wait_quantile(lam, 1.0 / mean, c, QUANTILE) if fifo else None
        return _LaneTheory((wq,) * n, p95 or None, True, f"M/M/{c} (Erlang C)")
    if c == 1:
        kind = "M/D/1" if scv == 0.0 else "M/G/1"
        return _LaneTheory(
            (mg1(lam, mean, scv).wq,) * n, None, True, f"{kind} (Pollaczek-Khinchine)"
        )
    wq = mgc_allen_cunneen(lam, mean, c, scv).wq
    return _LaneTheory((wq,) * n, None, False, f"M/G/{c} (Allen-Cunneen approximation)")


def _hist_mean(hists: Sequence[Histogram]) -> float | None:
    count = sum(h.count for h in hists)
    return math.fsum(h.total for h in hists) / count if count else None


def _merged(hists: Sequence[Histogram]) -> Histogram:
    merged = Histogram()
    for h in hists:
        merged.merge(h)
    return merged


def _transform(scenario: Scenario, lam: float) -> tuple[float | None, str, str | None]:
    """(predicted Wq of the transform station or None if it never queues, model line, reason)."""
    engine = scenario.engine
    dist, cores = engine.transform, engine.cores
    a = lam * dist.mean
    head = f"transform: {cores} cores x {dist.text()}"
    if a >= cores:
        return None, head, f"the transform station is overloaded (rho = {a / cores:.3g} >= 1)"
    p_wait = erlang_c(cores, a)
    if p_wait < TRANSFORM_DELAY:
        return None, f"{head}: P(wait) = {p_wait:.2g}, a pure delay (Poisson in, Poisson out)", None
    if _is_exponential(dist):
        wq = mmc(lam, 1.0 / dist.mean, cores).wq
        line = (
            f"{head}: M/M/{cores} (Erlang C), rho = {a / cores:.3f}; its departures are Poisson "
            "(Burke), so the channels behind it are a Jackson tandem"
        )
        return wq, line, None
    return (
        None,
        head,
        f"the transform station queues (P(wait) = {p_wait:.2g}) and its times are not "
        "exponential: the channels do not see Poisson arrivals",
    )


def predict(scenario: Scenario) -> Prediction:
    """Decide whether a scenario has a closed form and, if so, predict its figures.

    Args:
        scenario: A loaded scenario.

    Returns:
        The prediction: ``closed_form`` False with every reason, or the model of each station
        and the predicted quantities with the way to read each one off a replication.
    """
    reasons = _reasons(scenario)
    if reasons:
        return Prediction(False, reasons)
    lam_total = math.fsum(_flow_rate(scenario, f) for f in scenario.flows.values())
    wq1, transform_line, why = _transform(scenario, lam_total)
    if why is not None:
        return Prediction(False, [why])
    lanes = _lanes(scenario)
    theories: dict[str, _LaneTheory] = {}
    for lane in lanes:
        result = _lane_theory(lane, lane.discipline)
        if isinstance(result, str):
            reasons.append(result)
        else:
            theories[lane.id] = result
    if reasons:
        return Prediction(False, reasons)

    out = Prediction(True, model=[transform_line])
    if scenario.warmup == 0.0:
        out.notes.append("warmup is 0: the run starts empty, which biases waits down a little")
    lane_of = {f: lane for lane in lanes for f in lane.flows}
    exact_all = all(t.exact for t in theories.values())
    for lane in lanes:
        th = theories[lane.id]
        rho = lane.rate * lane.mean / lane.servers
        out.model.append(
            f"lane {lane.id}: {th.label}, lambda = {lane.rate:.6g}/s, E[S] = {lane.mean:.6g} s, "
            f"scv = {lane.scv:.3g}, c = {lane.servers}, rho = {rho:.3f}"
        )
        if not th.exact:
            out.notes.append(f"lane {lane.id}: {th.label}: expect errors of a few per cent")
    for discipline in dict.fromkeys(lane.discipline for lane in lanes):
        if discipline in ("lifo", "fair"):
            out.notes.append(
                f"discipline {discipline}: the mean wait equals FIFO's (conservation law); its "
                "distribution differs, so no percentile is predicted"
            )
    flows = scenario.flows
    transform_mean = scenario.engine.transform.mean

    def flow_class_wait(fid: str, k: int) -> float:
        return theories[lane_of[fid].id].waits[k]

    def class_rate(fid: str, k: int) -> float:
        return _flow_rate(scenario, flows[fid]) * flows[fid].priority.get(CLASSES[k], 0.0)

    def note(exact: bool) -> str:
        return "" if exact else "approximation"

    qs = out.quantities
    if wq1 is not None:
        qs.append(Predicted("Wq transform", wq1, "s", "", True, _transform_wait))
        qs.append(Predicted("Lq transform", lam_total * wq1, "msgs", "", True, _transform_lq))
    receivers = list(dict.fromkeys(f.to for f in flows.values()))
    for sid in receivers:
        members = [fid for fid, f in flows.items() if f.to == sid]
        exact = all(theories[lane_of[f].id].exact for f in members)
        total = math.fsum(class_rate(f, k) for f in members for k in range(len(CLASSES)))
        wait = (
            math.fsum(
                class_rate(f, k) * flow_class_wait(f, k)
                for f in members
                for k in range(len(CLASSES))
            )
            / total
        )
        qs.append(Predicted(f"Wq {sid}", wait, "s", note(exact), exact, _channel_wait(sid)))
        if all(lane_of[f].discipline == "priority" for f in members):
            for k, name in enumerate(CLASSES):
                rate_k = math.fsum(class_rate(f, k) for f in members)
                if rate_k > 0:
                    w_k = math.fsum(class_rate(f, k) * flow_class_wait(f, k) for f in members)
                    qs.append(
                        Predicted(
                            f"Wq {sid} {name}",
                            w_k / rate_k,
                            "s",
                            note(exact),
                            exact,
                            _channel_wait(sid, k),
                        )
                    )
        lanes_here = {lane_of[f].id for f in members}
        if len(lanes_here) == 1:
            p95 = theories[lanes_here.pop()].p95
            if p95 is not None:
                qs.append(
                    Predicted(
                        f"p95 Wq {sid}",
                        p95,
                        "s",
                        "histogram percentile: within 1 %",
                        True,
                        _channel_p95(sid),
                    )
                )
    for lane in lanes:
        th = theories[lane.id]
        lq = math.fsum(r * w for r, w in zip(lane.class_rates, th.waits, strict=True))
        qs.append(
            Predicted(
                f"Lq {lane.id}",
                lq,
                "msgs",
                "Little: lambda Wq" if th.exact else "approximation",
                th.exact,
                _lane_lq(lane.id),
            )
        )
    for fid, flow in flows.items():
        service = scenario.systems[flow.to].ack.mean
        base = transform_mean + (wq1 or 0.0) + service
        exact = theories[lane_of[fid].id].exact
        shares = [flow.priority.get(name, 0.0) for name in CLASSES]
        mean_wait = math.fsum(s * flow_class_wait(fid, k) for k, s in enumerate(shares))
        qs.append(
            Predicted(f"latency {fid}", base + mean_wait, "s", note(exact), exact, _latency(fid))
        )
        if lane_of[fid].discipline == "priority" and sum(1 for s in shares if s > 0) > 1:
            for k, name in enumerate(CLASSES):
                if shares[k] > 0:
                    qs.append(
                        Predicted(
                            f"latency {fid} {name}",
                            base + flow_class_wait(fid, k),
                            "s",
                            note(exact),
                            exact,
                            _latency(fid, k),
                        )
                    )
    if not exact_all:
        out.notes.append("rows marked 'approximation' are not expected to agree within 5 %")
    return out


# -- reading a replication -------------------------------------------------------------------


def _channel_wait(sid: str, cls: int | None = None) -> Measure:
    def measure(world: World, _snap: _Snapshot) -> float | None:
        waits = world.channels[sid].waits
        return _hist_mean(waits if cls is None else [waits[cls]])

    return measure


def _channel_p95(sid: str) -> Measure:
    def measure(world: World, _snap: _Snapshot) -> float | None:
        return _merged(world.channels[sid].waits).quantile(QUANTILE)

    return measure


def _latency(fid: str, cls: int | None = None) -> Measure:
    def measure(world: World, _snap: _Snapshot) -> float | None:
        hists = world.flows[fid].latency
        return _hist_mean(hists if cls is None else [hists[cls]])

    return measure


def _lane_lq(lane_id: str) -> Measure:
    def measure(world: World, snap: _Snapshot) -> float | None:
        span = world.end - snap.at
        if span <= 0:
            return None
        return (world.lanes[lane_id].area - snap.lane_area[lane_id]) / span

    return measure


def _transform_wait(world: World, snap: _Snapshot) -> float | None:
    """Little's law over the measured window: area of the line / messages that entered it."""
    entered = world.count.created - snap.created
    return (world.engine.area - snap.transform_area) / entered if entered else None


def _transform_lq(world: World, snap: _Snapshot) -> float | None:
    span = world.end - snap.at
    return (world.engine.area - snap.transform_area) / span if span > 0 else None


def _take_snapshot(world: World, snap: _Snapshot) -> None:
    """Record the waiting lines' integrals now (the end of the warm-up)."""
    now = world.env.now
    snap.at = now
    snap.created = world.count.created
    engine = world.engine
    snap.transform_area = engine.area + len(engine.queue) * (now - engine.last)
    for lane_id, lane in world.lanes.items():
        snap.lane_area[lane_id] = lane.area + lane.n * (now - lane.last)


def _replicate(
    scenario: Scenario, index: int, progress: Progress | None
) -> tuple[World, _Snapshot]:
    world = World(scenario, index)
    snap = _Snapshot()
    if scenario.warmup > 0:
        Timeout(world.env, scenario.warmup).callbacks.append(
            lambda _ev: _take_snapshot(world, snap)
        )
    else:
        snap.lane_area = dict.fromkeys(world.lanes, 0.0)
    world.run(progress=(lambda t: progress(index, t)) if progress is not None else None)
    return world, snap


def theory_report(
    scenario: Scenario, replications: int | None = None, progress: Progress | None = None
) -> TheoryReport:
    """Predict a scenario's figures and compare them with replications of the engine.

    Args:
        scenario: A loaded scenario.
        replications: Replications to run; by default the scenario's ``replications``, at
            least :data:`MIN_REPLICATIONS`.
        progress: Called with (replication index, simulated seconds reached) as runs advance.

    Returns:
        The report. When the scenario has no closed form, ``closed_form`` is False,
        ``reasons`` lists why, and nothing is run.

    Raises:
        ValueError: When ``replications`` is below 1 or the scenario has no horizon.
    """
    report = TheoryReport(scenario.name, scenario.title, closed_form=False)
    prediction = predict(scenario)
    report.reasons = list(prediction.reasons)
    if not prediction.closed_form:
        return report
    if scenario.horizon is None:
        raise ValueError(f"scenario {scenario.name!r} has no horizon")
    n = max(scenario.replications, MIN_REPLICATIONS) if replications is None else replications
    if n < 1:
        raise ValueError(f"replications must be at least 1, got {n}")
    report.closed_form = True
    report.model = list(prediction.model)
    report.notes = list(prediction.notes)
    if n == 1:
        report.notes.append("one replication: no confidence interval")
    values: list[list[float]] = [[] for _ in prediction.quantities]
    for index in range(n):
        world, snap = _replicate(scenario, index, progress)
        for i, q in enumerate(prediction.quantities):
            value = q.measure(world, snap)
            if value is not None:
                values[i].append(value)
    report.replications = n
    for q, vals in zip(prediction.quantities, values, strict=True):
        if not vals:
            report.notes.append(f"{q.quantity}: no message was measured")
            continue
        est = estimate(vals)
        rel = (est.mean - q.value) / q.value if q.value else math.nan
        report.rows.append(
            Row(
                q.quantity, q.value, est.mean, est.ci_low, est.ci_high, rel, q.unit, q.note, q.exact
            )
        )
    return report
