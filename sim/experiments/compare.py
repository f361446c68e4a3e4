"""Comparing variants of a scenario on common random numbers.

Every variant runs the same replication indexes from the same seed. Replication i draws every
random stream from (seed, i) and the stream's name, so as long as a variant does not change the
flows, all variants see the same arrivals, patients, priorities and fault times: the differences
between them are the design's, not the dice's.

For each variant and metric this computes the mean over the replications and the t-based 95 %
interval of the per-replication values, and ranks the variants by the first metric (lower is
better, unless the metric registry says higher), ties broken by the next. Then it judges what
the ranking may claim (:mod:`sim.experiments.verdicts`): whether each variant is
distinguishable from the best by the paired per-replication difference, the Pareto front, the
variants that win by giving work up, and warnings (too few replications, a variant that is the
baseline under another name). It prints nothing and writes nothing: the CLI and the report
layer render a :class:`Comparison`, and notebooks can use it as it is::

    from sim.scenario import load_variants
    from sim.experiments.compare import compare
    result = compare(load_variants("poison-message"), replications=5, jobs=2)
    result.ranking            # ['park-after-3', 'baseline', ...]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.experiments.executors import Executor, LocalExecutor, runs_here
from sim.experiments.figures import Figure, figures, is_recovery_metric, rank
from sim.experiments.run import Progress, ReplicationResult, RunResult, aggregate, replicate
from sim.experiments.verdicts import Verdicts, given_up, judge, scenario_key
from sim.metrics.registry import expand_metrics, metric_problem
from sim.metrics.summary import FORMAT_VERSION

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "DEFAULT_METRICS",
    "CompareProgress",
    "Comparison",
    "Figure",
    "VariantResult",
    "Verdicts",
    "check_metrics",
    "compare",
    "is_recovery_metric",
    "metric_names",
    "parse_variant",
    "rank",
]

DEFAULT_METRICS = (
    "recovery_time_s",
    "peak_backlog",
    "late.stat",
    "order_to_result_all_s.stat.p95",
    "retry_amplification",
    "messages.lost",
    "messages.duplicates",
    "messages.dead_lettered",
    "messages.shed",
    "messages.expired",
    "order_violations",
)
"""The metrics compared unless others are named: recovery, backlog, clinical cost, the price
paid for progress (retries, losses, duplicates, messages given up) and order violations."""

CompareProgress = Callable[[str, int, float], None]
"""(variant name, replication index, simulated seconds reached) -> None."""


def _ids(scenarios: Iterable[Scenario]) -> tuple[list[str], list[str], list[str]]:
    """The destination systems, flows and flows with replies of these scenarios."""
    systems: dict[str, None] = {}
    flows: dict[str, None] = {}
    orders: dict[str, None] = {}
    for scenario in scenarios:
        for fid, flow in scenario.flows.items():
            systems[flow.to] = None
            flows[fid] = None
            if flow.reply is not None:
                orders[fid] = None
    return list(systems), list(flows), list(orders)


def metric_names(scenarios: Iterable[Scenario]) -> list[str]:
    """Every metric name that ``--metric`` accepts for these scenarios.

    The registry's fixed names, and its patterns (``queues.<system>.peak_backlog``,
    ``latency_s.<flow>.<class>.p95``, ...) with each placeholder filled in with the scenarios'
    destination systems, flows (for ``order_to_result_s``: those with replies) and priority
    classes.
    """
    return expand_metrics(*_ids(scenarios))


def check_metrics(metrics: Sequence[str], scenarios: Iterable[Scenario]) -> list[str]:
    """A message for each metric these scenarios' summaries do not have (empty when all do).

    Each message names the metric, says which part of a per-destination or per-flow path is
    wrong, and, when one is close, suggests a metric ("did you mean"), as a hypothesis's
    check does.
    """
    ids = _ids(scenarios)
    problems = []
    if not metrics:
        problems.append("no metric to compare; name one, e.g. --metric recovery_time_s")
    for metric in metrics:
        why = metric_problem(metric, *ids)
        if why is not None:
            problems.append(why)
    seen: set[str] = set()
    for metric in metrics:
        if metric in seen:
            problems.append(f"metric '{metric}' is named twice")
        seen.add(metric)
    return problems


VARIANT_OPTION = "--variant"
"""How errors name a variant given on the command line."""


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """A variant written as a one-key YAML flow mapping: ``NAME: {overlay}``.

    The overlay is the same as a ``compare.<NAME>`` entry of a scenario, e.g.
    ``shared: {strategy: {queues: shared}}``; values keep the text the user wrote.

    Raises:
        ScenarioError: Naming ``--variant``, the variant (when it can be read) and the
            problem: not YAML, not one ``NAME: {overlay}`` pair, a reserved or malformed name,
            an overlay that is not a mapping or that holds ``compare`` or ``extends``.
    """
    from pathlib import Path

    from pydantic_core import PydanticCustomError

    from sim.scenario.errors import Problem, ScenarioError, show
    from sim.scenario.params import parse_overlays
    from sim.scenario.yamlio import read_text

    example = "write NAME: {overlay}, e.g. --variant 'shared: {strategy: {queues: shared}}'"
    guess = text.partition(":")[0].strip()

    def error(name: str, message: str) -> ScenarioError:
        return ScenarioError([Problem(VARIANT_OPTION, None, name, message)])

    try:
        data, _pos = read_text(text, VARIANT_OPTION, Path.cwd(), lines=False)
    except ScenarioError as exc:
        message = exc.problems[0].message if exc.problems else "not valid YAML"
        raise error(guess, f"{show(text)} is not valid YAML ({message}); {example}") from None
    if not text.strip():
        raise error("", f"nothing given; {example}")
    if not isinstance(data, dict) or not data:
        raise error(guess, f"{show(text)} is not NAME: {{overlay}}; {example}")
    if len(data) > 1:
        names = ", ".join(show(k) for k in data)
        raise error("", f"{names}: one variant per --variant; {example}")
    ((name, overlay),) = data.items()
    try:
        parse_overlays({name: overlay})
    except PydanticCustomError as exc:
        context = exc.context or {}
        key = ".".join(str(k) for k in context.get("key", ())[1:])
        where = f"{name}.{key}" if key else str(name)
        raise error(where, str(context.get("message", exc))) from None
    return str(name), dict(overlay)


@dataclass
class VariantResult:
    """A variant's run: its overlay, every replication, and its figures.

    Attributes:
        name: The variant's name (``baseline`` for the scenario itself).
        overlay: What the variant lays over the scenario (``{}`` for the baseline).
        result: The run, as :func:`sim.experiments.run.run` returns it.
        figures: Each compared metric's figure, in the order of the metrics.
    """

    name: str
    overlay: dict[str, Any]
    result: RunResult
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, Any]:
        """The variant's summary.json (means over the replications, hypotheses judged)."""
        return self.result.summary

    @property
    def failed_hypotheses(self) -> list[dict[str, Any]]:
        """The hypotheses of the variant that did not hold (judged on the means)."""
        return self.result.failed_hypotheses

    @property
    def recovered_share(self) -> float | None:
        """Share of replications in which every queue recovered (``None`` without faults)."""
        share = self.summary.get("recovered_share")
        return float(share) if isinstance(share, int | float) else None

    @property
    def complete(self) -> bool:
        """Whether every replication reached its horizon (no guard stopped it)."""
        return self.result.complete


