"""What `ehrsim compare` may claim: paired differences, Pareto front, trade-offs, warnings.

Unit tests of :mod:`sim.experiments.verdicts` with numbers worked out by hand, and small worlds
built to trigger each verdict end to end (the API, and the CLI for what it prints and writes).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.experiments.compare import Comparison, Figure, compare, rank
from sim.experiments.figures import score
from sim.experiments.verdicts import (
    GivenUp,
    TradeOff,
    dominates,
    given_up,
    identical_variants,
    judge,
    paired_difference,
    paired_values,
    pareto_front,
    replication_warning,
    scenario_key,
    trade_offs,
    zero_metrics,
)
from sim.metrics.stats import mean_ci
from sim.report.compare_text import difference_text, given_up_text, trade_off_text
from sim.report.comparison import metric_panels, ranked_section
from sim.report.plots import comparison_metrics_figure
from sim.report.tables import human_seconds
from sim.scenario import load_variants

# Covers: the paired test under common random numbers.
# Scenario: one order flow (900/h) into a lab; the engine stalls 08:30-09:00 and the backlog
#   peaks at the stall's end at about the orders created during it. `longer` stalls one minute
#   more (every replication peaks ~15 higher: the extra minute's arrivals), `later` stalls
#   the same 30 minutes one minute later (it gains one minute's arrivals and loses another:
#   zero on average). Arrivals vary ±20 between replications, more than either effect.
PAIRED = """\
name: paired
seed: 11
start: 2026-01-05T08:00
horizon: 2h
replications: 5
flows:
  orders: {from: ehr, to: lab, rate: 900/h}
systems:
  lab: {ack: exponential(100ms), connections: 2}
faults:
  - {name: stall, kind: engine-stall, at: "08:30", for: 30min}
compare:
  longer: {faults: [{name: stall, kind: engine-stall, at: "08:30", for: 31min}]}
  later: {faults: [{name: stall, kind: engine-stall, at: "08:31", for: 30min}]}
"""

# Covers: a variant that wins on recovery by giving work up.
# Scenario: 3,600 orders/h into a lab that files 2/s; a 30-minute stall holds ~1,800 orders,
#   which drain at the 1/s the lab has to spare: ~30 minutes to recover. `expire` sends every
#   order that waited 10 minutes to paper (~1,200 of them) and recovers in ~10 minutes.
EXPIRE = """\
name: expire-world
seed: 5
start: 2026-01-05T08:00
horizon: 3h
replications: 3
flows:
  orders: {from: ehr, to: lab, rate: 3600/h}
systems:
  lab: {ack: exponential(100ms), connections: 2, capacity: 2/s}
faults:
  - {name: stall, kind: engine-stall, at: "08:30", for: 30min}
compare:
  expire: {strategy: {expire: {after: 10min}}}
"""

# Covers: warnings for few replications and for a variant that repeats the baseline.
# Scenario: a lab and a radiology interface, 600 orders/h each, a 20-minute stall. `copy`
#   sets the lab's timeout to its default (30 s) and a seed compare ignores: the same
#   scenario as the baseline. `more` gives the lab a third connection: a different one.
COPY = """\
name: copy-world
seed: 2
start: 2026-01-05T08:00
horizon: 1h
replications: 2
flows:
  orders: {from: ehr, to: lab, rate: 600/h}
  imaging: {from: ehr, to: ris, rate: 600/h}
systems:
  lab: {ack: exponential(100ms), connections: 2}
  ris: {ack: exponential(100ms), connections: 2}
faults:
  - {name: stall, kind: engine-stall, at: "08:20", for: 20min}
compare:
  copy: {seed: 99, systems: {lab: {timeout: 30s}}}
  more: {systems: {lab: {connections: 3}}}
"""

runner = CliRunner()


def world(tmp: Path, text: str, name: str) -> Path:
    """A scenario file holding ``text``."""
    path = tmp / f"{name}.yaml"
    path.write_text(text)
    return path


def invoke(*args: str) -> Result:
    """Run the CLI in this process."""
    return runner.invoke(app, list(args))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the three worlds' scenario files."""
    tmp = tmp_path_factory.mktemp("worlds")
    for name, text in (("paired", PAIRED), ("expire", EXPIRE), ("copy", COPY)):
        world(tmp, text, name)
    return tmp


