"""Value kinds and model rules of the scenario format, checked through whole scenario files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sim.distributions import Constant, Exponential, Lognormal
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.profiles import P_DAY, P_LAB, P_LAB_RES, P_MIX

from .conftest import TINY, Write, messages


def scenario(write: Write, extra: str = "", base: str = TINY) -> Scenario:
    return load_scenario(write("s.yaml", base + extra))


def problems(write: Write, extra: str, base: str = TINY) -> list[str]:
    """The problems of TINY plus ``extra``, without the file name (lines count from 1)."""
    path = write("s.yaml", base + extra)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [line.removeprefix(f"{path}:") for line in messages(caught.value)]


class TestDefaults:
    def test_tiny_scenario_resolves_every_unit(self, write: Write) -> None:
        """The tiny scenario loads with seconds, rates per second and distribution objects."""
        s = scenario(write)
        assert (s.name, s.title, s.partial, s.seed) == ("tiny", "tiny", False, 1)
        assert s.horizon == 7200.0
        assert s.start == datetime(2026, 1, 5)
        assert s.flows["orders"].source == "ehr"
        assert s.flows["orders"].rate == 100 / 3600
        assert s.flows["orders"].priority == {"routine": 1.0}
        assert s.flows["orders"].reply is not None
        assert s.flows["orders"].reply.after == Exponential(1800.0)
        assert s.flows["results"].rate is None
        assert s.systems["lab"].ack == Exponential(0.1)
        assert list(s.flows) == ["orders", "results"]

    def test_defaults_follow_the_contract(self, write: Write) -> None:
        """Every default of the format's reference table is filled in."""
        s = scenario(write)
        assert (s.warmup, s.replications, s.sample_every, s.patients) == (0.0, 1, 60.0, 100_000)
        assert s.profile == (1.0,) * 24 and s.week == (1.0,) * 7
        assert (s.limits.messages, s.limits.queued, s.limits.wall) == (50_000_000, 10_000_000, None)
        engine = s.engine
        assert (engine.nodes, engine.store, engine.cores) == (1, "durable", 4)
        assert engine.transform == Constant(0.010)
        assert (engine.failover.mode, engine.failover.detect, engine.failover.switch) == (
            "active-passive",
            120.0,
            300.0,
        )
        system = s.systems["lab"]
        assert (system.connections, system.capacity, system.timeout) == (1, None, 30.0)
        st = s.strategy
        assert (st.queues, st.order, st.discipline.name, st.discipline.params) == (
            "per-destination",
            "none",
            "fifo",
            {},
        )
        assert (st.retry.backoff, st.retry.first, st.retry.cap, st.retry.jitter) == (
            "fixed",
            10.0,
            300.0,
            "none",
        )
        assert (st.retry.attempts, st.retry.then) == (None, "dead-letter")
        assert (st.on_reply.AE, st.on_reply.AR, st.on_reply.timeout) == (
            "retry",
            "dead-letter",
            "retry",
        )
        assert (st.breaker, st.drain, st.expire) == (None, None, None)
        assert (s.faults, s.fallback, s.staff, s.alerts, s.hypotheses, s.compare) == (
            (),
            None,
            None,
            (),
            (),
            {},
        )

    def test_fallback_and_staff_defaults(self, write: Write) -> None:
        """An empty fallback and empty staff entries take the documented defaults."""
        s = scenario(write, "fallback: {}\nstaff: {analysts: {}, clerks: {}}\n")
        assert s.fallback is not None and s.staff is not None
        assert s.fallback.share == {"stat": 0.9, "urgent": 0.5, "routine": 0.1}
        assert (s.fallback.trigger_after, s.fallback.phone_delay) == (1200.0, 900.0)
        assert (s.fallback.duplicate_risk, s.fallback.start_on_alert) == (0.3, False)
        assert s.staff.analysts is not None and s.staff.clerks is not None
        assert s.staff.analysts.fix == Lognormal(600.0, 240.0)
        assert (s.staff.analysts.count, s.staff.analysts.respond) == (1, 900.0)
        assert s.staff.analysts.start_on_alert is True
        assert s.staff.clerks.back_entry == Lognormal(180.0, 60.0)
        assert s.staff.clerks.reconcile == Lognormal(90.0, 30.0)

    def test_empty_lists_mean_none(self, write: Write) -> None:
        """'faults:' with nothing after it means no faults."""
        assert scenario(write, "faults:\nalerts:\n").faults == ()


