"""A strategy per channel (systems.<id>.strategy) and connections under strict order."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.plan import plan
from sim.experiments.theory import predict
from sim.report.tables import plan_rows
from sim.scenario import (
    BASELINE,
    ScenarioError,
    dump_yaml,
    json_schema,
    load_scenario,
    load_variants,
)
from sim.scenario.yamlio import read_text

from .conftest import Write, messages

TWO = """\
name: two
horizon: 2h
flows:
  lab-orders: {from: ehr, to: lab, rate: 100/h}
  letters: {from: ehr, to: medcom, rate: 50/h}
systems:
  lab:
    ack: exponential(100ms)
    strategy:
      retry: {first: 1s}
      breaker: null
  medcom:
    ack: exponential(100ms)
strategy:
  order: strict
  retry: {backoff: exponential, first: 10s, cap: 2min, jitter: full, attempts: 5}
  breaker: {after: 3, open: 1min}
"""
"""lab overrides two keys (lines 9-11); medcom follows the top-level strategy (lines 14-17)."""


def errors(write: Write, text: str, sets: tuple[str, ...] = ()) -> list[str]:
    path = write("s.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, sets=sets)
    return [line.replace(f"{path}:", "s.yaml:") for line in messages(caught.value)]


class TestMerge:
    def test_a_system_key_merges_deep_over_the_top_level(self, write: Write) -> None:
        """retry: {first: 1s} changes only `first`; the rest of retry comes from the top."""
        s = load_scenario(write("s.yaml", TWO))
        lab, medcom = s.channel_strategy("lab"), s.channel_strategy("medcom")
        assert lab.retry.first == 1.0
        assert (lab.retry.backoff, lab.retry.cap, lab.retry.jitter, lab.retry.attempts) == (
            "exponential",
            120.0,
            "full",
            5,
        )
        assert lab.order == "strict"  # not overridden: inherited
        assert medcom == s.strategy
        assert medcom.retry.first == 10.0

    def test_null_clears_an_inherited_key(self, write: Write) -> None:
        """breaker: null takes the lab's breaker away, and only the lab's."""
        s = load_scenario(write("s.yaml", TWO))
        assert s.channel_strategy("lab").breaker is None
        breaker = s.channel_strategy("medcom").breaker
        assert breaker is not None and (breaker.after, breaker.open) == (3, 60.0)

    def test_null_inside_a_mapping_and_for_a_required_key_takes_the_default(
        self, write: Write
    ) -> None:
        """retry: {attempts: null} is unlimited again; order: null is the default order."""
        text = TWO.replace("retry: {first: 1s}", "retry: {attempts: null}\n      order: null")
        lab = load_scenario(write("s.yaml", text)).channel_strategy("lab")
        assert (lab.retry.attempts, lab.retry.first, lab.order) == (None, 10.0, "none")

    def test_a_discipline_merges_its_parameters_or_is_replaced_by_another(
        self, write: Write
    ) -> None:
        """{fair: ...} over {fair: ...} merges the weights; priority over fair replaces it."""
        text = TWO.replace("  order: strict\n", "  discipline: {fair: {weights: {letters: 2}}}\n")
        fair = text.replace("breaker: null", "discipline: {fair: {weights: {lab-orders: 3}}}")
        lab = load_scenario(write("s.yaml", fair)).channel_strategy("lab")
        assert lab.discipline.params["weights"] == {"letters": 2.0, "lab-orders": 3.0}
        other = text.replace("breaker: null", "discipline: priority")
        lab = load_scenario(write("s.yaml", other)).channel_strategy("lab")
        assert (lab.discipline.name, lab.discipline.params) == (
            "priority",
            {"results_first": False},
        )

    def test_a_system_without_its_own_strategy_follows_the_top_level(self, write: Write) -> None:
        """channel_strategy is the top-level strategy for a system without one, or unknown."""
        s = load_scenario(write("s.yaml", TWO))
        assert s.systems["medcom"].strategy is None
        assert s.channel_strategy("medcom") is s.strategy
        assert s.channel_strategy("nowhere") is s.strategy

    def test_queues_stay_top_level(self, write: Write) -> None:
        """The queue layout of the whole engine cannot be set for one system."""
        text = TWO.replace("breaker: null", "queues: per-flow")
        assert errors(write, text) == [
            "s.yaml:11: systems.lab.strategy.queues: 'queues' is one layout for the whole "
            "engine, not a setting of one channel; set it under the top-level 'strategy'"
        ]


class TestValidation:
    def test_a_bad_value_names_the_system_strategy_key_at_its_line(self, write: Write) -> None:
        """An error inside a system's strategy is at systems.<id>.strategy.<key>, its line."""
        text = TWO.replace("retry: {first: 1s}", "retry: {first: 1}")
        assert errors(write, text) == [
            "s.yaml:10: systems.lab.strategy.retry.first: 1 has no unit, and a plain number is "
            "ambiguous; write e.g. '1s' or '1min'"
        ]
        text = TWO.replace("breaker: null", "ordr: none")
        assert errors(write, text) == [
            "s.yaml:11: systems.lab.strategy.ordr: unknown key 'ordr'; did you mean 'order'?"
        ]

    def test_a_bad_top_level_value_is_reported_once(self, write: Write) -> None:
        """An invalid top-level key is reported at strategy.<key>, not again per system."""
        text = TWO.replace("cap: 2min", "cap: soon")
        assert len(errors(write, text)) == 1
        assert errors(write, text)[0].startswith("s.yaml:16: strategy.retry.cap: 'soon'")

    def test_codel_is_judged_on_the_channel_s_effective_order(self, write: Write) -> None:
        """A codel lab under a strict top-level order is refused at the lab's discipline."""
        text = TWO.replace("breaker: null", "discipline: codel")
        assert errors(write, text) == [
            "s.yaml:11: systems.lab.strategy.discipline: codel drops from the head of a queue, "
            "which breaks 'order: strict'; use codel with 'order: none', or another discipline"
        ]
        ok = text.replace("discipline: codel", "discipline: codel\n      order: none")
        assert load_scenario(write("s.yaml", ok)).channel_strategy("lab").discipline.name == (
            "codel"
        )

    def test_fair_weights_of_a_system_name_existing_flows(self, write: Write) -> None:
        """Weights in a system's fair discipline must name flows of the scenario."""
        text = TWO.replace("breaker: null", "discipline: {fair: {weights: {letter: 2}}}")
        text = text.replace("order: strict", "order: none")
        assert errors(write, text) == [
            "s.yaml:11: systems.lab.strategy.discipline.fair.weights.letter: there is no flow "
            "'letter'; did you mean 'letters'?"
        ]

    @pytest.mark.parametrize(
        ("key", "value"), [("order", "per-patient"), ("discipline", "priority")]
    )
    def test_under_shared_queues_order_and_discipline_are_the_engine_s(
        self, write: Write, key: str, value: str
    ) -> None:
        """Under queues: shared a per-system order or discipline that differs is an error."""
        text = TWO.replace("  order: strict\n", "  queues: shared\n  order: strict\n")
        bad = text.replace("breaker: null", f"{key}: {value}")
        assert len(errors(write, bad)) == 1
        assert errors(write, bad)[0].startswith(
            f"s.yaml:11: systems.lab.strategy.{key}: under queues: shared every channel draws "
            "from one queue"
        )
        same = text.replace("breaker: null", "order: strict\n      discipline: fifo")
        assert load_scenario(write("s.yaml", same)).channel_strategy("lab").retry.first == 1.0