@pytest.fixture(scope="module")
def paired(worlds: Path) -> Comparison:
    """The stall world's three variants ranked by peak backlog, 5 replications."""
    return compare(load_variants(worlds / "paired.yaml"), ["peak_backlog"], jobs=1)


@pytest.fixture(scope="module")
def expired(worlds: Path) -> Comparison:
    """The expiry world with the default metrics, 3 replications."""
    return compare(load_variants(worlds / "expire.yaml"), jobs=1)


class TestPairedDifference:
    def test_the_interval_is_the_t_interval_of_the_differences(self) -> None:
        """Differences 2, 3, 1, 3: mean 2.25, sd 0.9574, t(3) 3.182, interval [0.7267, 3.7733]."""
        diff = paired_difference([10.0, 12.0, 15.0, 11.0], [8.0, 9.0, 14.0, 8.0])
        half = 3.182 * math.sqrt(2.75 / 3) / 2  # variance of the differences 2.75/3, n = 4
        assert diff.pairs == 4
        assert diff.mean == pytest.approx(2.25)
        assert diff.ci95 == pytest.approx((2.25 - half, 2.25 + half))
        assert diff.ci95 == pytest.approx((0.726733, 3.773267), abs=1e-6)
        assert diff.distinguishable is True

    def test_pairing_distinguishes_what_two_independent_intervals_do_not(self) -> None:
        """The same numbers as two unpaired means: their intervals overlap, the paired one
        excludes 0."""
        a, b = [10.0, 12.0, 15.0, 11.0], [8.0, 9.0, 14.0, 8.0]
        _, a_low, _ = mean_ci(a)
        _, _, b_high = mean_ci(b)
        assert a_low < b_high  # unpaired: the intervals overlap
        assert paired_difference(a, b).distinguishable is True

    def test_the_sign_is_variant_minus_reference(self) -> None:
        """A variant below its reference has a negative mean difference and interval."""
        diff = paired_difference([8.0, 9.0, 14.0, 8.0], [10.0, 12.0, 15.0, 11.0])
        assert diff.mean == pytest.approx(-2.25)
        assert diff.ci95 is not None and diff.ci95[1] == pytest.approx(-0.726733, abs=1e-6)

    def test_an_interval_that_includes_0_is_not_distinguishable(self) -> None:
        """Differences 1, -1, 2, -2: mean 0, interval around 0."""
        diff = paired_difference([5.0, 3.0, 6.0, 2.0], [4.0, 4.0, 4.0, 4.0])
        assert diff.mean == 0.0 and diff.distinguishable is False

    def test_equal_values_are_not_distinguishable_and_a_constant_shift_is(self) -> None:
        """Identical replications give the interval [0, 0]; a constant +2 gives [2, 2]."""
        same = paired_difference([5.0, 7.0], [5.0, 7.0])
        assert (same.mean, same.ci95, same.distinguishable) == (0.0, (0.0, 0.0), False)
        shifted = paired_difference([7.0, 9.0], [5.0, 7.0])
        assert (shifted.mean, shifted.ci95, shifted.distinguishable) == (2.0, (2.0, 2.0), True)

    def test_nulls_leave_their_replication_out_and_one_pair_has_no_interval(self) -> None:
        """Only replications where both have a value pair up; one pair gives no interval."""
        diff = paired_difference([1.0, None, 3.0], [0.0, 5.0, None])
        assert (diff.pairs, diff.mean, diff.ci95, diff.distinguishable) == (1, 1.0, None, None)
        none = paired_difference([None, None], [1.0, 2.0])
        assert (none.pairs, none.mean, none.distinguishable) == (0, None, None)
        with pytest.raises(ValueError):
            paired_difference([1.0, 2.0], [1.0])

    def test_a_recovery_without_faults_pairs_as_zero(self) -> None:
        """No fault in any replication counts as a recovery time of 0, as in the ranking."""
        m = "recovery_time_s"
        assert paired_values(Figure(m, (None, None), no_fault=2)) == [0.0, 0.0]
        assert paired_values(Figure(m, (60.0, None))) == [60.0, None]

    def test_the_cell_says_the_difference_its_interval_and_the_verdict(self) -> None:
        """The table's "vs best" cell: signed durations, the interval, the verdict."""
        diff = paired_difference([3800.0, 4000.0, 4500.0], [0.0, 200.0, 400.0])
        text = difference_text("recovery_time_s", diff, 3)
        assert text.startswith("+1h 05m [+") and text.endswith("]\ndistinguishable")
        assert difference_text("peak_backlog", paired_difference([5.0, 3.0], [4.0, 4.0]), 2) == (
            "0 [−12.7, +12.7]\nnot distinguishable"
        )
        assert difference_text("peak_backlog", None, 3) == "best"
        one = paired_difference([5.0], [4.0])
        assert difference_text("peak_backlog", one, 1) == "no interval (1 replication)"
        assert difference_text("peak_backlog", None, 1) == "no interval (1 replication)"


