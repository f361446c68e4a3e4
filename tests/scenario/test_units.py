"""Tests of sim.scenario.units: durations, rates, clock times, dates and distribution text."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest

from sim.distributions import Constant, Exponential, Gamma, Lognormal, Uniform
from sim.scenario.units import (
    UnitError,
    absolute_empirical,
    format_duration,
    format_offset,
    format_rate,
    parse_clock,
    parse_datetime,
    parse_distribution,
    parse_duration,
    parse_rate,
)


def error_of(parse: object, value: object) -> str:
    with pytest.raises(UnitError) as caught:
        parse(value)  # type: ignore[operator]
    return str(caught.value)


class TestDuration:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [
            ("250ms", 0.25),
            ("30s", 30.0),
            ("20min", 1200.0),
            ("20m", 1200.0),
            ("6h", 21600.0),
            ("2d", 172800.0),
            ("1h30m", 5400.0),
            ("1h 30min", 5400.0),
            ("1.5h", 5400.0),
            (" 45 min ", 2700.0),
            ("150ms", 0.15),
            ("1e-05s", 1e-05),
        ],
    )
    def test_units_are_read(self, text: str, seconds: float) -> None:
        """Every unit of the format is read to seconds, exactly."""
        assert parse_duration(text) == seconds

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (20, "20 has no unit, and a plain number is ambiguous; write e.g. '20s' or '20min'"),
            (
                "20",
                "'20' has no unit, and a plain number is ambiguous; write e.g. '20s' or '20min'",
            ),
            ("5 hours", "'5 hours' has an unknown unit 'hours'; use ms, s, min (or m), h or d"),
            ("30s1h", "'30s1h': write each unit once, larger units first, e.g. '1h30m'"),
            ("-5s", "'-5s' is negative; a duration must be positive"),
            ("0s", "'0s' is zero; a duration here must be positive"),
            ("1e400s", "'1e400s' is too large"),
            (
                math.nan,
                "nan is not a duration; write e.g. '250ms', '30s', '20min', '6h', '2d' or '1h30m'",
            ),
            (
                math.inf,
                "inf is not a duration; write e.g. '250ms', '30s', '20min', '6h', '2d' or '1h30m'",
            ),
            (
                None,
                "expected a duration, found nothing (null); write e.g. '250ms', '30s', '20min', "
                "'6h', '2d' or '1h30m'",
            ),
            (
                True,
                "expected a duration, found true; write e.g. '250ms', '30s', '20min', '6h', '2d' "
                "or '1h30m'",
            ),
            (
                "soon",
                "'soon' is not a duration; write e.g. '250ms', '30s', '20min', '6h', '2d' or "
                "'1h30m'",
            ),
        ],
    )
    def test_bad_durations_say_how_to_write_one(self, value: object, message: str) -> None:
        """Plain numbers, unknown units, negatives, zero and non-finite values are refused."""
        assert error_of(parse_duration, value) == message

    def test_zero_allowed_for_offsets(self) -> None:
        """allow_zero accepts zero (for warmup and offsets) but still refuses negatives."""
        assert parse_duration("0h", allow_zero=True) == 0.0
        with pytest.raises(UnitError):
            parse_duration("-1h", allow_zero=True)

    @pytest.mark.parametrize(
        ("seconds", "text"),
        [
            (25200.0, "7h"),
            (5400.0, "90min"),
            (0.15, "150ms"),
            (172800.0, "2d"),
            (0.0, "0s"),
            (1 / 3, "0.3333333333333333s"),
            (90.5, "90500ms"),
        ],
    )
    def test_format_is_readable_and_exact(self, seconds: float, text: str) -> None:
        """format_duration picks the largest whole unit that reads back to the very same float."""
        assert format_duration(seconds) == text
        assert parse_duration(text, allow_zero=True) == seconds

    def test_offset_format(self) -> None:
        """A clock time is written back as an offset from the start."""
        assert format_offset(34200.0) == "+570min"
        assert format_offset(0.0) == "+0s"


class TestRate:
    @pytest.mark.parametrize(
        ("text", "per_second"),
        [
            ("2500/h", 2500 / 3600),
            ("12/min", 0.2),
            ("40/s", 40.0),
            ("500/d", 500 / 86400),
            ("0.08333/s", 0.08333),
            ("2500 / h", 2500 / 3600),
        ],
    )
    def test_units_are_read(self, text: str, per_second: float) -> None:
        """Rates per second, minute, hour and day are read to events per second."""
        assert parse_rate(text) == per_second

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("25OO/h", "'25OO/h' is not a rate; write e.g. '2500/h'"),
            (2500, "2500 has no unit; write it per time, e.g. '2500/h' or '2500/s'"),
            ("2500", "'2500' has no unit; write it per time, e.g. '2500/h' or '2500/s'"),
            ("0/h", "'0/h' is zero; a rate must be positive"),
            ("-3/h", "'-3/h' is negative; a rate must be positive"),
            ("5/week", "'5/week' has an unknown unit '/week'; use /s, /min, /h or /d"),
            ("5/hr", "'5/hr' has an unknown unit '/hr'; use /s, /min, /h or /d; did you mean 'h'?"),
            ("1e400/h", "'1e400/h' is too large"),
            ([1], "expected a rate, found a list; write e.g. '2500/h'"),
        ],
    )
    def test_bad_rates_say_how_to_write_one(self, value: object, message: str) -> None:
        """Typos, plain numbers, zero, negatives and unknown units are refused with an example."""
        assert error_of(parse_rate, value) == message

    @pytest.mark.parametrize("text", ["2500/h", "12/min", "40/s", "500/d", "0.08333/s", "7/h"])
    def test_format_round_trips(self, text: str) -> None:
        """format_rate writes text that reads back to exactly the same rate."""
        rate = parse_rate(text)
        assert parse_rate(format_rate(rate)) == rate

    def test_format_prefers_per_hour(self) -> None:
        """Whole numbers per hour are written per hour; others fall back to per second."""
        assert format_rate(parse_rate("2500/h")) == "2500/h"
        assert format_rate(parse_rate("12/min")) == "720/h"
        assert format_rate(0.08333) == "0.08333/s"


START = datetime(2026, 1, 5, 8, 0)


class TestClock:
    @pytest.mark.parametrize(
        ("text", "offset"),
        [
            ("09:30", 5400.0),
            ("14:00", 21600.0),
            ("9:30", 5400.0),
            ("08:00:30", 30.0),
            ("+9h30m", 34200.0),
            ("+0s", 0.0),
            ("2026-01-06T09:30", 91800.0),
            ("2026-01-06 09:30", 91800.0),
        ],
    )
    def test_clock_times_are_offsets_from_start(self, text: str, offset: float) -> None:
        """A time of day is on the start day; +offsets count from start; ISO is absolute."""
        assert parse_clock(text, START) == offset

    def test_unquoted_afternoon_at_midnight_start(self) -> None:
        """14:00 on a scenario starting at midnight is 50400 s from the start."""
        assert parse_clock("14:00", datetime(2026, 1, 5)) == 50400.0

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (
                "07:00",
                "'07:00' is 1h before the start (2026-01-05T08:00); times must fall at or after it",
            ),
            (
                "25:00",
                "'25:00' is not a time of day; write '09:30' (on the start day), '+9h30m' "
                "(after the start) or '2017-12-06T09:30'",
            ),
            (
                840,
                "840 is not a clock time; write '09:30' (on the start day), '+9h30m' (after the "
                "start) or '2017-12-06T09:30'",
            ),
            ("+-5s", "'+-5s' is not an offset: '-5s' is negative; a duration must be positive"),
            (
                "2026-01-05T09:30+01:00",
                "'2026-01-05T09:30+01:00' has a time zone; write local time without one",
            ),
            (
                "noon",
                "'noon' is not a clock time; write '09:30' (on the start day), '+9h30m' "
                "(after the start) or '2017-12-06T09:30'",
            ),
        ],
    )
    def test_bad_clock_times(self, value: object, message: str) -> None:
        """Times before the start, impossible times and plain numbers are refused."""
        assert error_of(lambda v: parse_clock(v, START), value) == message


class TestDateTime:
    def test_iso_and_bare_dates(self) -> None:
        """start reads ISO date-times; a bare date is midnight."""
        assert parse_datetime("2017-12-06T09:30") == datetime(2017, 12, 6, 9, 30)
        assert parse_datetime("2017-12-06") == datetime(2017, 12, 6)

    def test_refuses_time_zones_and_other_values(self) -> None:
        """Time zones and non-dates are refused with an example."""
        assert error_of(parse_datetime, "2017-12-06T09:30Z") == (
            "'2017-12-06T09:30Z' has a time zone; write local time without one"
        )
        assert error_of(parse_datetime, "yesterday") == (
            "'yesterday' is not an ISO date and time; write e.g. '2017-12-06T09:30'"
        )
        assert error_of(parse_datetime, 2017) == (
            "expected a date and time such as '2026-01-05T00:00', found 2017"
        )


class TestDistributionText:
    @pytest.mark.parametrize(
        ("text", "dist"),
        [
            ("exponential(30min)", Exponential(1800.0)),
            ("constant(50ms)", Constant(0.05)),
            ("lognormal(150ms, 80ms)", Lognormal(0.15, 0.08)),
            ("gamma(2min, 0.5)", Gamma(120.0, 0.5)),
            ("uniform(0s, 3s)", Uniform(0.0, 3.0)),
            ("  lognormal( 45min ,10min ) ", Lognormal(2700.0, 600.0)),
        ],
    )
    def test_every_kind_is_read(self, text: str, dist: object) -> None:
        """Each distribution is read with its arguments' units resolved to seconds."""
        assert parse_distribution(text) == dist

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (
                "exponential(5)",
                "exponential's mean: '5' has no unit, and a plain number is "
                "ambiguous; write e.g. '5s' or '5min'",
            ),
            (
                "lognormal(45min)",
                "'lognormal(45min)': lognormal takes 2 arguments, "
                "lognormal(mean, sd); write e.g. 'lognormal(150ms, 80ms)'",
            ),
            (
                "lognormall(1s, 2s)",
                "'lognormall' is not a known distribution; use one of "
                "exponential(mean), constant(value), lognormal(mean, sd), gamma(mean, cv), "
                "uniform(low, high), empirical(file.csv); did you mean 'lognormal'?",
            ),
            (
                "100ms",
                "'100ms' is a duration, not a distribution; write 'constant(100ms)' for a "
                "fixed time or 'exponential(100ms)' for a random one with that mean",
            ),
            (
                5,
                "5 is a number, not a distribution; write e.g. 'constant(5s)' for a fixed time "
                "or 'exponential(5s)' for a random one",
            ),
            (
                "gamma(2min, 0.5s)",
                "gamma's cv is a plain number (no unit), e.g. '0.5'; found '0.5s'",
            ),
            ("uniform(3s, 1s)", "'uniform(3s, 1s)': uniform: high (1s) must be above low (3s)"),
            (
                "exponential(-1s)",
                "exponential's mean: '-1s' is negative; a duration must be positive",
            ),
            ("exponential(0s)", "'exponential(0s)': exponential: mean must be positive, not 0"),
            (
                "constant(.inf s)",
                "constant's value: '.inf s' is not a duration; write e.g. "
                "'250ms', '30s', '20min', '6h', '2d' or '1h30m'",
            ),
            ("gamma(1s, nan)", "'gamma(1s, nan)': gamma: cv must be finite, not nan"),
            (
                None,
                "expected a distribution, found nothing (null); write e.g. "
                "'exponential(30min)', 'lognormal(150ms, 80ms)' or 'constant(50ms)'",
            ),
        ],
    )
    def test_bad_distributions(self, value: object, message: str) -> None:
        """Each mistake gets a message that shows how to write the distribution."""
        assert error_of(parse_distribution, value) == message

    def test_empirical_paths_are_made_absolute(self, tmp_path: Path) -> None:
        """absolute_empirical resolves a relative CSV path against the naming file's folder."""
        assert (
            absolute_empirical("empirical(a.csv)", tmp_path) == f"empirical({tmp_path / 'a.csv'})"
        )
        assert absolute_empirical("empirical(/x/a.csv)", tmp_path) == "empirical(/x/a.csv)"
        assert absolute_empirical("exponential(1s)", tmp_path) == "exponential(1s)"