class TestShapes:
    @pytest.mark.parametrize(
        ("name", "values"),
        [("lab", P_LAB), ("lab-results", P_LAB_RES), ("day", P_DAY), ("mixed", P_MIX)],
    )
    def test_named_profiles(self, write: Write, name: str, values: tuple[float, ...]) -> None:
        """Named day shapes resolve to the 24 numbers of domain.md 7.1."""
        assert scenario(write, f"profile: {name}\n").profile == values

    def test_profile_tables(self) -> None:
        """P_LAB_RES is P_LAB two hours later, and P_MIX the average of P_LAB and P_DAY."""
        assert P_LAB[7:9] == (12.0, 12.0)
        assert P_LAB_RES[9:11] == (12.0, 12.0)
        assert P_MIX[8] == (12.0 + 9.0) / 2
        assert sum(P_LAB) == pytest.approx(100)
        assert sum(P_DAY) == pytest.approx(100)

    def test_flow_shapes_override(self, write: Write) -> None:
        """A flow's own profile and week override the scenario's."""
        s = scenario(write, "week: [1, 1, 1, 1, 1, 0.6, 0.6]\n")
        assert s.week == (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.6)
        assert s.flows["orders"].profile is None and s.flows["orders"].week is None
        text = TINY.replace(
            "rate: 100/h,", "rate: 100/h, profile: day, week: [1, 1, 1, 1, 1, 0, 0],"
        )
        flow = scenario(write, base=text).flows["orders"]
        assert flow.profile == P_DAY
        assert flow.week == (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)

    @pytest.mark.parametrize(
        ("extra", "expected"),
        [
            (
                "profile: labs\n",
                "9: profile: 'labs' is not a named profile; use flat, lab, "
                "lab-results, day, mixed or 24 numbers; did you mean 'lab'?",
            ),
            (
                "profile: [1, 2, 3]\n",
                "9: profile: a profile (one weight per hour, 00:00 first) "
                "needs 24 numbers, found 3 numbers",
            ),
            (
                "week: [1, 1, 1, 1, 1, 1]\n",
                "9: week: a week (Monday first) needs 7 numbers, found 6 numbers",
            ),
            ("week: [1, 1, 1, 1, 1, -1, 1]\n", "9: week.5: -1 is negative; weights are 0 or more"),
            (
                "week: [0, 0, 0, 0, 0, 0, 0]\n",
                "9: week: every number of the a week (Monday first) is zero",
            ),
            (
                "week: [1, 1, 1, 1, 1, '1', 1]\n",
                "9: week.5: '1' is text; write the number without quotes",
            ),
        ],
    )
    def test_bad_shapes(self, write: Write, extra: str, expected: str) -> None:
        """Profiles need a known name or 24 numbers; weeks 7; all finite and not negative."""
        assert problems(write, extra) == [expected]


class TestClasses:
    def test_priority_share_and_deadlines(self, write: Write) -> None:
        """Shares summing to 1 within 1e-9 and per-class deadlines are read in rank order."""
        text = TINY.replace(
            "rate: 100/h,",
            "rate: 100/h, priority: {routine: 0.7, stat: 0.2, urgent: 0.1}, "
            "deadline: {stat: 1h, routine: 8h},",
        )
        flow = scenario(write, base=text).flows["orders"]
        assert list(flow.priority) == ["stat", "urgent", "routine"]
        assert flow.deadline == {"stat": 3600.0, "routine": 28800.0}

    def test_share_within_tolerance(self, write: Write) -> None:
        """Shares that sum to 1 up to rounding (1e-9) are accepted."""
        text = TINY.replace(
            "rate: 100/h,",
            "rate: 100/h, priority: {stat: 0.1, urgent: 0.2, routine: 0.7000000000001},",
        )
        assert scenario(write, base=text).flows["orders"].priority["routine"] == 0.7000000000001

    def test_reply_after_per_class(self, write: Write) -> None:
        """reply.after may give a distribution per class."""
        text = TINY.replace(
            "after: exponential(30min)",
            "after: {stat: lognormal(45min, 10min), routine: lognormal(3h, 1h)}",
        )
        reply = scenario(write, base=text).flows["orders"].reply
        assert reply is not None
        assert reply.after == {
            "stat": Lognormal(2700.0, 600.0),
            "routine": Lognormal(10800.0, 3600.0),
        }

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                "rate: 100/h,",
                "rate: 100/h, priority: {stta: 1},",
                "4: flows.orders.priority.stta: "
                "'stta' is not a priority class; use stat, urgent or routine; did you mean 'stat'?",
            ),
            (
                "rate: 100/h,",
                "rate: 100/h, priority: {stat: 1.5, routine: -0.5},",
                "4: flows.orders.priority.stat: 1.5 is not a share; write a number from 0 to 1, "
                "e.g. 0.3",
            ),
            (
                "rate: 100/h,",
                "rate: 100/h, deadline: {stat: 1},",
                "4: flows.orders.deadline.stat: "
                "1 has no unit, and a plain number is ambiguous; write e.g. '1s' or '1min'",
            ),
            (
                "after: exponential(30min)",
                "after: {stat: exponential(1h), urgent: 2h}",
                "4: flows.orders.reply.after.urgent: '2h' is a duration, not a distribution; "
                "write 'constant(2h)' for a fixed time or 'exponential(2h)' for a random one "
                "with that mean",
            ),
            (
                "rate: 100/h,",
                "rate: 100/h, priority: routine,",
                "4: flows.orders.priority: "
                "expected a mapping of class -> share, e.g. {stat: ..., routine: ...}, found "
                "'routine'",
            ),
            (
                "rate: 100/h,",
                "rate: 100/h, priority: {},",
                "4: flows.orders.priority: is empty; "
                "name at least one class: stat, urgent or routine",
            ),
        ],
    )
    def test_bad_class_maps(self, write: Write, old: str, new: str, expected: str) -> None:
        """Unknown classes, bad shares, unitless deadlines are named at the class."""
        assert problems(write, "", base=TINY.replace(old, new)) == [expected]