class TestParetoFront:
    def test_a_small_set(self) -> None:
        """b dominates c; a and e trade one metric for the other; nothing beats a, b or e."""
        scores = {
            "a": [(0, 1.0), (0, 5.0)],
            "b": [(0, 2.0), (0, 2.0)],
            "c": [(0, 3.0), (0, 3.0)],
            "e": [(0, 0.5), (0, 9.0)],
        }
        assert pareto_front(scores) == ["a", "b", "e"]
        assert dominates(scores["b"], scores["c"]) and not dominates(scores["a"], scores["b"])

    def test_ties(self) -> None:
        """Equal scores do not dominate each other; equal on one metric and better on the other
        does."""
        scores = {
            "a": [(0, 1.0), (0, 5.0)],
            "twin": [(0, 1.0), (0, 5.0)],
            "tie-then-worse": [(0, 1.0), (0, 6.0)],
        }
        assert pareto_front(scores) == ["a", "twin"]
        assert not dominates(scores["a"], scores["twin"])
        assert dominates(scores["a"], scores["tie-then-worse"])

    def test_directions_and_nulls_come_from_the_ranking_score(self) -> None:
        """Goodput is higher-is-better; not recovering is worse than any recovery time."""
        assert score(Figure("goodput_share", (0.9, 0.9))) == (0, -0.9)
        assert score(Figure("recovery_time_s", (60.0, None))) == (1, 60.0)
        hi = {
            "good": [score(Figure("goodput_share", (0.9,)))],
            "bad": [score(Figure("goodput_share", (0.5,)))],
        }
        assert pareto_front(hi) == ["good"]
        rec = {
            "slow": [score(Figure("recovery_time_s", (7200.0, 7000.0)))],
            "stuck": [score(Figure("recovery_time_s", (60.0, None)))],
        }
        assert pareto_front(rec) == ["slow"]


def figs(**values: tuple[float | None, ...]) -> dict[str, Figure]:
    """Figures by metric, given as keyword names with ``__`` for ``.``."""
    return {k.replace("__", "."): Figure(k.replace("__", "."), v) for k, v in values.items()}


COUNTS_ZERO = dict.fromkeys(
    ("messages.expired", "messages.shed", "messages.dead_lettered", "messages.lost",
     "messages.duplicates", "messages.on_paper"), 0.0,
)  # fmt: skip


