"""A sweep's grid: ``--param KEY=VALUES`` read into values, checked, and crossed in order."""

from __future__ import annotations

import pytest

from sim.experiments.grid import MAX_POINTS, GridError, Param, grid, parse_param, parse_params


class TestValues:
    def test_a_list_keeps_each_value_as_typed_in_the_order_given(self) -> None:
        assert parse_param("systems.lab.connections=4,1, 2") == Param(
            "systems.lab.connections", ("4", "1", "2")
        )

    def test_a_range_holds_both_ends(self) -> None:
        assert parse_param("k=1..8").values == tuple(str(v) for v in range(1, 9))
        assert parse_param("k= -2 .. 1").values == ("-2", "-1", "0", "1")
        assert parse_param("k=3..3").values == ("3",)

    def test_values_with_units_stay_as_typed(self) -> None:
        assert parse_param("faults.0.for=1h,3h,6h").values == ("1h", "3h", "6h")
        assert parse_param("flows.orders.rate=900/h,0.5/s").values == ("900/h", "0.5/s")

    def test_commas_inside_brackets_or_quotes_do_not_split(self) -> None:
        """A distribution with two arguments, a YAML list and a quoted text are one value each."""
        param = parse_param("k=lognormal(150ms, 80ms),[1, 2],'a,b',{x: 1, y: 2}")
        assert param.values == ("lognormal(150ms, 80ms)", "[1, 2]", "'a,b'", "{x: 1, y: 2}")

    def test_a_path_with_dots_is_a_value_not_a_range(self) -> None:
        assert parse_param("flows.orders.trace=../a.csv").values == ("../a.csv",)

    def test_text_is_the_param_with_its_values_listed(self) -> None:
        assert parse_param("k=1..3").text() == "k=1,2,3"


class TestBadValues:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("k", "--param 'k' is not KEY=VALUES; write e.g. --param systems.lab.connections=1..4"),
            ("=1,2", "--param '=1,2' is not KEY=VALUES"),
            ("k=", "--param k: no values; write a list (1,2,4), a range of whole numbers (1..8)"),
            ("k=  ", "--param k: no values"),
            ("k=..", "--param k: the range '..' is empty: give both ends, e.g. 1..8"),
            ("k=3..", "--param k: the range '3..' is empty: give both ends"),
            ("k=..3", "--param k: the range '..3' is empty"),
            ("k=8..1", "--param k: the range '8..1' is reversed (it would be empty); write 1..8"),
            ("k=1h..6h", "--param k: the range '1h..6h' needs whole numbers at both ends (1..8)"),
            ("k=0.5..2", "--param k: the range '0.5..2' needs whole numbers at both ends"),
            ("k=1,,2", "--param k: '1,,2' has an empty value"),
            ("k=1,2,", "--param k: '1,2,' has an empty value"),
            ("k=1,2,1", "--param k: the value '1' is given twice; give each value once"),
            (f"k=1..{MAX_POINTS + 1}", f"has {MAX_POINTS + 1:,} values; a sweep has at most"),
        ],
    )
    def test_each_mistake_is_named_with_the_key(self, text: str, message: str) -> None:
        with pytest.raises(GridError) as caught:
            parse_param(text)
        assert message in str(caught.value)


class TestParams:
    def test_no_param_is_an_error(self) -> None:
        with pytest.raises(GridError, match="no --param; name what to vary"):
            parse_params([])

    @pytest.mark.parametrize("key", ["seed", "replications"])
    def test_seed_and_replications_cannot_be_swept(self, key: str) -> None:
        with pytest.raises(GridError) as caught:
            parse_params([f"{key}=1,2"])
        assert f"--param {key}: a sweep cannot vary {key}" in str(caught.value)
        assert f"use --{key}" in str(caught.value)

    def test_a_key_given_twice_is_an_error(self) -> None:
        """The same path however it is spaced; the message names the key as typed the second
        time."""
        with pytest.raises(GridError) as caught:
            parse_params(["a.b=1,2", " a . b =3"])
        assert "--param a . b: given twice; list all its values in one --param" in str(caught.value)

    def test_a_key_also_set_is_an_error(self) -> None:
        """A --set (or --horizon) of a swept key would do nothing at any point."""
        with pytest.raises(GridError) as caught:
            parse_params(["horizon=1h,2h"], ["strategy.queues=shared", "horizon=6h"])
        assert "--param horizon: the key is also set ('horizon=6h')" in str(caught.value)

    def test_a_grid_too_large_is_an_error(self) -> None:
        with pytest.raises(GridError, match="the grid has 10,100 points; a sweep has at most"):
            parse_params(["a=1..101", "b=1..100"])


class TestGrid:
    def test_the_first_param_is_outermost_each_in_its_given_order(self) -> None:
        params = parse_params(["a=2,1", "b=1h,30min,2h"])
        assert grid(params) == [
            ("2", "1h"), ("2", "30min"), ("2", "2h"),
            ("1", "1h"), ("1", "30min"), ("1", "2h"),
        ]  # fmt: skip

    def test_three_params_make_the_full_product(self) -> None:
        points = grid(parse_params(["a=1..2", "b=x,y", "c=1..3"]))
        assert len(points) == 12
        assert points[:4] == [("1", "x", "1"), ("1", "x", "2"), ("1", "x", "3"), ("1", "y", "1")]
        assert points[-1] == ("2", "y", "3")
