"""dump_yaml round trips and the JSON Schema for editors."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from sim.scenario import (
    Scenario,
    build,
    dump_yaml,
    json_schema,
    load_document,
    load_scenario,
    shipped_dir,
)
from sim.scenario.yamlio import read_text

from .conftest import TINY, Write

RICH = """\
name: rich-1
title: "Everything at once: 14:00"
seed: 20171206
start: 2017-12-06T00:00
horizon: 24h
warmup: 4h
replications: 3
profile: day
week: [1, 1, 1, 1, 1, 0.6, 0.6]
sample_every: 30s
limits: {messages: 1000000, queued: 5000, wall: 10min}
patients: 5000
flows:
  lab-orders:
    from: ehr
    to: labka
    message: OML^O21
    rate: 2500/h
    profile: [1.5, 1.2, 1.0, 1.0, 1.2, 2.0, 5.0, 12, 12, 9.0, 6.5, 5.5,
              5.0, 5.0, 4.8, 4.5, 4.0, 3.5, 3.2, 3.0, 2.8, 2.5, 2.0, 1.8]
    priority: {stat: 0.2, urgent: 0.1, routine: 0.7}
    deadline: {stat: 1h, urgent: 2h, routine: 8h}
    reply: {flow: lab-results, count: 2,
            after: {stat: lognormal(45min, 10min), routine: lognormal(3h, 1h)}}
  lab-results: {from: labka, to: ehr, message: ORU^R01}
  replay: {from: ehr, to: medcom, trace: replay.csv, week: [1, 1, 1, 1, 1, 0, 0]}
  inline: {from: ehr, to: medcom, trace: [{time: 1.5, priority: stat, patient: 4}]}
engine:
  nodes: 2
  failover: {mode: active-active, detect: 30s, switch: 1min}
  store: memory
  cores: 8
  transform: gamma(15ms, 0.3)
systems:
  labka: {ack: lognormal(150ms, 80ms), connections: 2, capacity: 40/s, timeout: 30s}
  ehr: {ack: empirical(ack.csv), connections: 4, capacity: 12/min}
  medcom: {ack: uniform(0s, 2s)}
strategy:
  queues: per-flow
  order: none
  discipline: {fair: {weights: {lab-orders: 2}}}
  retry: {backoff: exponential, first: 1s, cap: 5min, jitter: full, attempts: 10, then: park}
  on_reply: {AE: retry, AR: dead-letter, timeout: suspend}
  breaker: {after: 5, open: 1min}
  drain: {rate: 30/s}
  expire: {after: 4h, to: paper}
compare:
  shared: {strategy: {queues: shared, breaker: null}}
  codel: {strategy: {discipline: {codel: {target: 5s, interval: 1min}}}}
faults:
  - {name: integration servers stall, kind: engine-stall, at: "09:00", for: 7h, mode: hold}
  - {kind: poison-message, target: labka, at: 14:00, code: AE}
  - {kind: system-outage, target: medcom, at: +30h, for: 45min}
  - {kind: surge, at: "16:00", for: 2h, severity: 1.4}
  - {kind: node-crash, target: 1, at: +2h, for: 20min}
  - {kind: partition, target: [labka, medcom], at: +3h, for: 5min}
  - {kind: ack-loss, target: labka, at: +4h, for: 5min, severity: 0.2}
  - {kind: system-slowdown, at: +5h, for: 5min, severity: 3}
  - {kind: engine-slowdown, at: +6h, for: 5min, severity: 2}
fallback:
  trigger_after: 20min
  share: {stat: 0.9, urgent: 0.5, routine: 0.1}
  phone_delay: 15min
  duplicate_risk: 0.3
  start_on_alert: false
staff:
  analysts: {count: 2, respond: 15min, fix: lognormal(10min, 4min), start_on_alert: true}
  clerks: {count: 6, back_entry: lognormal(3min, 1min), reconcile: lognormal(90s, 30s)}
alerts:
  - {queue: any, depth_above: 500}
  - {queue: labka, oldest_older_than: 10min}
hypotheses:
  - {metric: recovery_time_s, below: 3h}
  - {metric: late.stat, below: 50}
  - {metric: messages.lost, equals: 0}
