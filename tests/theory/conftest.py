"""Shared runs of the real engine for the validation suite, and its statistical checks.

Every figure here comes from `World(scenario, replication=r).run()` on a scenario loaded from
`scenarios/theory/`, with `--set` overlays for the run length (and, for the M/M/c grid, the load
and the number of connections): the same code path as `ehrsim run`. A session-wide cache lets
the Ciw cross-validation reuse the replications that the theory checks ran.

Run lengths: the engine does about 70,000 messages per CPU-second here. The precision of a
mean wait from N messages is sd/mean ~ sqrt(kappa / N), where kappa was measured on this engine
(10 replications per point; it grows like 1 / (1 - rho)^2):

    M/M/1 rho 0.5: 37   M/M/2 rho 0.7: 54   M/M/3 rho 0.8: 169   M/M/1 rho 0.9: 680
    M/M/4 rho 0.9: 1,030   M/M/10 rho 0.9: 1,540   priority routine (rho 0.8): 160
    tandem channel (rho 0.8): 160   M/G/1 lognormal cv 1.5 (rho 0.7): 390   M/D/1 (rho 0.8): 65

Each configuration below says how many messages it measures and the relative standard error
that follows. Warm-ups are short but many relaxation times long (1 / (mu (1 - sqrt rho)^2) is
9 s at rho = 0.8 and 38 s at rho = 0.9 with a 100 ms service), so the empty start leaves no
measurable bias, and the runs spend their messages on measurement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest
from simpy.events import Timeout

from sim.experiments.theory import Estimate, estimate, power_against_bias
from sim.metrics.histogram import Histogram
from sim.metrics.stats import t95
from sim.model.world import World
from sim.scenario import load_scenario

REPLICATIONS = 10
"""Replications per configuration: a t interval with 9 degrees of freedom (t = 2.262)."""
TOLERANCE = 0.05
"""Largest relative error the suite accepts between a simulated mean and its prediction."""
MIN_POWER = 0.5
"""Least power against a 5 % bias, from the observed spread, that a check may have."""
LITTLE_TOLERANCE = 1e-9
"""Largest relative gap in the finite-horizon Little identity (float rounding only)."""


@dataclass
class Figures:
    """What the suite reads off one replication (the World itself is dropped).

    Attributes:
        waits: Mean channel wait per class index (None where no message of that class).
        wait: Mean channel wait over all classes.
        p95: 95th percentile of the channel wait (histogram, within 1 %).
        counts: Messages measured per class.
        latency: Mean creation-to-ACK latency of the flow over all classes.
        class_latency: Mean latency per class index.
        transform_wait: Mean wait at the transform station after the warm-up, by Little's
            law over the measured window (area of its line / messages that entered).
        little: Relative gap of the finite-horizon Little identity per queue.
        times: Backlog sampling times (s).
        backlog: The channel's backlog samples (`queue.server`).
        created: Messages created.
    """

    waits: list[float | None]
    wait: float
    p95: float
    counts: list[int]
    latency: float
    class_latency: list[float | None]
    transform_wait: float
    little: dict[str, float]
    times: np.ndarray = field(repr=False)
    backlog: np.ndarray = field(repr=False)
    created: int = 0


def _merged(hists: Sequence[Histogram]) -> Histogram:
    merged = Histogram()
    for h in hists:
        merged.merge(h)
    return merged


def little_gap(area: float, wait_sum: float, enq_times: Sequence[float], end: float) -> float:
    """Relative gap of area = sum of waits clipped to the horizon, for one queue.

    Args:
        area: Integral of the line length over the run (message-seconds).
        wait_sum: Total wait of the messages that left the line.
        enq_times: When each message still in the line at the end joined it.
        end: End of the run (s).

    Returns:
        |area - (wait_sum + sum(end - enq))| / max(area, 1).
    """
    residual = math.fsum(end - t for t in enq_times)
    return abs(area - (wait_sum + residual)) / max(area, 1.0)


def run_figures(ref: str, sets: Sequence[str], replication: int) -> Figures:
    """Run one replication of a scenario with overlays and read the suite's figures off it."""
    scenario = load_scenario(ref, sets=list(sets))
    world = World(scenario, replication)
    mark: dict[str, float] = {"area": 0.0, "created": 0.0}

    def at_warmup(_ev: Timeout) -> None:
        engine, now = world.engine, world.env.now
        mark["area"] = engine.area + len(engine.queue) * (now - engine.last)
        mark["created"] = world.count.created

    Timeout(world.env, scenario.warmup).callbacks.append(at_warmup)
    world.run()
    end, engine = world.end, world.engine
    channel = next(iter(world.channels.values()))
    flow = next(iter(world.flows.values()))
    merged = _merged(channel.waits)
    little = {
        f"lane {lid}": little_gap(lane.area, lane.wait_sum, [m.enq_at for m in lane.queue], end)
        for lid, lane in world.lanes.items()
    }
    little["transform"] = little_gap(
        engine.area, engine.wait_sum, [m.enq_at for m in engine.queue], end
    )
    entered = world.count.created - mark["created"]
    column = next(c for name, c in world.samples.columns.items() if name.startswith("queue."))
    return Figures(
        waits=[h.mean for h in channel.waits],
        wait=float(merged.mean or 0.0),
        p95=float(merged.quantile(0.95) or 0.0),
        counts=[h.count for h in channel.waits],
        latency=float(_merged(flow.latency).mean or 0.0),
        class_latency=[h.mean for h in flow.latency],
        transform_wait=(engine.area - mark["area"]) / entered if entered else 0.0,
        little=little,
        times=np.asarray(world.samples.time_s),
        backlog=np.asarray(column, dtype=float),
        created=world.count.created,
    )