class TestTradeOffs:
    def test_a_variant_that_recovers_faster_by_expiring_to_paper_is_flagged(self) -> None:
        """It ranks above the baseline and expires 11,939.4 messages on average: said whole."""
        figures = {
            "baseline": figs(recovery_time_s=(7200.0, 7320.0)),
            "expire-to-paper": figs(recovery_time_s=(60.0, 60.0)),
        }
        counts = {
            "baseline": COUNTS_ZERO,
            "expire-to-paper": {**COUNTS_ZERO, "messages.expired": 11939.4},
        }
        (trade,) = trade_offs(
            figures, ["recovery_time_s"], ["expire-to-paper", "baseline"], "baseline", counts
        )
        assert trade.metric == "recovery_time_s"
        assert (trade.baseline_mean, trade.mean) == (7260.0, 60.0)
        assert trade.given_up == (GivenUp("messages.expired", 0.0, 11939.4),)
        assert trade_off_text(trade) == (
            "expire-to-paper recovers 2h 00m faster than baseline while sending 11,939 "
            "messages to paper (expired)"
        )

    def test_only_a_variant_above_the_baseline_that_gives_up_more_is_flagged(self) -> None:
        """Below the baseline, or above it without giving up more: no flag."""
        m = "recovery_time_s"
        figures = {
            "fast-clean": figs(recovery_time_s=(10.0, 10.0)),
            "baseline": figs(recovery_time_s=(100.0, 100.0)),
            "slow-shedding": figs(recovery_time_s=(500.0, 500.0)),
        }
        counts = {
            "fast-clean": {**COUNTS_ZERO, "messages.shed": 0.4},  # rounds to 0: not a give-up
            "baseline": COUNTS_ZERO,
            "slow-shedding": {**COUNTS_ZERO, "messages.shed": 800.0},
        }
        ranking = ["fast-clean", "baseline", "slow-shedding"]
        assert trade_offs(figures, [m], ranking, "baseline", counts) == []

    def test_the_decisive_metric_is_the_first_that_differs(self) -> None:
        """Tied on recovery, ahead on peak backlog: the flag names the peak backlog."""
        figures = {
            "baseline": figs(recovery_time_s=(60.0,), peak_backlog=(2000.0,)),
            "shed": figs(recovery_time_s=(60.0,), peak_backlog=(500.0,)),
        }
        counts = {
            "baseline": {**COUNTS_ZERO, "messages.duplicates": 30.0},
            "shed": {**COUNTS_ZERO, "messages.shed": 1.0, "messages.duplicates": 150.0},
        }
        metrics = ["recovery_time_s", "peak_backlog"]
        (trade,) = trade_offs(figures, metrics, ["shed", "baseline"], "baseline", counts)
        assert trade.metric == "peak_backlog"
        assert trade_off_text(trade) == (
            "shed beats baseline on peak backlog by 1,500 while shedding 1 message and "
            "filing 120 more duplicates (150 against 30)"
        )

    def test_recovering_more_often_is_said_as_such(self) -> None:
        """A baseline that did not recover in one replication of three."""
        trade = TradeOff(
            "expire", "baseline", "recovery_time_s", 3, 600.0, 60.0, 1, 0,
            (GivenUp("messages.on_paper", 2000.0, 2500.0),),
        )  # fmt: skip
        assert trade_off_text(trade) == (
            "expire recovers in 3/3 replications against 2/3 for baseline while putting 500 "
            "more orders on paper (2,500 against 2,000)"
        )

    def test_each_counter_is_read_from_the_summary(self) -> None:
        """given_up reads the six counters of summary.json's messages, 0 where absent."""
        summary = {"messages": {"expired": 3.5, "shed": 1, "lost": None}}
        counts = given_up(summary)
        assert counts["messages.expired"] == 3.5 and counts["messages.shed"] == 1.0
        assert counts["messages.lost"] == 0.0 and counts["messages.on_paper"] == 0.0
        assert given_up_text(GivenUp("messages.dead_lettered", 0.0, 0.5)) == (
            "dead-lettering 1 message"
        )