class TestChoicesAndNumbers:
    def test_strategy_values(self, write: Write) -> None:
        """Strategy choices, retry and protections are read with their units."""
        s = scenario(
            write,
            """\
strategy:
  queues: shared
  order: per-patient
  discipline: {priority: {results_first: true}}
  retry: {backoff: exponential, first: 1s, cap: 5min, jitter: full, attempts: 10, then: park}
  on_reply: {AE: park, AR: suspend}
  breaker: {after: 5, open: 1min}
  drain: {rate: 30/s}
  expire: {after: 4h}
""",
        ).strategy
        assert (s.queues, s.order) == ("shared", "per-patient")
        assert (s.discipline.name, s.discipline.params) == ("priority", {"results_first": True})
        assert (s.retry.backoff, s.retry.first, s.retry.attempts, s.retry.then) == (
            "exponential",
            1.0,
            10,
            "park",
        )
        assert (s.on_reply.AE, s.on_reply.AR, s.on_reply.timeout) == ("park", "suspend", "retry")
        assert s.breaker is not None and (s.breaker.after, s.breaker.open) == (5, 60.0)
        assert s.drain is not None and s.drain.rate == 30.0
        assert s.expire is not None and (s.expire.after, s.expire.to) == (14400.0, "paper")

    def test_disciplines_fill_parameter_defaults(self, write: Write) -> None:
        """codel and fair get their parameters, durations in seconds, defaults filled."""
        codel = scenario(write, "strategy: {discipline: {codel: {target: 2s}}}\n")
        assert codel.strategy.discipline.params == {"target": 2.0, "interval": 60.0}
        fair = scenario(write, "strategy: {discipline: {fair: {weights: {orders: 2}}}}\n")
        assert fair.strategy.discipline.params == {"weights": {"orders": 2.0}}

    @pytest.mark.parametrize(
        ("extra", "expected"),
        [
            (
                "strategy: {queues: shard}\n",
                "9: strategy.queues: 'shard' is not a queue layout; "
                "write one of: shared, per-destination, per-flow; did you mean 'shared'?",
            ),
            (
                "strategy: {discipline: fifoo}\n",
                "9: strategy.discipline: 'fifoo' is not a "
                "discipline; use one of fifo, lifo, priority, codel, fair; did you mean 'fifo'?",
            ),
            (
                "strategy: {discipline: {codel: {targt: 5s}}}\n",
                "9: strategy.discipline.codel."
                "targt: unknown parameter 'targt' of codel (its parameters: target, interval); did "
                "you mean 'target'?",
            ),
            (
                "strategy: {order: strict, discipline: codel}\n",
                "9: strategy.discipline: codel "
                "drops from the head of a queue, which breaks 'order: strict'; use codel with "
                "'order: none', or another discipline",
            ),
            (
                "strategy: {discipline: {fair: {weights: {ordres: 2}}}}\n",
                "9: strategy.discipline."
                "fair.weights.ordres: there is no flow 'ordres'; did you mean 'orders'?",
            ),
            (
                "strategy: {retry: {attempts: 0}}\n",
                "9: strategy.retry.attempts: 0 is not a number "
                "of attempts; write 1 or more, or unlimited",
            ),
            (
                "strategy: {on_reply: {AE: ignore}}\n",
                "9: strategy.on_reply.AE: 'ignore' is not a "
                "reply action; write one of: retry, park, dead-letter, suspend",
            ),
            (
                "strategy: {breaker: {after: 5}}\n",
                "9: strategy.breaker: 'open' is required: how long it stays open, e.g. open: 1min",
            ),
            (
                "engine: {nodes: 2.5}\n",
                "9: engine.nodes: expected a whole number of 1 or more, found 2.5",
            ),
            (
                "engine: {store: disk}\n",
                "9: engine.store: 'disk' is not a store; write one of: durable, memory",
            ),
            (
                "limits: {messages: 0}\n",
                "9: limits.messages: 0 is too small; write a whole number of 1 or more",
            ),
            (
                "replications: 0\n",
                "9: replications: 0 is too small; write a whole number of 1 or more",
            ),
            (
                "replications: '3'\n",
                "9: replications: '3' is text; write the whole number without quotes",
            ),
            (
                "fallback: {start_on_alert: 1}\n",
                "9: fallback.start_on_alert: 1 is not true or false; write true or false",
            ),
            (
                "fallback: {duplicate_risk: 1.3}\n",
                "9: fallback.duplicate_risk: 1.3 is not a "
                "share; write a number from 0 to 1, e.g. 0.3",
            ),
            (
                "warmup: 3h\n",
                "9: warmup: warmup must end before the horizon; shorten warmup or lengthen horizon",
            ),
            ("title: 2017\n", "9: title: expected text, found 2017; put it in quotes: '2017'"),
            (
                "sample_every: 0s\n",
                "9: sample_every: '0s' is zero; a duration here must be positive",
            ),
        ],
    )
    def test_bad_values(self, write: Write, extra: str, expected: str) -> None:
        """Each wrong choice or number is named with what to write instead."""
        assert problems(write, extra) == [expected]

    def test_by_name_keys_are_not_yaml_keys(self, write: Write) -> None:
        """Python field names ('source') are not accepted in place of YAML keys ('from')."""
        text = TINY.replace("results: {from: lab,", "results: {source: lab, from: lab,")
        assert problems(write, "", base=text) == [
            "5: flows.results.source: unknown key 'source'; the keys here are: from, to, "
            "message, rate, trace, profile, week, priority, deadline, reply"
        ]


