"""The calibrated scenario as YAML text, every fitted number with its comment.

Written as text rather than dumped, because the comments are half of what it says: each fitted
number carries its 95 % interval and the number of messages behind it. Values are written in
block style, each on its own line, so that a comment can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.calibration.counts import Estimate
from sim.calibration.durations import TEST, DurationFit
from sim.calibration.fit import Calibration, FlowFit, SystemFit
from sim.calibration.numbers import count, counted, duration, percent, rate, significant
from sim.calibration.window import DAY_NAMES, WEEK_DAYS, WEEKDAYS

__all__ = ["PLACEHOLDER_ACK", "ScenarioText", "scenario_text"]

PLACEHOLDER_ACK = "lognormal(81ms, 102ms)"
"""A receiver's ack where the log has none: the domain notes' assumption (median 50 ms, P95
250 ms), the one scenarios/topologies/capital-region.yaml uses."""


@dataclass
class ScenarioText:
    """The scenario's text and the data files its ``empirical(...)`` distributions name."""

    yaml: str
    data_files: dict[str, str] = field(default_factory=dict)
    """File name (beside the scenario) -> CSV text with one column, ``seconds``."""


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str, comment: str = "") -> None:
        line = "  " * indent + text
        if comment:
            line = f"{line}  # {comment}" if text else f"{line}# {comment}"
        self.lines.append(line)

    def note(self, indent: int, text: str) -> None:
        self.add(indent, "", text)


def _interval(low: float, high: float, show: object = significant) -> str:
    assert callable(show)
    return f"{show(low)}-{show(high)}"


def _distribution(fit: DurationFit, file_name: str, files: dict[str, str]) -> tuple[str, str]:
    """The distribution's text and its comment (intervals, n, the test's verdict)."""
    tested = ", ".join(f"{family} p={p:.3f}" for family, p in fit.p_values.items() if p is not None)
    why = "; ".join([f"{TEST.split(' (')[0]}: {tested}"] * bool(tested) + list(fit.notes))
    mean_ci = f"mean 95 % CI {_interval(*fit.mean_ci, show=duration)}"
    n = f"{count(fit.n)} times"
    if fit.family == "exponential":
        return f"exponential({duration(fit.mean)})", f"{mean_ci} (chi-square exact), {n}; {why}"
    if fit.family == "lognormal":
        assert fit.sd_ci is not None
        sd_ci = _interval(*fit.sd_ci, show=duration)
        return (
            f"lognormal({duration(fit.mean)}, {duration(fit.sd)})",
            f"{mean_ci}, sd {sd_ci} (bootstrap), {n}; {why}",
        )
    files[file_name] = "seconds\n" + "".join(f"{v!r}\n" for v in fit.values)
    return (
        f"empirical({file_name})",
        f"the {n} themselves (mean {duration(fit.mean)}, {mean_ci}, bootstrap): "
        f"{why}: no family fits at 5 %",
    )