@dataclass
class Comparison:
    """Variants of one scenario on common random numbers, their figures and their ranking.

    Attributes:
        scenario: The base scenario's name.
        seed: The seed every variant ran with.
        replications: Replications per variant (replication i of each variant shares its
            random numbers with replication i of every other).
        metrics: The compared metrics; the first ranks, the next break ties.
        variants: Each variant, in the order given (the base first).
        ranking: Variant names, best first.
        verdicts: What the ranking may claim: paired differences to the best, the Pareto
            front, trade-offs against the base, warnings.
    """

    scenario: str
    seed: int
    replications: int
    metrics: tuple[str, ...]
    variants: dict[str, VariantResult]
    ranking: list[str]
    verdicts: Verdicts

    @property
    def ranked(self) -> list[VariantResult]:
        """The variants, best first."""
        return [self.variants[name] for name in self.ranking]

    @property
    def complete(self) -> bool:
        """Whether every replication of every variant reached its horizon."""
        return all(v.complete for v in self.variants.values())

    def rank_of(self, name: str) -> int:
        """A variant's place in the ranking, 1 for the best."""
        return self.ranking.index(name) + 1

    def to_json(self) -> dict[str, Any]:
        """The comparison's summary.json: figures and verdicts only (the keys of
        :meth:`Verdicts.to_json` after ``ranking``), so the same inputs give the same bytes."""
        return {
            "format_version": FORMAT_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "complete": self.complete,
            "metrics": list(self.metrics),
            "variants": {
                name: {
                    "overlay": v.overlay,
                    "summary": v.summary,
                    "figures": {m: f.to_json() for m, f in v.figures.items()},
                }
                for name, v in self.variants.items()
            },
            "ranking": list(self.ranking),
            **self.verdicts.to_json(),
        }