class TestFlowsAndSystems:
    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            (
                "results: {from: lab, to: ehr}",
                "results: {from: lab, to: lab}",
                "5: flows.results.from: a flow runs between ehr and one system; neither 'from' nor "
                "'to' is ehr",
            ),
            (
                "  ehr: {ack: constant(50ms)}\n",
                "",
                "5: flows.results.to: the receiver 'ehr' needs an entry under 'systems' (its ack "
                "time), e.g. systems: {ehr: {ack: lognormal(100ms, 50ms)}}",
            ),
            (
                "results: {from: lab,",
                "results: {from: lba,",
                "5: flows.results.from: 'lba' is not a system listed under 'systems' (listed: lab, "
                "ehr); did you mean 'lab'?",
            ),
            (
                "results: {from: lab, to: ehr}",
                "results: {from: ehr, to: lab}",
                "4: flows.orders.reply.flow: results come from this flow's receiver 'lab', but "
                "flow 'results' runs from 'ehr'; name a flow whose 'from' is 'lab'",
            ),
            (
                "rate: 100/h,",
                "rate: 100/h, trace: [{time: 1, priority: stat, patient: 7}],",
                "4: flows.orders.trace: give either 'rate' or 'trace', not both",
            ),
            (
                "  orders:",
                "  lab orders:",
                "4: flows.lab orders: 'lab orders' is not a valid id; use letters, digits, '-' and "
                "'_' (no spaces or dots), e.g. 'lab-orders'",
            ),
            (
                "reply: {flow: results,",
                "reply: {flow: results, count: 0.5,",
                "4: flows.orders.reply.count: 0.5 is not a mean count of results; write a number "
                "of 1 or more",
            ),
            (
                "  lab: {ack: exponential(100ms)}",
                "  lab: {ack: exponential(100ms), capacity: 40}",
                "7: systems.lab.capacity: 40 has no unit; write it per time, e.g. '40/h' or '40/s'",
            ),
        ],
    )
    def test_bad_flows(self, write: Write, old: str, new: str, expected: str) -> None:
        """Flows join ehr with a listed system; replies run back; ids are plain."""
        assert problems(write, "", base=TINY.replace(old, new)) == [expected]

    def test_ehr_to_ehr_is_refused(self, write: Write) -> None:
        """A flow from ehr to ehr is refused."""
        loop = "  results: {from: lab, to: ehr}\n  loop: {from: ehr, to: ehr}"
        path = write("s.yaml", TINY.replace("  results: {from: lab, to: ehr}", loop))
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path)
        assert messages(caught.value) == [
            f"{path}:6: flows.loop.to: 'from' and 'to' are both ehr; one of them must be the "
            "other system"
        ]


