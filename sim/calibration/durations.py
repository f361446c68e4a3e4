"""A duration distribution fitted to observed times, its family chosen by a test.

The candidates are the scenario format's: ``exponential(mean)``, ``lognormal(mean, sd)``, and
``empirical(file.csv)`` (the observed times themselves) when neither fits. Each parametric
family is fitted by maximum likelihood (scipy.stats, location fixed at 0) and checked by the
Cramér-von Mises goodness-of-fit test with its parameters estimated from the data, its p-value
by parametric bootstrap (scipy.stats.goodness_of_fit). Of the families the test does not reject
at 5 %, the one with the lower AIC is chosen (the exponential's one parameter against the
lognormal's two). Unlike Anderson-Darling it takes times of 0 (below a log's time
precision) in its stride. With very many times every family is rejected for differences too small to
matter to a queue, so the test reads a seeded random subsample of at most
:data:`TEST_SAMPLE` times; the parameters use them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.calibration.counts import LEVEL
from sim.calibration.numbers import counted

__all__ = ["ALPHA", "MIN_TEST", "TEST", "TEST_SAMPLE", "DurationFit", "fit_duration"]

ALPHA = 0.05
TEST_SAMPLE = 2000
MIN_TEST = 8
"""Fewer times than this are too few to test: the exponential (one parameter) is taken."""
MC_SAMPLES = 499
TEST = (
    "Cramér-von Mises (parameters estimated; p by parametric bootstrap, "
    "scipy.stats.goodness_of_fit)"
)
_SEED = 20171206


@dataclass(frozen=True)
class DurationFit:
    """The chosen distribution of some times (seconds), with what chose it."""

    family: str
    """``exponential``, ``lognormal`` or ``empirical``."""
    mean: float
    mean_ci: tuple[float, float]
    sd: float
    """The distribution's standard deviation (the lognormal's second argument)."""
    sd_ci: tuple[float, float] | None
    n: int
    """Times fitted (negative ones left out)."""
    median: float
    p_values: dict[str, float | None]
    """Each candidate family's p-value; None where it was not tested (the reason in ``notes``)."""
    notes: tuple[str, ...]
    negative: int = 0
    """Times below zero (clock skew between the two ends), left out."""
    values: tuple[float, ...] = field(default=(), repr=False)
    """The times themselves (what an ``empirical`` file holds)."""

    def as_json(self) -> dict[str, object]:
        return {
            "family": self.family,
            "mean_s": self.mean,
            "mean_ci95_s": list(self.mean_ci),
            "sd_s": self.sd,
            "sd_ci95_s": list(self.sd_ci) if self.sd_ci else None,
            "median_s": self.median,
            "n": self.n,
            "negative_left_out": self.negative,
            "test": TEST,
            "alpha": ALPHA,
            "p_values": self.p_values,
            "notes": list(self.notes),
        }


def _lognormal_moments(logs: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    mu = np.mean(logs, axis=axis)
    var = np.var(logs, axis=axis)
    mean = np.exp(mu + var / 2)
    return mean, mean * np.sqrt(np.expm1(var))


def _bootstrap(data: np.ndarray, statistic: Any) -> tuple[float, float]:
    from scipy import stats

    result = stats.bootstrap(
        (data,),
        statistic,
        confidence_level=LEVEL,
        n_resamples=999,
        method="percentile",
        vectorized=True,
        batch=50,
        rng=np.random.default_rng(_SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _p_value(dist: Any, sample: np.ndarray) -> float:
    from scipy import stats

    result = stats.goodness_of_fit(
        dist,
        sample,
        known_params={"loc": 0},
        statistic="cvm",
        n_mc_samples=MC_SAMPLES,
        rng=np.random.default_rng(_SEED),
    )
    return float(result.pvalue)


def _aic(dist: Any, data: np.ndarray, k: int) -> float:
    params = dist.fit(data, floc=0)
    return 2 * k - 2 * float(np.sum(dist.logpdf(data, *params)))


def fit_duration(times: Sequence[float], resolution: float | None = None) -> DurationFit | None:
    """The distribution of ``times`` (seconds), or None when none is zero or more.

    Args:
        times: The observed times; negative ones (clocks that disagree) are left out.
        resolution: The precision the times were logged to, in seconds. A time of 0 is one
            below it: the lognormal, which has no zeros, reads it as half the resolution
            (without a resolution, the lognormal is not considered when a time is 0).
    """
    from scipy import stats  # here, not at the top: `import sim` stays quick

    raw = np.asarray(times, dtype=np.float64)
    negative = int(np.sum(raw < 0))
    data = np.sort(raw[raw >= 0])
    n = len(data)
    if n == 0 or not np.any(data > 0):
        return None
    mean = float(np.mean(data))
    notes: list[str] = []
    p_values: dict[str, float | None] = {"exponential": None, "lognormal": None}
    zeros = int(np.sum(data == 0))
    positive = np.where(data > 0, data, (resolution or 0.0) / 2)
    if n < MIN_TEST:
        notes.append(
            f"{counted(n, 'time')} too few for a goodness-of-fit test: exponential, one parameter"
        )
        family = "exponential"
    else:
        pick = np.arange(n)
        if n > TEST_SAMPLE:
            pick = np.sort(np.random.default_rng(_SEED).choice(n, TEST_SAMPLE, replace=False))
            notes.append(f"tested on a random {TEST_SAMPLE:,} of the {n:,} times")
        sample = data[pick]
        p_exponential = p_values["exponential"] = _p_value(stats.expon, sample)
        candidates = {"exponential": _aic(stats.expon, data, 1)} if p_exponential >= ALPHA else {}
        if zeros and not resolution:
            notes.append(f"lognormal not considered: {counted(zeros, 'time')} of 0")
        elif np.ptp(positive) == 0:
            notes.append("lognormal not considered: every time is the same")
        else:
            if zeros:
                notes.append(
                    f"{counted(zeros, 'time')} of 0 (below the log's precision, {resolution:g} s)"
                    " read as half of it by the lognormal"
                )
            p_lognormal = p_values["lognormal"] = _p_value(stats.lognorm, positive[pick])
            if p_lognormal >= ALPHA:
                candidates["lognormal"] = _aic(stats.lognorm, positive, 2)
        family = min(candidates, key=lambda f: candidates[f]) if candidates else "empirical"
    sd = float(np.std(data))
    sd_ci: tuple[float, float] | None = None
    if family == "exponential":
        # 2 n mean / true mean is chi-square with 2n degrees of freedom.
        tail = (1 - LEVEL) / 2
        mean_ci = (
            2 * n * mean / float(stats.chi2.ppf(1 - tail, 2 * n)),
            2 * n * mean / float(stats.chi2.ppf(tail, 2 * n)),
        )
        sd = mean
    elif family == "lognormal":
        logs = np.log(positive)
        fitted_mean, fitted_sd = _lognormal_moments(logs)
        mean, sd = float(fitted_mean), float(fitted_sd)
        mean_ci = _bootstrap(logs, lambda x, axis: _lognormal_moments(x, axis)[0])
        sd_ci = _bootstrap(logs, lambda x, axis: _lognormal_moments(x, axis)[1])
    else:
        mean_ci = _bootstrap(data, np.mean)
    return DurationFit(
        family,
        mean,
        mean_ci,
        sd,
        sd_ci,
        n,
        float(np.median(data)),
        p_values,
        tuple(notes),
        negative,
        tuple(float(v) for v in data),
    )