@dataclass(frozen=True)
class _Task:
    """One replication of one variant, to run in a worker (picklable)."""

    variant: str
    scenario: Scenario
    seed: int
    horizon: float
    index: int

    def __call__(self) -> ReplicationResult:
        return replicate(self.scenario, self.index, seed=self.seed, horizon=self.horizon)


def _run_task(task: _Task) -> ReplicationResult:
    return task()


def compare(
    variants: Mapping[str, Scenario],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    seed: int | None = None,
    replications: int | None = None,
    jobs: int = 1,
    progress: CompareProgress | None = None,
    overlays: Mapping[str, Mapping[str, Any]] | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run every variant on common random numbers and rank them.

    Every replication of every variant is one task, so ``jobs`` workers stay busy even with
    one replication and several variants; each variant's summary is exactly what
    :func:`sim.experiments.run.run` gives for it with the same seed and replications.

    Args:
        variants: Name -> scenario, the base first (as :func:`sim.scenario.load_variants`
            returns them).
        metrics: Paths in summary.json (see :func:`check_metrics`); the first ranks.
        seed: The seed of every variant (default: the first scenario's). A variant's own
            ``seed`` is ignored: common random numbers need one seed.
        replications: Replications per variant (default: the first scenario's).
        jobs: Worker processes (1 runs everything in this process).
        progress: Called as the simulation advances (per finished replication with workers).
        overlays: Each variant's overlay, as recorded in the result (default: the first
            scenario's ``compare`` entries, and ``{}`` for the first).
        executor: Where the tasks run instead of ``jobs`` local processes, e.g. a Dask
            cluster (see :func:`sim.experiments.executors.open_executor`); the figures are
            the same whatever runs them.

    Raises:
        ValueError: No variants, fewer than one replication, a scenario without a horizon, or
            a metric the scenarios do not have (see :func:`check_metrics`).
    """
    if not variants:
        raise ValueError("nothing to compare: no variants")
    names = list(variants)
    base = variants[names[0]]
    seed = base.seed if seed is None else seed
    n = base.replications if replications is None else replications
    if n < 1:
        raise ValueError("replications must be at least 1")
    problems = check_metrics(metrics, variants.values())
    if problems:
        raise ValueError("; ".join(problems))
    for name, scenario in variants.items():
        if scenario.horizon is None:
            raise ValueError(f"variant {name!r} has no horizon")
    tasks = [
        _Task(name, scenario, seed, float(scenario.horizon or 0.0), i)
        for name, scenario in variants.items()
        for i in range(n)
    ]
    reps = _run_all(tasks, LocalExecutor(max(1, jobs)) if executor is None else executor, progress)
    given = dict(overlays) if overlays is not None else dict(base.compare)
    results: dict[str, VariantResult] = {}
    for k, (name, scenario) in enumerate(variants.items()):
        mine = reps[k * n : (k + 1) * n]
        run = RunResult(scenario, seed, float(scenario.horizon or 0.0), mine)
        run.summary = aggregate(scenario, seed, mine)
        overlay = dict(given.get(name, {}))
        results[name] = VariantResult(name, overlay, run, figures(metrics, mine))
    figs = {name: v.figures for name, v in results.items()}
    ranking = rank(figs, metrics)
    verdicts = judge(
        figs,
        metrics,
        ranking,
        baseline=names[0],
        counts={name: given_up(v.summary) for name, v in results.items()},
        keys={name: scenario_key(scenario) for name, scenario in variants.items()},
        replications=n,
    )
    return Comparison(base.name, seed, n, tuple(metrics), results, ranking, verdicts)


def _run_all(
    tasks: Sequence[_Task], executor: Executor, progress: CompareProgress | None
) -> list[ReplicationResult]:
    """Every task's replication, in task order (in this process, or on the executor)."""
    if runs_here(executor, len(tasks)):
        return [
            replicate(
                task.scenario,
                task.index,
                seed=task.seed,
                horizon=task.horizon,
                progress=_bind(progress, task.variant),
            )
            for task in tasks
        ]

    def done(i: int, _result: ReplicationResult) -> None:
        if progress is not None:
            task = tasks[i]
            progress(task.variant, task.index, task.horizon)

    return executor.map(_run_task, list(tasks), done)


def _bind(progress: CompareProgress | None, variant: str) -> Progress | None:
    """The run API's ``progress(replication, seconds)`` for one variant."""
    if progress is None:
        return None
    report = progress

    def hook(index: int, seconds: float) -> None:
        report(variant, index, seconds)

    return hook