CONFIGS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (scenario, --set overlays); measured messages per replication in the comment.
    # M/M/1 at rho 0.5: 6,000 s x 5/s = 30,000 (300,000 in all): relative se ~1.2 %.
    "mm1-rho50": (
        "theory/mm3",
        ("flows.orders.rate=5/s", "systems.server.connections=1", "warmup=3min", "horizon=1h43min"),
    ),
    # M/M/2 at rho 0.7: 4,260 s x 14/s = 59,640 (596,400): relative se ~1.1 %.
    "mm2-rho70": (
        "theory/mm3",
        (
            "flows.orders.rate=14/s",
            "systems.server.connections=2",
            "warmup=3min",
            "horizon=1h14min",
        ),
    ),
    # M/M/3 at rho 0.8 (the shipped file): 2,760 s x 24/s = 66,240 (662,400): ~1.6 %.
    "mm3-rho80": ("theory/mm3", ("warmup=5min", "horizon=51min")),
    # M/M/1 at rho 0.9: 20,100 s x 9/s = 180,900 (1.81 million): ~1.9 %.
    "mm1-rho90": (
        "theory/mm3",
        (
            "flows.orders.rate=9/s",
            "systems.server.connections=1",
            "warmup=10min",
            "horizon=5h45min",
        ),
    ),
    # M/D/1 at rho 0.8: 3,300 s x 8/s = 26,400 (264,000): ~1.6 %.
    "mg1-constant": ("theory/mg1-constant", ("warmup=5min", "horizon=1h")),
    # M/G/1, lognormal cv 1.5, rho 0.7: 7,500 s x 7/s = 52,500 (525,000): ~2.7 %.
    "mg1-lognormal": ("theory/mg1-lognormal", ("warmup=5min", "horizon=2h10min")),
    # Priority M/M/1 at rho 0.8: 7,500 s x 8/s = 60,000 (600,000): routine ~1.6 %.
    "priority": ("theory/priority", ("warmup=5min", "horizon=2h10min")),
    # Tandem M/M/2 -> M/M/2: 6,000 s x 10/s = 60,000 (600,000): channel ~1.6 %, transform ~1.1 %.
    "tandem": ("theory/tandem", ("warmup=5min", "horizon=1h45min")),
    # The stall world as shipped: 12,000 messages a replication.
    "stall": ("theory/stall", ()),
}
"""The suite's engine configurations; the Ciw cross-validation reuses the same runs."""
SLOW_CONFIGS = frozenset({"mm1-rho90"})
"""Configurations whose checks run in the slow profile only (1.8 million messages, 16 s in pure
Python, for the weakest check of the set: see test_validation.py)."""