class TestWarnings:
    @pytest.mark.parametrize(
        ("n", "start"),
        [
            (1, "one replication per variant: no interval can be computed"),
            (2, "only 2 replications per variant"),
            (4, "only 4 replications per variant"),
        ],
    )
    def test_fewer_than_5_replications_are_warned_of(self, n: int, start: str) -> None:
        """1 to 4 replications draw a warning that says what it costs; 5 draw none."""
        text = replication_warning(n)
        assert text is not None and text.startswith(start)
        assert text.endswith("run 5 or more replications")
        assert replication_warning(5) is None

    def test_a_variant_equal_to_the_baseline_is_found(self, worlds: Path) -> None:
        """Default values, another seed or title: the same scenario; a connection more: not."""
        variants = load_variants(
            worlds / "copy.yaml",
            extra={"renamed": {"title": "other", "hypotheses": [{"metric": "late.stat",
                                                                  "below": 3}]}},
        )  # fmt: skip
        keys = {name: scenario_key(s) for name, s in variants.items()}
        assert identical_variants(keys) == [("copy", "baseline"), ("renamed", "baseline")]
        assert keys["more"] != keys["baseline"]

    def test_identical_variants_name_the_first_of_their_kind(self) -> None:
        """Two non-baseline variants equal to each other: the second names the first."""
        keys = {"baseline": "k0", "a": "k1", "b": "k1", "c": "k0"}
        assert identical_variants(keys) == [("b", "a"), ("c", "baseline")]

    def test_zero_metrics(self) -> None:
        """A metric 0 in every replication of every variant; a null is not 0."""
        a = figs(x=(0.0, 0.0), y=(0.0, 1.0), z=(0.0, None))
        b = figs(x=(0.0, 0.0), y=(0.0, 0.0), z=(0.0, 0.0))
        assert zero_metrics(["x", "y", "z"], [a, b]) == ["x"]