class TestStrictConnections:
    def test_connections_above_one_under_strict_order_are_refused_with_the_fix(
        self, write: Write
    ) -> None:
        """connections: 4 under a strict order is an error naming the fix, per system."""
        ack = "    ack: exponential(100ms)\n"
        text = TWO.replace(ack, ack + "    connections: 4\n")
        assert errors(write, text) == [
            "s.yaml:9: systems.lab.connections: 4 connections under order: strict "
            "(strategy.order): strict order sends one message at a time; use `order: "
            "per-patient` to use more connections (e.g. systems.lab.strategy.order: "
            "per-patient), or connections: 1",
            "s.yaml:15: systems.medcom.connections: 4 connections under order: strict "
            "(strategy.order): strict order sends one message at a time; use `order: "
            "per-patient` to use more connections (e.g. systems.medcom.strategy.order: "
            "per-patient), or connections: 1",
        ]

    def test_the_shipped_what_if_of_more_connections_under_strict_is_refused(self) -> None:
        """More connections on the December replay's strict EHR channel is an error, not a
        run that silently keeps one connection."""
        with pytest.raises(ScenarioError) as caught:
            load_scenario("december-2017", sets=["systems.ehr.connections=4"])
        assert messages(caught.value) == [
            "--set systems.ehr.connections: 4 connections under order: strict "
            "(strategy.order): strict order sends one message at a time; use `order: "
            "per-patient` to use more connections (e.g. systems.ehr.strategy.order: "
            "per-patient), or connections: 1"
        ]

    def test_the_channel_s_effective_order_is_judged(self, write: Write) -> None:
        """A per-patient lab may have 4 connections under a strict top level; a strict lab may
        not have 2 under a per-patient top level."""
        parallel = TWO.replace("breaker: null", "order: per-patient")
        s = load_scenario(write("s.yaml", parallel), sets=["systems.lab.connections=4"])
        assert (s.systems["lab"].connections, s.channel_strategy("lab").order) == (
            4,
            "per-patient",
        )
        flipped = TWO.replace("  order: strict\n", "  order: per-patient\n").replace(
            "breaker: null", "order: strict"
        )
        assert errors(write, flipped, ("systems.lab.connections=2",)) == [
            "--set systems.lab.connections: 2 connections under order: strict "
            "(systems.lab.strategy.order): strict order sends one message at a time; use "
            "`order: per-patient` to use more connections (e.g. systems.lab.strategy.order: "
            "per-patient), or connections: 1"
        ]

    def test_validate_exits_2_with_the_reason(self, write: Write) -> None:
        """`ehrsim validate` refuses connections above 1 under strict order (exit 2)."""
        medcom = "  medcom:\n    ack: exponential(100ms)\n"
        path = write("s.yaml", TWO.replace(medcom, medcom + "    connections: 2\n"))
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0] == (
            f"{path}:14: systems.medcom.connections: 2 connections under order: strict "
            "(strategy.order): strict order sends one message at a time; use `order: "
            "per-patient` to use more connections (e.g. systems.medcom.strategy.order: "
            "per-patient), or connections: 1"
        )