class EngineRuns:
    """Replications of the engine, run once per session and shared between tests."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, tuple[str, ...], int], Figures] = {}

    def __call__(self, ref: str, sets: Sequence[str] = (), stage: int = 0) -> list[Figures]:
        """Stage `stage` of `ref` with `sets`: replications 10 stage .. 10 stage + 9."""
        first = stage * REPLICATIONS
        out = []
        for index in range(first, first + REPLICATIONS):
            key = (ref, tuple(sets), index)
            if key not in self._cache:
                self._cache[key] = run_figures(ref, sets, index)
            out.append(self._cache[key])
        return out

    def config(self, name: str, stage: int = 0) -> list[Figures]:
        """A stage of one of the suite's named configurations (see CONFIGS)."""
        ref, sets = CONFIGS[name]
        return self(ref, sets, stage)


@pytest.fixture(scope="session")
def engine() -> EngineRuns:
    """The session's engine runs (cached by scenario, overlays and replication index)."""
    return EngineRuns()


Stages = Callable[[int], Sequence[float]]
"""Stage index -> one figure per replication of that stage (0: the first ten, 1: ten fresh)."""


@dataclass(frozen=True)
class Verdict:
    """One stage of a check against theory."""

    estimate: Estimate
    ok: bool
    detail: str


def judge(
    values: Sequence[float], predicted: float, label: str, tolerance: float, resolution: float
) -> Verdict:
    """Whether replications agree with a prediction: inside the 95 % CI and within `tolerance`."""
    est = estimate(values)
    rel = (est.mean - predicted) / predicted
    inside = abs(est.mean - predicted) <= est.half_width + resolution * abs(predicted)
    power = _power(est.rel_se, est.n)
    detail = (
        f"{label}: predicted {predicted:.6g}, simulated {est.mean:.6g} "
        f"[{est.ci_low:.6g}, {est.ci_high:.6g}] (n = {est.n}), error {rel:+.2%}, "
        f"relative se {est.rel_se:.2%}, power against a 5 % bias {power:.2f}"
        + ("" if inside else ", OUTSIDE the 95 % CI")
    )
    return Verdict(est, inside and abs(rel) < tolerance, detail)


def assert_agrees(
    stages: Stages,
    predicted: float,
    label: str,
    *,
    tolerance: float = TOLERANCE,
    resolution: float = 0.0,
    min_power: float = MIN_POWER,
) -> Estimate:
    """Assert that replications agree with a prediction, confirming a failure on fresh ones.

    A check passes when the prediction lies inside the t-based 95 % interval of the first ten
    replications and their mean is within `tolerance` of it. When it does not, ten fresh
    replications (indexes 10-19) are judged alone the same way, and the check fails only if
    they disagree too. A correct engine then fails a check with probability about
    0.05 x 0.05 (plus the rarer misses of the 5 % bound), so that the ~20 interval checks of
    the suite together raise a false alarm about 5 % of the time; a biased engine fails it
    with probability power x power (the power of one stage, see power_against_bias).

    Args:
        stages: The figure per replication of stage 0 (replications 0-9) and 1 (10-19).
        predicted: The theory's value.
        label: What is compared (for the failure message).
        tolerance: Largest relative error accepted.
        resolution: Relative measurement resolution added to the interval's half-width (the
            histogram's 1 % for percentiles; 0 for exact means).
        min_power: Least power against a 5 % bias, from the spread of the stage that passed,
            so that shortening the runs cannot make a check silently toothless.

    Returns:
        The estimate of the first stage.
    """
    first = judge(stages(0), predicted, label, tolerance, resolution)
    passed = first
    if not first.ok:
        second = judge(stages(1), predicted, label, tolerance, resolution)
        assert second.ok, (
            f"disagrees on replications 0-9 ({first.detail}) "
            f"and on fresh replications 10-19 ({second.detail})"
        )
        passed = second
        print(f"{first.detail}; dismissed, fresh replications 10-19 agree: {second.detail}")
    else:
        print(first.detail)
    power = _power(passed.estimate.rel_se, passed.estimate.n)
    assert power >= min_power, f"too little power, lengthen the runs: {passed.detail}"
    return first.estimate


