"""Tests of sim.distributions: moments, sampling, canonical text, parameter checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.distributions import (
    DISTRIBUTIONS,
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    format_seconds,
)
from sim.scenario.units import UnitError, parse_distribution

N = 200_000


def draws(dist: Distribution, seed: int = 7) -> np.ndarray:
    return dist.sample(np.random.default_rng(seed), N)


class TestRegistry:
    def test_every_yaml_name_maps_to_its_class(self) -> None:
        """The registry holds the six distributions of the format under their YAML names."""
        assert dict(DISTRIBUTIONS) == {
            "exponential": Exponential,
            "constant": Constant,
            "lognormal": Lognormal,
            "gamma": Gamma,
            "uniform": Uniform,
            "empirical": Empirical,
        }

    def test_signature_names_the_arguments(self) -> None:
        """A class writes its signature with argument names, for error messages."""
        assert Lognormal.signature() == "lognormal(mean, sd)"
        assert Empirical.signature() == "empirical(file.csv)"


class TestMoments:
    @pytest.mark.parametrize(
        ("dist", "mean", "scv"),
        [
            (Exponential(2.0), 2.0, 1.0),
            (Constant(0.05), 0.05, 0.0),
            (Lognormal(0.15, 0.08), 0.15, (0.08 / 0.15) ** 2),
            (Gamma(120.0, 0.5), 120.0, 0.25),
            (Uniform(1.0, 3.0), 2.0, (4 / 12) / 4),
        ],
    )
    def test_mean_and_scv_are_exact(self, dist: Distribution, mean: float, scv: float) -> None:
        """Each distribution reports the mean and squared CV its parameters define."""
        assert dist.mean == pytest.approx(mean, rel=1e-12)
        assert dist.scv == pytest.approx(scv, rel=1e-12)

    @pytest.mark.parametrize(
        "dist",
        [Exponential(2.0), Lognormal(0.15, 0.08), Gamma(120.0, 0.5), Uniform(1.0, 3.0)],
    )
    def test_samples_match_the_moments(self, dist: Distribution) -> None:
        """Sample mean and squared CV agree with the reported ones within sampling error."""
        values = draws(dist)
        assert values.dtype == np.float64
        assert values.shape == (N,)
        assert values.mean() == pytest.approx(dist.mean, rel=0.02)
        assert values.var() / values.mean() ** 2 == pytest.approx(dist.scv, rel=0.05)

    def test_lognormal_uses_the_mean_and_sd_of_the_draws_themselves(self) -> None:
        """lognormal(mean, sd) sets sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2."""
        dist = Lognormal(3.0, 1.5)
        assert dist.sigma == pytest.approx(math.sqrt(math.log(1.25)))
        assert dist.mu == pytest.approx(math.log(3.0) - math.log(1.25) / 2)

    def test_constant_always_gives_its_value(self) -> None:
        """constant(value) draws nothing but its value."""
        assert set(draws(Constant(0.05)).tolist()) == {0.05}

    def test_same_seed_same_draws(self) -> None:
        """Sampling uses only the generator it is given, so a seed reproduces the draws."""
        dist = Gamma(10.0, 0.7)
        assert np.array_equal(draws(dist, 3), draws(dist, 3))


class TestText:
    @pytest.mark.parametrize(
        ("dist", "text"),
        [
            (Exponential(1800.0), "exponential(1800s)"),
            (Constant(0.01), "constant(0.01s)"),
            (Lognormal(0.15, 0.08), "lognormal(0.15s, 0.08s)"),
            (Gamma(120.0, 0.5), "gamma(120s, 0.5)"),
            (Uniform(0.0, 3.0), "uniform(0s, 3s)"),
            (Exponential(1e-05), "exponential(1e-05s)"),
        ],
    )
    def test_text_is_canonical_and_parses_back_equal(self, dist: Distribution, text: str) -> None:
        """text() writes seconds with units (cv plain) and parses back to an equal object."""
        assert dist.text() == text
        assert parse_distribution(text) == dist
        assert hash(parse_distribution(text)) == hash(dist)

    def test_format_seconds_round_trips_any_float(self) -> None:
        """format_seconds writes the shortest text that reads back to the same float."""
        for value in (0.1, 1 / 3, 25200.0, 1e-9, 123456.789):
            assert float(format_seconds(value)[:-1]) == value
        assert format_seconds(25200.0) == "25200s"


class TestChecks:
    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (lambda: Exponential(0.0), "exponential: mean must be positive, not 0"),
            (lambda: Exponential(-1.0), "exponential: mean must be positive, not -1"),
            (lambda: Constant(math.inf), "constant: value must be finite, not inf"),
            (lambda: Lognormal(1.0, math.nan), "lognormal: sd must be finite, not nan"),
            (lambda: Gamma(1.0, 0.0), "gamma: cv must be positive, not 0"),
            (lambda: Uniform(-1.0, 1.0), "uniform: low must be zero or more, not -1"),
            (lambda: Uniform(3.0, 1.0), "uniform: high (1s) must be above low (3s)"),
            (lambda: Exponential(10**400), "exponential: mean must be finite, not " + str(10**400)),
        ],
    )
    def test_bad_parameters_are_refused(self, build: object, message: str) -> None:
        """Parameters must be finite and positive (uniform's low may be zero)."""
        with pytest.raises(ValueError) as caught:
            build()  # type: ignore[operator]
        assert str(caught.value) == message


class TestEmpirical:
    def test_resamples_the_values_it_was_given(self, tmp_path: Path) -> None:
        """empirical draws only the observed values, with replacement, and knows their moments."""
        path = tmp_path / "ack.csv"
        path.write_text("seconds\n0.1\n0.2\n0.6\n")
        dist = parse_distribution("empirical(ack.csv)", tmp_path)
        assert isinstance(dist, Empirical)
        assert dist.values == (0.1, 0.2, 0.6)
        assert dist.path == str(path)
        assert dist.mean == pytest.approx(0.3)
        assert dist.scv == pytest.approx(np.var([0.1, 0.2, 0.6]) / 0.09)
        assert set(draws(dist).tolist()) == {0.1, 0.2, 0.6}
        assert dist.text() == f"empirical({path})"
        assert parse_distribution(dist.text()) == dist

    def test_needs_values(self) -> None:
        """An empirical distribution of nothing, or of zeros only, is refused."""
        with pytest.raises(ValueError, match="holds no values"):
            Empirical("x.csv", ())
        with pytest.raises(ValueError, match="are all zero"):
            Empirical("x.csv", (0.0, 0.0))

    def test_missing_file_is_named(self, tmp_path: Path) -> None:
        """A missing sample file is an error naming it."""
        with pytest.raises(Exception) as caught:
            parse_distribution("empirical(nope.csv)", tmp_path)
        assert str(caught.value) == "no such file"
        assert getattr(caught.value, "file", "").endswith("nope.csv")

    def test_bad_argument_counts_are_refused(self) -> None:
        """A distribution with the wrong number of arguments names its signature."""
        with pytest.raises(UnitError) as caught:
            parse_distribution("uniform(1s)")
        assert str(caught.value) == (
            "'uniform(1s)': uniform takes 2 arguments, uniform(low, high); "
            "write e.g. 'uniform(1s, 3s)'"
        )