class TestOverlays:
    def test_set_reaches_a_system_s_strategy(self, write: Write) -> None:
        """--set systems.<id>.strategy.<key> overrides one channel, merged over the top."""
        s = load_scenario(
            write("s.yaml", TWO),
            sets=["systems.medcom.strategy.order=per-patient", "systems.medcom.connections=3"],
        )
        medcom = s.channel_strategy("medcom")
        assert (medcom.order, medcom.retry.first, s.systems["medcom"].connections) == (
            "per-patient",
            10.0,
            3,
        )
        assert s.channel_strategy("lab").order == "strict"

    def test_compare_overlays_reach_a_system_s_strategy(self, write: Write) -> None:
        """A variant may set a system's strategy; a top-level variant keeps the system's keys."""
        text = TWO + (
            "compare:\n"
            "  medcom-parallel:\n"
            "    systems: {medcom: {connections: 2, strategy: {order: per-patient}}}\n"
            "  fixed-retry:\n"
            "    strategy: {retry: {backoff: fixed}}\n"
        )
        variants = load_variants(write("s.yaml", text))
        assert variants[BASELINE].channel_strategy("medcom").order == "strict"
        parallel = variants["medcom-parallel"]
        assert parallel.channel_strategy("medcom").order == "per-patient"
        assert parallel.channel_strategy("lab").order == "strict"
        fixed = variants["fixed-retry"]
        assert fixed.channel_strategy("lab").retry.backoff == "fixed"
        assert fixed.channel_strategy("lab").retry.first == 1.0  # the lab's own key stays