class TestPairedWorld:
    def test_a_consistent_small_effect_is_distinguishable_and_noise_is_not(
        self, paired: Comparison
    ) -> None:
        """`longer` peaks higher in every replication; `later` goes either way."""
        v = paired.verdicts
        best = paired.ranking[0]
        assert best in ("baseline", "later") and v.best == best
        assert v.paired["longer"].distinguishable is True
        other = "later" if best == "baseline" else "baseline"
        assert v.paired[other].distinguishable is False
        ref = paired.variants[best].figures["peak_backlog"].values
        for name in ("longer", other):
            mine = paired.variants[name].figures["peak_backlog"].values
            diffs = [
                m - r for m, r in zip(mine, ref, strict=True) if m is not None and r is not None
            ]
            mean, low, high = mean_ci(diffs)
            d = v.paired[name]
            assert (d.pairs, d.mean) == (5, pytest.approx(mean))
            assert d.ci95 == pytest.approx((low, high))
        assert v.paired["longer"].mean is not None and v.paired["longer"].mean > 5

    def test_the_unpaired_intervals_of_the_same_variants_overlap(self, paired: Comparison) -> None:
        """Without pairing `longer` could not be told from the best: the CRN pairing decides."""
        best = paired.variants[paired.ranking[0]].figures["peak_backlog"].ci95
        longer = paired.variants["longer"].figures["peak_backlog"].ci95
        assert best is not None and longer is not None
        assert longer[0] < best[1]

    def test_the_table_and_csv_show_the_verdicts(self, worlds: Path, tmp_path: Path) -> None:
        """The ranked table says what it ranks by, the paired differences and the verdicts;
        comparison.csv has the difference columns and `distinguishable`."""
        out = tmp_path / "o"
        result = invoke(
            "compare", str(worlds / "paired.yaml"), "--jobs", "1", "--metric", "peak_backlog",
            "--out", str(out),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        text = " ".join(result.stdout.split())
        assert "Ranked by peak backlog (lower is better): mean ± 95% CI half-width over 5" in text
        assert "not distinguishable when the CI includes 0" in text
        assert "distinguishable" in result.stdout and "not distinguishable" in result.stdout
        assert "warning" not in result.stderr  # 5 replications, three different scenarios
        rows = {r["variant"]: r for r in read_csv(out / "comparison.csv")}
        assert list(next(iter(rows.values())))[:11] == [
            "variant", "rank", "peak_backlog", "peak_backlog.ci95_low", "peak_backlog.ci95_high",
            "peak_backlog.nulls", "peak_backlog.diff_to_best", "peak_backlog.diff_ci95_low",
            "peak_backlog.diff_ci95_high", "peak_backlog.diff_pairs", "distinguishable",
        ]  # fmt: skip
        assert rows["longer"]["distinguishable"] == "true"
        assert float(rows["longer"]["peak_backlog.diff_ci95_low"]) > 0
        best = next(r for r in rows.values() if r["rank"] == "1")
        assert best["distinguishable"] == "" and best["peak_backlog.diff_to_best"] == ""
        assert {r["distinguishable"] for r in rows.values() if r["rank"] != "1"} == {
            "true", "false"
        }  # fmt: skip
        data = json.loads((out / "summary.json").read_text())
        assert data["ranked_by"] == {"metric": "peak_backlog", "better": "lower"}
        assert data["paired"]["variants"]["longer"]["distinguishable"] is True
        assert data["warnings"] == [] and data["identical"] == []


class TestExpireWorld:
    def test_expiring_to_paper_wins_recovery_and_is_flagged_with_the_figure(
        self, expired: Comparison
    ) -> None:
        """`expire` ranks first on recovery; the flag says how much faster and how many
        messages it sent to paper, with thousands separators."""
        assert expired.ranking == ["expire", "baseline"]
        (trade,) = expired.verdicts.trade_offs
        count = expired.variants["expire"].summary["messages"]["expired"]
        assert count > 1000
        assert trade.given_up == (GivenUp("messages.expired", 0.0, count),)
        base = expired.variants["baseline"].figures["recovery_time_s"].mean
        mine = expired.variants["expire"].figures["recovery_time_s"].mean
        assert base is not None and mine is not None and base - mine > 600
        assert trade_off_text(trade) == (
            f"expire recovers {human_seconds(base - mine)} faster than baseline while sending "
            f"{math.floor(count + 0.5):,} messages to paper (expired)"
        )
        assert "," in f"{math.floor(count + 0.5):,}"

    def test_both_are_on_the_pareto_front(self, expired: Comparison) -> None:
        """Faster recovery against more expired messages: neither dominates."""
        assert expired.verdicts.pareto == ["expire", "baseline"]
        judged = judge(
            {n: v.figures for n, v in expired.variants.items()},
            ["recovery_time_s", "peak_backlog"],
            expired.ranking,
            baseline="baseline",
            counts={n: given_up(v.summary) for n, v in expired.variants.items()},
            keys={"baseline": "a", "expire": "b"},
            replications=3,
        )
        assert judged.pareto == ["expire"]  # without the give-up metrics it dominates

    def test_the_cli_prints_the_trade_off_and_writes_it(self, worlds: Path, tmp_path: Path) -> None:
        """The table has a "wins by giving up" cell, a trade-off line follows it, and
        comparison.csv and summary.json carry the flag and the Pareto front."""
        out = tmp_path / "o"
        result = invoke("compare", str(worlds / "expire.yaml"), "--jobs", "1", "--out", str(out))
        assert result.exit_code == 0, result.output
        rows = {r["variant"]: r for r in read_csv(out / "comparison.csv")}
        flag = rows["expire"]["trade_off"]
        assert flag.startswith("expire recovers ") and flag.endswith("messages to paper (expired)")
        assert f"trade-off: {flag}" in " ".join(result.stdout.split())
        assert "wins by giving up" in result.stdout and "expired" in result.stdout
        section = ranked_section(compare(load_variants(worlds / "expire.yaml"), jobs=1))
        assert section.header[:5] == (
            "variant", "recovery time", "vs best (paired)", "Pareto", "wins by giving up",
        )  # fmt: skip
        assert [row[3] for row in section.rows] == ["yes", "yes"]
        assert rows["baseline"]["trade_off"] == ""
        assert (rows["expire"]["pareto"], rows["baseline"]["pareto"]) == ("true", "true")
        data = json.loads((out / "summary.json").read_text())
        assert data["pareto"] == ["expire", "baseline"]
        (trade,) = data["trade_offs"]
        assert trade["variant"] == "expire" and trade["metric"] == "recovery_time_s"
        assert trade["given_up"][0]["counter"] == "messages.expired"
        assert "only 3 replications per variant" in result.stderr

    def test_all_zero_metric_panels_are_left_out_and_named(self, expired: Comparison) -> None:
        """No loss, duplicate, shed or late STAT order here: those panels are not drawn and the
        note names them; the drawn figure has one axes per remaining metric."""
        panels, note = metric_panels(expired)
        assert [p.title for p in panels] == [
            "recovery time", "peak backlog", "retry amplification", "expired",
        ]  # fmt: skip
        assert note == (
            "not drawn: 0 in every replication of every variant: late STAT, lost, duplicated, "
            "dead-lettered, shed, order violations; no value in any variant: STAT order→result "
            "p95"
        )
        fig = comparison_metrics_figure(panels, title="t", note=note)
        assert len(fig.axes) == 4
        assert note in [t.get_text() for t in fig.texts]


class TestCopyWorld:
    def test_two_replications_and_a_copy_of_the_baseline_are_warned_of(
        self, worlds: Path, tmp_path: Path
    ) -> None:
        """stderr and summary.json warn of 2 replications and of `copy`; the table and
        comparison.csv say which scenario it repeats."""
        out = tmp_path / "o"
        result = invoke(
            "compare", str(worlds / "copy.yaml"), "--jobs", "1", "--metric", "peak_backlog",
            "--out", str(out),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        err = " ".join(result.stderr.split())
        assert "warning: only 2 replications per variant" in err
        assert (
            "warning: variant 'copy' resolves to the same scenario as 'baseline': its figures "
            "can only repeat those (check its overlay)"
        ) in err
        assert "'more' resolves" not in err
        assert "(same scenario as baseline)" in result.stdout
        data = json.loads((out / "summary.json").read_text())
        assert data["identical"] == [{"variant": "copy", "same_as": "baseline"}]
        assert len(data["warnings"]) == 2 and data["warnings"][0].startswith("only 2 ")
        figures = data["variants"]
        assert figures["copy"]["figures"] == figures["baseline"]["figures"]
        rows = {r["variant"]: r for r in read_csv(out / "comparison.csv")}
        assert (rows["copy"]["same_as"], rows["more"]["same_as"]) == ("baseline", "")

    def test_one_replication_is_not_presented_as_a_ranking(self, worlds: Path) -> None:
        """With one replication the table says no interval can be computed and numbers no
        place; the paired cells say why they are empty."""
        comparison = compare(
            load_variants(worlds / "copy.yaml"), ["peak_backlog"], replications=1, jobs=1
        )
        section = ranked_section(comparison)
        assert section.title.startswith("Variants in order of peak backlog (lower is better): ")
        assert section.title.endswith(
            "one replication, so no interval can be computed and this order is not a ranking"
        )
        assert [row[0].split("\n")[0] for row in section.rows] == comparison.ranking
        assert [row[2] for row in section.rows] == ["no interval (1 replication)"] * 3
        assert "best" not in " ".join(cell for row in section.rows for cell in row)
        assert comparison.verdicts.warnings[0].startswith("one replication per variant")
        assert all(d.distinguishable is None for d in comparison.verdicts.paired.values())


class TestDirection:
    def test_more_delivered_ranks_first(self) -> None:
        """Under common random numbers every variant creates the same messages: the one that
        delivers more is the better one."""
        figures = {
            "fewer": figs(messages__delivered=(90.0, 92.0)),
            "more": figs(messages__delivered=(100.0, 101.0)),
        }
        assert rank(figures, ["messages.delivered"]) == ["more", "fewer"]

    def test_the_title_says_higher_is_better_for_a_higher_is_better_metric(
        self, worlds: Path
    ) -> None:
        """Ranked by goodput share, the table says "higher is better", not "lower"."""
        comparison = compare(
            load_variants(worlds / "copy.yaml"), ["goodput_share", "peak_backlog"], jobs=1
        )
        title = ranked_section(comparison).title
        assert title.startswith(
            "Ranked by goodput share (higher is better; ties broken by the next metric)"
        )
        assert comparison.verdicts.to_json()["ranked_by"] == {
            "metric": "goodput_share", "better": "higher"
        }  # fmt: skip