def _fixed(value: float) -> str:
    """A weight to three decimals, trailing zeros dropped: ``11.95``, ``0.862``, ``1``."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _rate(out: _Lines, flow: FlowFit, days: int) -> None:
    counts = flow.counts
    est = counts.rate
    ci = f"95 % CI {_interval(est.low, est.high, significant)}/d (Poisson exact)"
    if counts.busiest is not None:
        weekday = DAY_NAMES[counts.busiest]
        days_of = counts.weekday_days[counts.busiest]
        over = counts.overall
        out.add(
            2,
            f"rate: {rate(est.value)}",
            f"on the busiest weekday: {ci}, {count(est.n)} messages on "
            f"{counted(days_of, weekday)}; {significant(over.value)}/d over all "
            f"{counted(days, 'day')} ({count(over.n)} messages)",
        )
    else:
        out.add(
            2,
            f"rate: {rate(est.value)}",
            f"{ci}, {count(est.n)} messages in {counted(days, 'day')}",
        )


def _profile(out: _Lines, profile: tuple[Estimate, ...]) -> None:
    out.add(
        2,
        "profile:",
        "% of the day's messages in each hour of MSH-7's own clock; 95 % CI (Clopper-Pearson)",
    )
    for hour, est in enumerate(profile):
        out.add(
            3,
            f"- {_fixed(100 * est.value)}",
            f"{hour:02d}:00  {_interval(100 * est.low, 100 * est.high)}, "
            f"{count(est.k or 0)} of {count(est.n)}",
        )


def _week(out: _Lines, flow: FlowFit, days: int) -> None:
    counts = flow.counts
    if counts.week is None:
        out.note(
            2,
            f"week: not fitted, flat: the log covers {counted(days, 'day')} and a weekday "
            f"pattern needs at least {WEEK_DAYS}",
        )
        return
    out.add(
        2,
        "week:",
        "rate x week[d] is the mean rate on weekday d, the busiest 1; fitted from "
        + counted(days, "day"),
    )
    for d, est in enumerate(counts.week):
        days_of = counts.weekday_days[d]
        if d == counts.busiest:
            note = (
                f"{WEEKDAYS[d]}: the busiest, {count(est.n)} messages on {counted(days_of, 'day')}"
            )
        else:
            note = (
                f"{WEEKDAYS[d]}: 95 % CI {_interval(est.low, est.high)} (conditional binomial), "
                f"{count(est.n)} messages on {counted(days_of, 'day')}"
            )
        out.add(3, f"- {_fixed(est.value)}", note)


def _priority(out: _Lines, flow: FlowFit) -> None:
    mix = flow.priority
    if mix is None:
        out.note(2, "priority: none stated in the log: routine (the default)")
        return
    unstated = f"; {count(mix.unstated)} stating none counted routine" if mix.unstated else ""
    out.add(2, "priority:", f"share per class, 95 % CI (Clopper-Pearson){unstated}")
    shares = {cls: round(est.value, 4) for cls, est in mix.shares.items()}
    largest = max(shares, key=lambda c: (shares[c], c))
    shares[largest] = round(1 - sum(v for c, v in shares.items() if c != largest), 4)
    for cls, est in mix.shares.items():
        out.add(
            3,
            f"{cls}: {shares[cls]:g}",
            f"{_interval(est.low, est.high)}, {count(est.k or 0)} of {count(est.n)}",
        )


def _reply(out: _Lines, flow: FlowFit, stem: str, files: dict[str, str]) -> None:
    reply = flow.reply
    assert reply is not None and flow.reply_flow is not None
    out.add(2, "reply:")
    elsewhere = sum(reply.elsewhere.values())
    more = f"; {count(elsewhere)} results on other flows left out" if elsewhere else ""
    if reply.near_end:
        more += (
            f"; {count(reply.near_end)} orders too near the log's end to have all their "
            "results in it left out of count and after"
        )
    out.add(
        3,
        f"flow: {flow.reply_flow}",
        f"linked by placer number: {count(reply.matched)} of {count(reply.placed)} orders "
        f"with a placer have results here{more}",
    )
    est = reply.count
    out.add(
        3,
        f"count: {significant(est.value, 4)}",
        f"results per matched order, 95 % CI {_interval(est.low, est.high)} "
        f"(1 + Poisson, exact), {count(est.n)} orders",
    )
    out.add(
        3,
        "after:",
        "from the order's delivery (its time plus its ACK time) to its first result",
    )
    for cls, fit in reply.after.items():
        text, note = _distribution(fit, f"{stem}.after-{flow.id}-{cls}.csv", files)
        out.add(4, f"{cls}: {text}", note)


def _flow(out: _Lines, cal: Calibration, flow: FlowFit, stem: str, files: dict[str, str]) -> None:
    key = flow.key
    out.add(
        1,
        f"{flow.id}:",
        f"{key.source} -> {key.destination}, {count(flow.counts.overall.n)} messages",
    )
    out.add(2, f"from: {flow.source}")
    out.add(2, f"to: {flow.destination}")
    out.add(2, f"message: {_quoted(key.message)}")
    days = cal.window.days
    if flow.replied_by:
        share = cal.results.get(flow.id)
        unmatched = (
            f"; {percent(share.share)} of its {count(share.results)} messages matched no order"
            if share
            else ""
        )
        out.note(
            2,
            f"no rate: its messages are the results of {', '.join(flow.replied_by)} "
            f"(observed {significant(flow.counts.overall.value)}/d){unmatched}",
        )
        topology = cal.topology
        if topology is not None and flow.id in topology.rated:
            out.add(2, "rate: null", f"clears {topology.ref}'s rate: replies create this flow")
        return
    _rate(out, flow, days)
    _profile(out, flow.counts.profile)
    _week(out, flow, days)
    _priority(out, flow)
    if flow.reply is not None:
        _reply(out, flow, stem, files)


def _quoted(text: str) -> str:
    """A message type as a YAML scalar (quoted when it would not read back as the same text)."""
    from sim.scenario.scalars import resolve_plain

    simple = bool(text) and all(ch.isalnum() or ch in "^_-." for ch in text)
    try:
        plain = simple and resolve_plain(text) == text
    except ValueError:
        plain = False
    return text if plain else "'" + text.replace("'", "''") + "'"


def _system(
    out: _Lines, cal: Calibration, system: SystemFit, stem: str, files: dict[str, str]
) -> None:
    extends = cal.topology
    in_topology = extends is not None and system.id in extends.systems
    heading = f"{system.application}, {count(system.messages)} messages received"
    if system.attempts > system.messages:
        heading += f" in {count(system.attempts)} attempts (resends)"
    if system.ack is None and in_topology:
        out.add(1, f"{system.id}: {{}}", heading)
    else:
        out.add(1, f"{system.id}:", heading)
    if system.ack is not None:
        text, note = _distribution(system.ack, f"{stem}.ack-{system.id}.csv", files)
        out.add(2, f"ack: {text}", note)
    elif in_topology:
        assert extends is not None
        out.note(2, f"ack: no response in the log; {extends.ref}'s stands")
    else:
        why = "the log has no response from this system"
        if system.precision_s is not None:  # it has responses, none measurable
            why = (
                f"its responses all came within the log's precision ({system.precision_s:g} s) "
                "or before their message"
            )
        out.add(
            2,
            f"ack: {PLACEHOLDER_ACK}",
            f"placeholder, not measured: {why}; the domain notes' assumption (median 50 ms, "
            "P95 250 ms)",
        )
    naks = system.naks
    if naks is not None:
        est = naks.share
        codes = ", ".join(f"{code} {count(n)}" for code, n in naks.codes.items())
        out.note(
            2,
            f"negative ACKs: {percent(est.value)} (95 % CI {percent(est.low)}-{percent(est.high)},"
            f" Clopper-Pearson) of {count(est.n)} responses ({codes}); the format has no key "
            "for a steady NAK rate",
        )


def _header(out: _Lines, cal: Calibration, name: str) -> None:
    window = cal.window
    files = ", ".join(cal.files) if cal.files else "a log"
    out.note(0, f"{name}: calibrated by `ehrsim calibrate` from {files}")
    out.note(
        0,
        f"{count(cal.messages)} messages over {counted(window.days, 'day')}, "
        f"{window.first.isoformat()} to {window.last.isoformat()} on MSH-7's own clock; hours and "
        "weekdays are read there.",
    )
    if cal.resends:
        out.note(
            0,
            f"{count(cal.resends)} resends (the sender, receiver and MSH-10 of an earlier "
            "message) count once as messages; their responses count in the ACK times.",
        )
    out.note(
        0,
        "Every fitted number carries its 95 % interval and the messages behind it; "
        f"{name}.calibration.json holds every fit and {name}.figures/ a figure per flow.",
    )
    problems = {kind: n for kind, n in cal.problems.items() if n}
    if problems:
        listed = ", ".join(f"{n} {kind}" for kind, n in problems.items())
        out.note(0, f"Messages the reader skipped: {listed}.")
    ids = ", ".join(
        f"{app} = {sid}" + (" (--map)" if app in cal.naming.mapped else "")
        for app, sid in sorted(cal.naming.ids.items(), key=lambda item: item[1])
    )
    out.note(0, f"Applications: {ids}; the EHR is {cal.naming.ehr}.")
    for key, n in cal.skipped.items():
        out.note(
            0,
            f"Left out: {key.source} -> {key.destination} {key.message} ({n} messages), "
            "no EHR end.",
        )
    if cal.topology is not None:
        out.note(
            0,
            f"Only what the log measured is written here; the rest comes from {cal.topology.ref}.",
        )


def scenario_text(cal: Calibration, name: str, extends: str | None = None) -> ScenarioText:
    """The scenario ``name`` (also the stem of its data files), extending ``extends`` if given.

    Args:
        cal: The fits.
        name: The scenario's ``name``: the output file's stem.
        extends: The ``extends`` path as the file should hold it (relative to the file).
    """
    files: dict[str, str] = {}
    out = _Lines()
    _header(out, cal, name)
    out.add(0, "")
    out.add(0, f"name: {_quoted(name)}")
    if extends is not None:
        out.add(0, f"extends: {_quoted(extends)}")
    first = "local midnight of the log's first day"
    out.add(
        0,
        f"start: {cal.start.isoformat(timespec='minutes')}",
        first if cal.start == cal.window.start else "--start",
    )
    out.add(0, "horizon: 7d")
    out.add(0, "")
    out.add(0, "flows:")
    for flow in cal.flows.values():
        _flow(out, cal, flow, name, files)
    out.add(0, "")
    out.add(0, "systems:", "every receiver, the EHR included")
    for system in cal.systems.values():
        _system(out, cal, system, name, files)
    return ScenarioText("\n".join(out.lines) + "\n", files)
