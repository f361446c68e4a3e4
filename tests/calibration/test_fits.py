"""The fits recover the parameters synthetic logs were drawn from (seeded numpy generators)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration import calibrate
from sim.calibration.counts import fit_counts
from sim.calibration.durations import fit_duration
from sim.calibration.window import Window
from tests.calibration.synthetic import LAB, WEEKEND, Flow, draw

RESULTS = Flow("LAB", "EPIC", "ORU^R01", 0, ack="exponential", ack_mean=0.05)
ORDERS = Flow("EPIC", "LAB", "OML^O21", 300, LAB, WEEKEND,
              priority={"stat": 0.2, "urgent": 0.1, "routine": 0.7}, nak=0.05,
              results=RESULTS, count=2.0, after_mean=2700.0)  # fmt: skip
ADT = Flow("EPIC", "RIS", "ADT^A01", 40, ack="none")


@pytest.fixture(scope="module")
def two_weeks():  # type: ignore[no-untyped-def]
    return calibrate(draw([ORDERS, ADT], days=14, seed=3))


class TestRate:
    def test_the_daily_rate_lies_within_its_interval(self) -> None:
        """A flat week of a 500-a-day flow: the fitted rate's Poisson interval holds 500."""
        entries = draw([Flow("EPIC", "LAB", "ORM^O01", 500)], days=7, seed=1)
        fit = fit_counts(entries, Window.of(entries))
        assert fit.week is None
        assert fit.rate.low < 500 < fit.rate.high
        assert fit.rate.high - fit.rate.low < 0.1 * 500
        assert fit.rate.n == len(entries)
        assert fit.rate.value == pytest.approx(len(entries) / 7)

    def test_with_a_week_the_rate_is_the_busiest_weekdays(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        """rate x week[d] is weekday d's mean rate: weekdays at 300, weekends at 0.6 of it."""
        counts = two_weeks.flows["ehr-lab-oml-o21"].counts
        assert counts.week is not None and counts.busiest is not None
        assert counts.busiest < 5 and counts.week[counts.busiest].value == 1.0
        assert counts.rate.low < 300 * 1.15 and counts.rate.high > 300
        for day, (est, truth) in enumerate(zip(counts.week, WEEKEND, strict=True)):
            assert est.value == pytest.approx(truth, abs=0.15), day
            if day != counts.busiest:
                assert est.low < truth * 0.97 < est.high or est.low < truth < est.high, day
        per_day = [sum(day) for day in counts.hourly]
        for day, weekday in enumerate(range(14)):
            mean = counts.rate.value * counts.week[weekday % 7].value
            assert mean == pytest.approx(
                np.mean([per_day[d] for d in range(14) if d % 7 == weekday % 7])
            ), day

    def test_fewer_than_14_days_leave_the_week_flat(self) -> None:
        entries = [e for e in draw([ORDERS], days=13, seed=3) if e.source == "EPIC"]
        fit = fit_counts(entries, Window.of(entries))
        assert fit.week is None and fit.busiest is None
        assert fit.rate.value == pytest.approx(len(entries) / 13)


class TestProfile:
    def test_the_hourly_shares_follow_the_drawn_profile(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        profile = two_weeks.flows["ehr-lab-oml-o21"].counts.profile
        shares = np.array([est.value for est in profile])
        assert shares.sum() == pytest.approx(1)
        assert np.abs(shares - LAB).max() < 0.012
        assert int(np.argmax(shares)) in (7, 8)
        inside = sum(est.low <= p <= est.high for est, p in zip(profile, LAB, strict=True))
        assert inside >= 20  # 95 % intervals: about 23 of 24

    def test_hours_are_read_on_the_local_clock(self) -> None:
        """A message at 23:30 local counts in hour 23, whatever its UTC offset made time_s."""
        from dataclasses import replace

        entries = draw([Flow("EPIC", "LAB", "ORM^O01", 200)], days=1, seed=2)
        shifted = [replace(e, time_s=e.time_s - 3600) for e in entries]
        a = fit_counts(entries, Window.of(entries)).profile
        b = fit_counts(shifted, Window.of(shifted)).profile
        assert [e.k for e in a] == [e.k for e in b]


class TestDurations:
    @pytest.mark.parametrize("family", ["exponential", "lognormal"])
    def test_the_family_drawn_is_the_family_chosen(self, family: str) -> None:
        rng = np.random.default_rng(11)
        times = (
            rng.exponential(0.2, 600) if family == "exponential" else rng.lognormal(-2, 0.8, 600)
        )
        fit = fit_duration(times.tolist())
        assert fit is not None and fit.family == family
        assert (
            fit.mean_ci[0] < float(np.mean(times)) * 1.02
            and fit.mean_ci[1] > float(np.mean(times)) * 0.98
        )
        truth = 0.2 if family == "exponential" else float(np.exp(-2 + 0.32))
        assert fit.mean_ci[0] < truth < fit.mean_ci[1]
        other = "lognormal" if family == "exponential" else "exponential"
        assert fit.p_values[other] is not None and fit.p_values[other] < 0.05

    def test_neither_family_gives_the_empirical_times(self) -> None:
        rng = np.random.default_rng(5)
        times = np.concatenate([rng.normal(1.0, 0.05, 300), rng.normal(3.0, 0.05, 300)])
        fit = fit_duration(times.tolist())
        assert fit is not None and fit.family == "empirical"
        assert sorted(fit.values) == sorted(times.tolist())

    def test_negative_times_are_left_out_and_counted(self) -> None:
        fit = fit_duration([-1.0, 0.5, 0.25, 1.0])
        assert fit is not None and fit.n == 3 and fit.negative == 1
        assert fit.family == "exponential" and fit.mean == pytest.approx(0.5833333)


class TestSharesAndReplies:
    def test_the_priority_mix_and_its_intervals(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        mix = two_weeks.flows["ehr-lab-oml-o21"].priority
        assert mix is not None and set(mix.shares) == {"stat", "urgent", "routine"}
        for cls, truth in {"stat": 0.2, "urgent": 0.1, "routine": 0.7}.items():
            assert mix.shares[cls].low < truth < mix.shares[cls].high, cls
        assert two_weeks.flows["ehr-ris-adt-a01"].priority is None

    def test_a_message_stating_no_priority_counts_as_routine(self) -> None:
        from dataclasses import replace

        from sim.calibration.shares import fit_priority

        entries = draw([Flow("EPIC", "LAB", "ORM^O01", 100, priority={"stat": 1.0})], days=1)
        mix = fit_priority(
            [replace(e, priority=None) if i % 4 else e for i, e in enumerate(entries)]
        )
        assert mix is not None and mix.unstated == sum(1 for i in range(len(entries)) if i % 4)
        assert (
            mix.shares["routine"].k == mix.unstated
            and mix.shares["stat"].k == len(entries) - mix.unstated
        )
        assert fit_priority([replace(e, priority=None) for e in entries]) is None

    def test_the_nak_share_of_a_system(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        naks = two_weeks.systems["lab"].naks
        assert naks is not None and naks.share.low < 0.05 < naks.share.high
        assert naks.codes["AE"] == naks.share.k and sum(naks.codes.values()) == naks.share.n
        assert two_weeks.systems["ehr"].naks.share.value == 0
        assert two_weeks.systems["ris"].naks is None and two_weeks.systems["ris"].ack is None

    def test_the_ack_families_per_system(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        assert two_weeks.systems["lab"].ack.family == "lognormal"
        assert (
            two_weeks.systems["lab"].ack.mean_ci[0] < 0.08 < two_weeks.systems["lab"].ack.mean_ci[1]
        )
        assert two_weeks.systems["ehr"].ack.family == "exponential"

    def test_replies_recover_the_count_and_the_delay(self, two_weeks) -> None:  # type: ignore[no-untyped-def]
        orders = two_weeks.flows["ehr-lab-oml-o21"]
        reply = orders.reply
        assert orders.reply_flow == "lab-ehr-oru-r01"
        assert reply.count.low < 2.0 < reply.count.high
        assert reply.count.low < reply.count.value < reply.count.high
        assert reply.count.value == pytest.approx(2.0, abs=0.1)
        for cls in ("stat", "urgent", "routine"):
            fit = reply.after[cls]
            assert fit.family == "exponential", cls
            assert abs(fit.mean - 2700) < 4 * 2700 / fit.n**0.5, cls  # 4 standard errors
            assert fit.mean_ci[0] < fit.mean < fit.mean_ci[1], cls
        results = two_weeks.flows["lab-ehr-oru-r01"]
        assert results.replied_by == ("ehr-lab-oml-o21",) and results.reply is None
        unmatched, total = two_weeks.unmatched
        assert total == results.counts.overall.n and unmatched == 0

    def test_results_without_their_order_are_the_unmatched_share(self) -> None:
        entries = draw([ORDERS], days=2, seed=4)
        first_orders = {e.placer for e in entries if e.source == "EPIC"}
        dropped = sorted(first_orders)[:50]
        kept = [e for e in entries if not (e.source == "EPIC" and e.placer in dropped)]
        cal = calibrate(kept, ehr="EPIC")
        unmatched, total = cal.unmatched
        assert unmatched == sum(1 for e in kept if e.source == "LAB" and e.placer in dropped) > 0
        assert total == sum(1 for e in kept if e.source == "LAB")


class TestApi:
    def test_sim_calibrate_is_the_public_entry(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        """`sim.calibrate` takes entries and the name of a topology to extend."""
        import sim

        cal = sim.calibrate(draw([ADT], days=1), ehr="EPIC", extends="topologies/capital-region")
        assert isinstance(cal, sim.Calibration) and cal.topology is not None
        assert "ris" in cal.topology.systems and cal.naming.ids == {"EPIC": "ehr", "RIS": "ris"}
        with pytest.raises(sim.CalibrationError, match="--extends nowhere: "):
            sim.calibrate(draw([ADT], days=1), ehr="EPIC", extends="nowhere")


class TestPrecision:
    def test_a_time_precision_coarser_than_the_median_response_is_warned(self) -> None:
        coarse = Flow("EPIC", "LAB", "ORM^O01", 200, ack="lognormal", precision=1.0)
        cal = calibrate(draw([coarse], days=1), ehr="EPIC")
        (warning,) = cal.warnings
        assert warning.startswith(
            "lab: response times are logged to 1 s, coarser than their median"
        )
        fine = Flow("EPIC", "LAB", "ORM^O01", 200, ack="lognormal", precision=0.001)
        assert calibrate(draw([fine], days=1), ehr="EPIC").warnings == ()

    def test_responses_all_below_the_precision_are_said_so(self) -> None:
        """Every ACK in the order's second: nothing to fit, and no talk of clock skew."""
        from datetime import UTC, timedelta

        from sim.calibration.scenario_text import scenario_text
        from sim.logs.entry import LogEntry
        from tests.calibration.synthetic import MONDAY

        entries = []
        for i in range(7):
            when = MONDAY + timedelta(hours=i)
            entries.append(
                LogEntry(
                    "x",
                    i + 1,
                    "EPIC",
                    "LAB",
                    "ORM^O01",
                    when,
                    when.replace(tzinfo=UTC).timestamp(),
                    1.0,
                    control_id=f"C{i}",
                    ack_code="AA",
                    ack_s=0.0,
                    ack_precision_s=1.0,
                )
            )
        cal = calibrate(entries, ehr="EPIC")
        assert (
            "lab: every response time is 0 at the log's precision (1 s), too fine to measure: "
            "no ack fitted"
        ) in cal.warnings
        assert not any("clock skew" in w for w in cal.warnings)
        text = scenario_text(cal, "x").yaml
        assert "placeholder, not measured: its responses all came within the log's precision" in (
            " ".join(text.split())
        )


class TestLogEnd:
    def test_orders_too_near_the_end_for_all_their_results_are_left_out(self) -> None:
        """Results due after the log's end would bias the count (and the delay) down."""
        from datetime import UTC, timedelta

        from sim.calibration.naming import FlowKey
        from sim.calibration.replies import fit_replies
        from sim.logs.entry import LogEntry
        from tests.calibration.synthetic import MONDAY

        def entry(source: str, destination: str, hours: float, placer: str) -> LogEntry:
            when = MONDAY + timedelta(hours=hours)
            message = "ORM^O01" if source == "EPIC" else "ORU^R01"
            return LogEntry("x", 0, source, destination, message, when,
                            when.replace(tzinfo=UTC).timestamp(), 1.0,
                            placer=placer)  # fmt: skip

        orders = [entry("EPIC", "LAB", h, p) for h, p in ((0, "A"), (10, "B"), (12.5, "C"))]
        results = [entry("LAB", "EPIC", h, p) for h, p in
                   ((1, "A"), (2, "A"), (11, "B"), (12, "B"), (13.5, "C"))]  # fmt: skip
        flows = {
            FlowKey("EPIC", "LAB", "ORM^O01"): orders,
            FlowKey("LAB", "EPIC", "ORU^R01"): results,
        }
        replies, _ = fit_replies(flows, "EPIC", results[-1].time_s)
        reply = replies[FlowKey("EPIC", "LAB", "ORM^O01")]
        assert reply.matched == 3 and reply.near_end == 1
        assert reply.count.value == 2.0 and reply.count.n == 2
        assert reply.after["routine"].n == 2 and reply.after["routine"].mean == 3600


class TestWholeDays:
    def test_a_log_cut_in_the_middle_of_a_day_is_warned(self) -> None:
        entries = draw([Flow("EPIC", "LAB", "ORM^O01", 300, LAB)], days=2, seed=9)
        assert calibrate(entries, ehr="EPIC").warnings == ()
        cut = [e for e in entries if not (e.local.day == 6 and e.local.hour >= 12)]
        (warning,) = calibrate(cut, ehr="EPIC").warnings
        assert warning.startswith("the log stops at 2026-01-06 11:")
        assert "% of a day's messages come at hours it misses that day" in warning

    def test_a_log_of_a_few_hours_is_warned(self) -> None:
        """Its own hours cannot show what a log of one morning misses: it has no other day."""
        entries = draw([Flow("EPIC", "LAB", "ORM^O01", 300, LAB)], days=1, seed=9)
        morning = [e for e in entries if 7 <= e.local.hour < 13]
        (warning,) = calibrate(morning, ehr="EPIC").warnings
        assert warning.startswith(
            "the log covers only 5.8 h (2026-01-05 07:02 to 2026-01-05 12:53)"
        )
        assert "rates are counted over whole days" in warning