class TestHypothesesAndAlerts:
    def test_durations_for_seconds_metrics(self, write: Write) -> None:
        """A *_s metric takes a duration; others take numbers."""
        s = scenario(
            write,
            "hypotheses:\n"
            "  - {metric: recovery_time_s, below: 3h}\n"
            "  - {metric: late.stat, below: 50}\n"
            "  - {metric: latency_s.orders.stat.p95, above: 0s}\n",
        )
        assert [(h.metric, h.below, h.above) for h in s.hypotheses] == [
            ("recovery_time_s", 10800.0, None),
            ("late.stat", 50.0, None),
            ("latency_s.orders.stat.p95", None, 0.0),
        ]

    def test_alerts(self, write: Write) -> None:
        """Alerts name a queue and exactly one condition."""
        s = scenario(
            write, "alerts:\n  - {queue: lab, depth_above: 500}\n  - {oldest_older_than: 10min}\n"
        )
        assert [(a.queue, a.depth_above, a.oldest_older_than) for a in s.alerts] == [
            ("lab", 500, None),
            ("any", None, 600.0),
        ]

    @pytest.mark.parametrize(
        ("extra", "expected"),
        [
            (
                "hypotheses:\n  - {metric: late.stat, below: 3h}\n",
                "10: hypotheses.0.below: '3h' "
                "is text, but metric 'late.stat' is a count, not seconds; write a number",
            ),
            (
                "hypotheses:\n  - {metric: late.stat, below: 3, above: 1}\n",
                "10: hypotheses.0: a hypothesis needs exactly one of below, above or equals",
            ),
            (
                "hypotheses:\n  - {metric: late.stat}\n",
                "10: hypotheses.0: a hypothesis needs exactly one of below, above or equals",
            ),
            (
                "hypotheses:\n  - {metric: late.stat, equals: .nan}\n",
                "10: hypotheses.0.equals: nan is not a bound; write a number",
            ),
            (
                "hypotheses:\n  - {metric: 'late stat', equals: 0}\n",
                "10: hypotheses.0.metric: "
                "'late stat' is not a metric; write its path in summary.json, e.g. "
                "'recovery_time_s' or 'late.stat'",
            ),
            (
                "alerts:\n  - {queue: lab, depth_above: 5, oldest_older_than: 1min}\n",
                "10: "
                "alerts.0: an alert needs exactly one condition: depth_above (messages) or "
                "oldest_older_than (a duration)",
            ),
            (
                "alerts:\n  - {queue: labb, depth_above: 5}\n",
                "10: alerts.0.queue: a queue is "
                "'any' or a system id; 'labb' is not a system listed under 'systems' (listed: lab, "
                "ehr); did you mean 'lab'?",
            ),
            (
                "hypotheses: {metric: late.stat}\n",
                "9: hypotheses: expected a list (lines starting with '- '), found a mapping",
            ),
        ],
    )
    def test_bad_hypotheses_and_alerts(self, write: Write, extra: str, expected: str) -> None:
        """Hypotheses need one bound of the right kind; alerts one condition on a known queue."""
        assert problems(write, extra) == [expected]


class TestStartAndClock:
    def test_clock_times_follow_start(self, write: Write) -> None:
        """Fault times are offsets from start, which may come later in the file."""
        s = scenario(
            write,
            "faults:\n  - {kind: surge, at: 14:00, for: 1h, severity: 2}\n"
            "start: 2017-12-06T08:00\n",
        )
        assert s.start == datetime(2017, 12, 6, 8, 0)
        assert s.faults[0].at == 6 * 3600.0

    def test_bad_start_is_reported_once(self, write: Write) -> None:
        """A bad start is one problem; clock times are then read against the default start."""
        assert problems(
            write,
            "start: tomorrow\nfaults:\n  - {kind: surge, at: '10:00', for: 1h, severity: 2}\n",
        ) == ["9: start: 'tomorrow' is not an ISO date and time; write e.g. '2017-12-06T09:30'"]


def test_scenario_is_frozen(write: Write, tmp_path: Path) -> None:
    """A loaded scenario cannot be changed in place."""
    s = scenario(write)
    with pytest.raises(ValueError):
        s.horizon = 1.0  # type: ignore[misc]
    assert tmp_path.exists()
