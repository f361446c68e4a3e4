"""calibration.json: every fit of a calibration, with its interval, n and the tests chosen."""

from __future__ import annotations

import json
from typing import Any

from sim.calibration.counts import Estimate
from sim.calibration.durations import ALPHA, TEST
from sim.calibration.fit import Calibration, FlowFit
from sim.calibration.window import DAY_NAMES, WEEK_DAYS

__all__ = ["FORMAT_VERSION", "calibration_json", "calibration_record"]

FORMAT_VERSION = 1


def _estimates(items: tuple[Estimate, ...]) -> list[dict[str, object]]:
    return [est.as_json() for est in items]


def _flow(cal: Calibration, flow: FlowFit) -> dict[str, Any]:
    counts = flow.counts
    share = cal.results.get(flow.id)
    return {
        "source": flow.key.source,
        "destination": flow.key.destination,
        "message": flow.key.message,
        "from": flow.source,
        "to": flow.destination,
        "messages": counts.overall.n,
        "created_by_replies_of": list(flow.replied_by),
        "rate_per_day": counts.rate.as_json(),
        "rate_is": "the busiest weekday's mean" if counts.week else "the mean over the log",
        "busiest_weekday": DAY_NAMES[counts.busiest] if counts.busiest is not None else None,
        "mean_per_day": counts.overall.as_json(),
        "profile_share": _estimates(counts.profile),
        "week": _estimates(counts.week) if counts.week else None,
        "weekday_days": list(counts.weekday_days),
        "week_days_order": "Monday first",
        "priority": flow.priority.as_json() if flow.priority else None,
        "reply": (
            {"flow": flow.reply_flow, **flow.reply.as_json()} if flow.reply is not None else None
        ),
        "results_unmatched": (
            {"results": share.results, "unmatched": share.unmatched, "share": share.share}
            if share
            else None
        ),
    }


def calibration_record(cal: Calibration, name: str) -> dict[str, Any]:
    """The content of ``<name>.calibration.json``."""
    unmatched, results = cal.unmatched
    return {
        "format_version": FORMAT_VERSION,
        "scenario": name,
        "log": {
            "files": list(cal.files),
            "messages": cal.messages,
            "resends": cal.resends,
            "acks": cal.acks,
            "problems": cal.problems,
            "first_day": cal.window.first.isoformat(),
            "last_day": cal.window.last.isoformat(),
            "days": cal.window.days,
        },
        "start": cal.start.isoformat(timespec="minutes"),
        "extends": cal.topology.ref if cal.topology else None,
        "ehr": cal.naming.ehr,
        "ids": cal.naming.ids,
        "mapped": cal.naming.mapped,
        "methods": {
            "rate": "Poisson, exact (Garwood) 95 % interval",
            "profile": "share of the flow's messages per local hour, Clopper-Pearson interval",
            "week": (
                f"mean rate per weekday over the busiest's, from at least {WEEK_DAYS} days; "
                "conditional binomial interval of the ratio of two Poisson rates"
            ),
            "priority": "share per class, Clopper-Pearson; a message stating none is routine",
            "durations": (
                f"exponential and lognormal by maximum likelihood; test: {TEST}, alpha {ALPHA};"
                " of the families not rejected the lower AIC; empirical when both are rejected"
            ),
            "reply_count": "1 + Poisson(count - 1), exact interval",
            "nak_share": "Clopper-Pearson",
            "resends": (
                "attempts with the sender, receiver, control id (MSH-10), type, patient and "
                "placer of an earlier one are one message: counted once for rates, profiles, "
                "weeks, priorities and replies, every attempt's response counted for ACK times "
                "and NAK shares"
            ),
        },
        "weekday_pattern_fitted": cal.window.weekly,
        "flows": {fid: _flow(cal, flow) for fid, flow in cal.flows.items()},
        "systems": {
            sid: {
                "application": system.application,
                "messages": system.messages,
                "attempts": system.attempts,
                "ack": system.ack.as_json() if system.ack else None,
                "nak_share": system.naks.as_json() if system.naks else None,
                "precision_s": system.precision_s,
            }
            for sid, system in cal.systems.items()
        },
        "results": {
            "results": results,
            "unmatched": unmatched,
            "unmatched_share": unmatched / results if results else None,
        },
        "left_out": [
            {"source": k.source, "destination": k.destination, "message": k.message, "messages": n}
            for k, n in cal.skipped.items()
        ],
        "warnings": list(cal.warnings),
    }


def calibration_json(cal: Calibration, name: str) -> str:
    """calibration.json's text (same calibration, same bytes)."""
    return json.dumps(calibration_record(cal, name), indent=2, ensure_ascii=False) + "\n"