class TestDumpAndSchema:
    def test_the_resolved_scenario_round_trips(self, write: Write) -> None:
        """scenario.yaml keeps each channel's strategy, with its nulls, and loads back equal."""
        text = TWO.replace("retry: {first: 1s}", "retry: {first: 1s, attempts: unlimited}")
        s = load_scenario(write("s.yaml", text))
        dumped = dump_yaml(s)
        again = load_scenario(write("again.yaml", dumped))
        assert again == s
        for sid in ("lab", "medcom"):
            assert again.channel_strategy(sid) == s.channel_strategy(sid)
        assert again.channel_strategy("lab").breaker is None
        assert again.channel_strategy("lab").retry.attempts is None

    def test_the_json_schema_shows_the_key(self, write: Write) -> None:
        """The JSON Schema has systems.<id>.strategy: every channel key but queues, none
        required."""
        schema = json_schema()
        own = schema["$defs"]["System"]["properties"]["strategy"]
        mapping = own["anyOf"][0]
        assert set(mapping["properties"]) == {
            "order",
            "discipline",
            "retry",
            "on_reply",
            "breaker",
            "drain",
            "expire",
        }
        validator = jsonschema.Draft202012Validator(schema)
        text = TWO.replace("breaker: null", "breaker: {open: 2min}")
        value, _pos = read_text(text, "s", Path("."))
        assert [e.message for e in validator.iter_errors(value)] == []
        value, _pos = read_text(TWO.replace("breaker: null", "queues: shared"), "s", Path("."))
        found = [sub.message for e in validator.iter_errors(value) for sub in e.context or []]
        assert "Additional properties are not allowed ('queues' was unexpected)" in found


class TestPlan:
    def test_the_pre_run_table_shows_each_channel_s_effective_strategy(self, write: Write) -> None:
        """Each channel's row ends with its own strategy and counts its own servers."""
        text = TWO.replace("breaker: null", "breaker: null\n      order: per-patient")
        s = load_scenario(write("s.yaml", text), sets=["systems.lab.connections=3"])
        p = plan(s)
        assert [(c.system, c.servers) for c in p.channels] == [("lab", 3), ("medcom", 1)]
        rows = {row[0]: row[-1] for row in plan_rows(p)}
        assert rows["lab"] == (
            "per-patient, fifo, retry 1s doubling to 2min with full jitter, 5 sends then "
            "dead-letter"
        )
        assert rows["medcom"] == (
            "strict, fifo, retry 10s doubling to 2min with full jitter, 5 sends then "
            "dead-letter, breaker after 3 for 1min"
        )


class TestTheory:
    def test_a_channel_s_discipline_picks_its_formula(self) -> None:
        """A priority discipline set for the M/M/3 server's channel predicts waits per class."""
        fifo = predict(load_scenario("theory/mm3"))
        own = predict(
            load_scenario("theory/mm3", sets=["systems.server.strategy.discipline=priority"])
        )
        assert fifo.closed_form and own.closed_form
        assert "Wq server routine" not in {q.quantity for q in fifo.quantities}
        assert "Wq server routine" in {q.quantity for q in own.quantities}

    def test_a_reason_on_some_channels_names_them(self) -> None:
        """A drain on one channel of two keeps the closed form away, naming that channel."""
        sets = [
            "flows.more={from: ehr, to: other, rate: 1/s}",
            "systems.other={ack: exponential(100ms), timeout: 1h, strategy: {drain: {rate: 10/s}}}",
        ]
        got = predict(load_scenario("theory/mm3", sets=sets))
        assert got.reasons == [
            "strategy.drain limits the rate of sends (a token bucket) (channel other)"
        ]

    def test_per_flow_lanes_sharing_connections_have_no_closed_form(self) -> None:
        """Two flows' lanes taking turns on one system's connections are not M/M/c queues."""
        sets = ["strategy.queues=per-flow", "flows.more={from: ehr, to: server, rate: 1/s}"]
        got = predict(load_scenario("theory/mm3", sets=sets))
        assert got.reasons == [
            "queues per-flow: the lanes of flows orders, more take turns on the connections of "
            "their system, which has no closed form per flow"
        ]