"""


def rich(write: Write) -> Path:
    write("replay.csv", "time,priority,patient\n0,stat,1\n2017-12-06T10:00,routine,2\n")
    write("ack.csv", "seconds\n0.05\n0.1\n0.4\n")
    return write("rich.yaml", RICH)


def round_trip(scenario: Scenario, tmp_path: Path) -> Scenario:
    path = tmp_path / "resolved.yaml"
    path.write_text(dump_yaml(scenario), encoding="utf-8")
    return load_scenario(path)


def _shipped() -> list[Path]:
    root = shipped_dir()
    return sorted(root.glob("*.yaml")) + sorted(root.glob("*/*.yaml"))


class TestRoundTrip:
    def test_tiny(self, write: Write, tmp_path: Path) -> None:
        """The tiny scenario dumps and loads back equal."""
        scenario = load_scenario(write("s.yaml", TINY))
        assert round_trip(scenario, tmp_path) == scenario

    def test_every_feature(self, write: Write, tmp_path: Path) -> None:
        """A scenario using every key dumps and loads back to an equal Scenario."""
        scenario = load_scenario(rich(write))
        again = round_trip(scenario, tmp_path)
        assert again == scenario
        assert again.compare == {
            "shared": {"strategy": {"queues": "shared", "breaker": None}},
            "codel": {"strategy": {"discipline": {"codel": {"target": "5s", "interval": "1min"}}}},
        }

    def test_variants_round_trip(self, write: Write, tmp_path: Path) -> None:
        """Each variant of the rich scenario round trips too."""
        from sim.scenario import load_variants

        for scenario in load_variants(rich(write)).values():
            assert round_trip(scenario, tmp_path) == scenario

    @pytest.mark.parametrize("path", _shipped(), ids=lambda p: p.stem)
    def test_shipped_scenarios(self, path: Path, tmp_path: Path) -> None:
        """Every complete shipped scenario round trips through dump_yaml."""
        document = load_document(path)
        if document.partial:
            pytest.skip("a partial topology is not a complete scenario")
        scenario = build(document)
        assert round_trip(scenario, tmp_path) == scenario


class TestNotation:
    def test_dump_uses_the_formats_notation(self, write: Write) -> None:
        """Durations, rates, clock times and distributions are written as the format writes them."""
        text = dump_yaml(load_scenario(rich(write)))
        for expected in (
            "horizon: 1d\n",
            "warmup: 4h\n",
            "rate: 2500/h\n",
            "capacity: 720/h\n",
            "transform: gamma(0.015s, 0.3)\n",
            "at: +9h\n",
            "for: 7h\n",
            "profile: day\n",
            "week: [1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6]\n",
            "stat: lognormal(2700s, 600s)\n",
            "start: '2017-12-06T00:00:00'\n",
            "target: [labka, medcom]\n",
            "title: 'Everything at once: 14:00'\n",
        ):
            assert expected in text
        assert "mode: hold" in text and text.count("mode:") == 2  # stall and failover only

    def test_dump_reads_back_as_plain_yaml(self, write: Write) -> None:
        """The dump is a plain mapping, with nothing our safe reader refuses."""
        value, _pos = read_text(dump_yaml(load_scenario(write("s.yaml", TINY))), "d", Path("."))
        assert isinstance(value, dict)
        assert value["horizon"] == "2h"
        assert value["systems"]["lab"]["ack"] == "exponential(0.1s)"


class TestJsonSchema:
    def test_is_a_valid_schema(self) -> None:
        """json_schema() is a valid draft 2020-12 JSON Schema."""
        schema = json_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def test_uses_yaml_keys_and_value_patterns(self) -> None:
        """Keys are the YAML keys, and unit values are strings with patterns."""
        schema = json_schema()
        flow = schema["$defs"]["Flow"]["properties"]
        assert "from" in flow and "source" not in flow
        assert schema["$defs"]["Fault"]["properties"]["for"]["anyOf"][0]["type"] == "string"
        horizon = schema["properties"]["horizon"]["anyOf"][0]
        assert horizon["type"] == "string" and "pattern" in horizon
        assert "extends" in schema["properties"]
        assert schema["required"] == ["name"]

    def test_scenarios_validate_against_it(self, write: Write) -> None:
        """Real scenario files (as our reader reads them) satisfy the schema."""
        validator = jsonschema.Draft202012Validator(json_schema())
        for text in (TINY, RICH):
            value, _pos = read_text(text, "s", Path("."))
            assert [e.message for e in validator.iter_errors(value)] == []

    def test_catches_unknown_keys_and_bad_units(self) -> None:
        """An editor using the schema flags misspelt keys and unitless durations."""
        validator = jsonschema.Draft202012Validator(json_schema())
        value, _pos = read_text(
            TINY.replace("horizon: 2h", "horizon: 2h\nhorizn: 2"), "s", Path(".")
        )
        assert [e.message for e in validator.iter_errors(value)] == [
            "Additional properties are not allowed ('horizn' was unexpected)"
        ]