@pytest.fixture(scope="session")
def agrees(engine: EngineRuns) -> Callable[..., Estimate]:
    """The check against theory; its first argument is a configuration name or a Stages."""

    def check(
        source: str | Stages, read: Callable[[Figures], float] | None = None, *args, **kwargs
    ) -> Estimate:
        if isinstance(source, str):
            assert read is not None
            name = source

            def stages(stage: int) -> list[float]:
                return [read(f) for f in engine.config(name, stage)]

            return assert_agrees(stages, *args, **kwargs)
        return assert_agrees(source, *args, **kwargs)

    return check


def welch(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float, float]:
    """Difference of two means with its Welch 95 % interval: (diff, low, high, se)."""
    na, nb = len(a), len(b)
    ma, mb = math.fsum(a) / na, math.fsum(b) / nb
    va = math.fsum((x - ma) ** 2 for x in a) / (na - 1) / na
    vb = math.fsum((x - mb) ** 2 for x in b) / (nb - 1) / nb
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1)) if se > 0 else na + nb - 2
    half = t95(max(1, math.floor(df))) * se
    diff = ma - mb
    return diff, diff - half, diff + half, se


def _power(rel_se: float, n: int) -> float:
    """Power against a 5 % bias, NaN when the spread gives none (no spread, infinite values)."""
    return power_against_bias(rel_se, n) if math.isfinite(rel_se) and rel_se > 0 else math.nan


def _compare(ours: Sequence[float], theirs: Sequence[float], label: str) -> tuple[bool, str]:
    endless = [
        f"{name} {sum(not math.isfinite(v) for v in values)} of {len(values)}"
        for name, values in (("ehrsim", ours), ("Ciw", theirs))
        if not all(math.isfinite(v) for v in values)
    ]
    if endless:
        return False, f"{label}: infinite in some replications ({', '.join(endless)})"
    diff, low, high, se = welch(ours, theirs)
    mean_ours = math.fsum(ours) / len(ours)
    mean_theirs = math.fsum(theirs) / len(theirs)
    power = _power(se / abs(mean_theirs), min(len(ours), len(theirs)))
    detail = (
        f"{label}: ehrsim {mean_ours:.6g}, Ciw {mean_theirs:.6g}, difference {diff:+.4g} "
        f"[{low:+.4g}, {high:+.4g}] ({diff / mean_theirs:+.2%}), power against a 5 % "
        f"difference {power:.2f}"
    )
    return low <= 0.0 <= high, detail


def assert_same(ours: Stages, theirs: Stages, label: str) -> str:
    """Assert that ehrsim and Ciw agree: the Welch 95 % CI of their difference holds 0.

    As with `assert_agrees`, a disagreement on the first ten replications of each is confirmed
    or dismissed on ten fresh replications of each, judged alone.

    Args:
        ours: ehrsim's figure per replication, by stage.
        theirs: Ciw's figure per replication, by stage.
        label: What is compared.

    Returns:
        The first stage's comparison, as text (for reports).
    """
    ok, detail = _compare(ours(0), theirs(0), label)
    if not ok:
        ok2, detail2 = _compare(ours(1), theirs(1), label)
        assert ok2, f"the simulators disagree on two sets of replications: {detail}; {detail2}"
        detail = f"{detail}; on fresh replications: {detail2}"
    print(detail)
    return detail


@pytest.fixture(scope="session")
def same() -> Callable[..., str]:
    """The check that ehrsim and Ciw agree (see `assert_same`)."""
    return assert_same


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give a test that asks for `config_name` one case per engine configuration."""
    if "config_name" in metafunc.fixturenames:
        cases = [
            pytest.param(name, marks=pytest.mark.slow) if name in SLOW_CONFIGS else name
            for name in CONFIGS
        ]
        metafunc.parametrize("config_name", cases)
