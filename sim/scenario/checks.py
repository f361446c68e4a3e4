"""Checks that span the scenario: references between flows, systems, faults and alerts.

They read the raw merged mapping, not the models, so that they run (and report) even when some
unrelated value is invalid: one ``validate`` lists every problem. Each check is defensive about
shapes (a wrong shape is the models' problem, reported there) and returns ``(path, message,
missing)`` findings; ``missing`` marks completeness problems, which a ``partial`` file may have.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from sim.metrics.registry import METRICS, is_known, metric_problem
from sim.scenario.channels import channel_findings
from sim.scenario.errors import did_you_mean, show
from sim.scenario.faultkinds import FAULT_KINDS, FAULT_OPTIONS, FaultKind
from sim.scenario.pos import Key
from sim.scenario.scalars import to_float

__all__ = ["Finding", "find_problems"]

EHR = "ehr"
_PATH = re.compile(r"[\w-]+(?:\.[\w-]+)+")
"""A dotted metric path of two parts or more."""


class Finding(NamedTuple):
    """A problem found by a cross-check, at a key path."""

    path: tuple[Key, ...]
    message: str
    missing: bool = False


def _a(name: str) -> str:
    """``name`` with its article: 'a surge', 'an engine-stall'."""
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _unknown_system(name: str, systems: dict[str, Any]) -> str:
    known = ", ".join(systems) if systems else "none yet"
    return (
        f"{show(name)} is not a system listed under 'systems' (listed: {known})"
        f"{did_you_mean(name, [*systems, EHR])}"
    )


def _flow_findings(flows: dict[str, Any], systems: dict[str, Any], partial: bool) -> list[Finding]:
    found: list[Finding] = []
    for fid, flow in flows.items():
        if not isinstance(flow, dict):
            continue
        here: tuple[Key, ...] = ("flows", fid)
        ends = {key: flow.get(key) for key in ("from", "to")}
        if all(isinstance(end, str) for end in ends.values()):
            if EHR not in ends.values():
                found.append(
                    Finding(
                        (*here, "from"),
                        "a flow runs between ehr and one system; neither 'from' nor 'to' is ehr",
                    )
                )
            elif ends["from"] == ends["to"]:
                found.append(
                    Finding(
                        (*here, "to"),
                        "'from' and 'to' are both ehr; one of them must be the other system",
                    )
                )
        for key, end in ends.items():
            if not isinstance(end, str) or partial:
                continue
            if end != EHR and end not in systems:
                found.append(Finding((*here, key), _unknown_system(end, systems)))
            elif key == "to" and end == EHR and EHR not in systems:
                found.append(
                    Finding(
                        (*here, key),
                        "the receiver 'ehr' needs an entry under 'systems' (its ack time), e.g. "
                        "systems: {ehr: {ack: lognormal(100ms, 50ms)}}",
                    )
                )
        if "rate" in flow and "trace" in flow:
            found.append(Finding((*here, "trace"), "give either 'rate' or 'trace', not both"))
        found += _reply_findings(here, flow, flows, partial, {EHR, *systems})
    return found


def _reply_findings(
    here: tuple[Key, ...],
    flow: dict[str, Any],
    flows: dict[str, Any],
    partial: bool,
    known: set[str],
) -> list[Finding]:
    """The reply flow exists and runs back from this flow's receiver (when both are known)."""
    reply = flow.get("reply")
    if not isinstance(reply, dict) or not isinstance(reply.get("flow"), str):
        return []
    target = reply["flow"]
    path = (*here, "reply", "flow")
    if target not in flows:
        if partial:
            return []
        return [
            Finding(
                path,
                f"there is no flow {show(target)} for the results to travel on"
                f"{did_you_mean(target, flows)}",
            )
        ]
    back = _mapping(flows[target]).get("from")
    to = flow.get("to")
    known_ends = isinstance(back, str) and isinstance(to, str) and back in known and to in known
    if known_ends and back != to:
        return [
            Finding(
                path,
                f"results come from this flow's receiver {show(to)}, but flow {show(target)} "
                f"runs from {show(back)}; name a flow whose 'from' is {show(to)}",
            )
        ]
    return []


def _target_findings(
    here: tuple[Key, ...], name: str, kind: FaultKind, target: Any, data: dict[str, Any]
) -> list[Finding]:
    systems = _mapping(data.get("systems"))
    flows = _mapping(data.get("flows"))
    path = (*here, "target")
    if kind.allow_all and target == "all":
        return []
    if kind.target == "node":
        if isinstance(target, int) and not isinstance(target, bool):
            nodes = _mapping(data.get("engine")).get("nodes", 1)
            if isinstance(nodes, int) and target >= 0 and target >= nodes:
                return [
                    Finding(
                        path,
                        f"there is no node {target}: engine.nodes is {nodes} "
                        f"(nodes are numbered from 0 to {nodes - 1})",
                    )
                ]
            return []
        return [
            Finding(path, f"{_a(name)} fault targets a node index (0, 1, ...), not {show(target)}")
        ]
    if kind.target == "flow":
        if isinstance(target, str) and target not in flows:
            return [
                Finding(
                    path,
                    f"there is no flow {show(target)}; name a flow or 'all'"
                    f"{did_you_mean(target, flows)}",
                )
            ]
        return (
            []
            if isinstance(target, str)
            else [Finding(path, f"{_a(name)} fault targets a flow id or 'all', not {show(target)}")]
        )
    many = kind.target == "systems"
    if isinstance(target, str) and target == "all":  # kinds that take `all` returned above
        return [Finding(path, f"{_a(name)} fault targets one system id, not 'all'")]
    if isinstance(target, list) and not many:
        return [Finding(path, f"{_a(name)} fault targets one system id, not a list")]
    if not isinstance(target, str | list):
        what = "a system id, a list of system ids or 'all'" if many else "one system id"
        return [Finding(path, f"{_a(name)} fault targets {what}, not {show(target)}")]
    names = target if isinstance(target, list) else [target]
    receivers = {
        f["to"] for f in flows.values() if isinstance(f, dict) and isinstance(f.get("to"), str)
    }
    found: list[Finding] = []
    for index, item in enumerate(names):
        if not isinstance(item, str):
            return []  # not a target at all: the model's parser says so
        where = (*path, index) if isinstance(target, list) else path
        if item not in systems and item != EHR:
            found.append(Finding(where, _unknown_system(item, systems)))
        elif item in names[:index]:
            found.append(Finding(where, f"{show(item)} is named twice; name each system once"))
        elif kind.on_receiver and item not in receivers:
            found.append(
                Finding(
                    where,
                    f"no flow goes to {show(item)}, so {_a(name)} fault on it would change "
                    "nothing; name a system some flow's 'to' is",
                )
            )
    return found


def _crash_findings(here: tuple[Key, ...], data: dict[str, Any]) -> list[Finding]:
    """A node crash under active-active failover needs a node that survives it."""
    engine = _mapping(data.get("engine"))
    mode = _mapping(engine.get("failover")).get("mode")
    nodes = engine.get("nodes", 1)
    if mode == "active-active" and nodes == 1:
        return [
            Finding(
                here,
                "a node-crash with engine.failover.mode active-active needs a surviving node, "
                "but engine.nodes is 1; write `nodes: 2` or `mode: active-passive`",
            )
        ]
    return []


def _fault_findings(data: dict[str, Any], partial: bool) -> list[Finding]:
    faults = data.get("faults")
    found: list[Finding] = []
    for index, fault in enumerate(faults if isinstance(faults, list) else []):
        name = fault.get("kind") if isinstance(fault, dict) else None
        if not isinstance(name, str) or name not in FAULT_KINDS:
            continue
        kind = FAULT_KINDS[name]
        here: tuple[Key, ...] = ("faults", index)
        given = {key for key, value in fault.items() if value is not None}
        for option in sorted(FAULT_OPTIONS - kind.options):
            if option in given:
                users = [k for k, rules in FAULT_KINDS.items() if option in rules.options]
                found.append(
                    Finding(
                        (*here, option),
                        f"'{option}' does not apply to {_a(name)} fault "
                        f"(only to {', '.join(users)})",
                    )
                )
        if kind.has_for and "for" not in given and not partial:
            found.append(
                Finding(
                    here,
                    f"'for' is required for {_a(name)} fault: how long it lasts, e.g. for: 2h",
                    missing=True,
                )
            )
        if not kind.has_for and "for" in given:
            found.append(
                Finding(
                    (*here, "for"),
                    f"{_a(name)} fault takes no 'for': it lasts until "
                    "an analyst fixes it or the retry policy gives the message up",
                )
            )
        severity = fault.get("severity")
        if kind.severity == "none" and "severity" in given:
            found.append(Finding((*here, "severity"), f"{_a(name)} fault takes no severity"))
        elif kind.severity == "required" and "severity" not in given and not partial:
            found.append(
                Finding(
                    here,
                    f"'severity' is required for {_a(name)} fault: {kind.severity_meaning}",
                    missing=True,
                )
            )
        elif (
            kind.severity_is_share and math.isfinite(to_float(severity)) and to_float(severity) > 1
        ):
            found.append(
                Finding(
                    (*here, "severity"),
                    f"{show(severity)} is too large: the severity of {_a(name)} fault is "
                    f"{kind.severity_meaning}, at most 1",
                )
            )
        elif (
            isinstance(mode := fault.get("mode"), str)
            and mode in kind.whole_modes
            and math.isfinite(to_float(severity))
            and 0 < to_float(severity) < 1
        ):
            found.append(
                Finding(
                    (*here, "severity"),
                    f"{show(severity)} has no meaning with mode: {mode}, {kind.whole_modes[mode]}",
                )
            )
        if kind.target == "none":
            if "target" in given:
                found.append(Finding((*here, "target"), f"{_a(name)} fault takes no target"))
        elif "target" not in given:
            if kind.target_default is None and not partial:
                found.append(
                    Finding(
                        here,
                        f"'target' is required for {_a(name)} fault: the "
                        + (
                            "system it hits, a list of systems or 'all'"
                            if kind.target == "systems"
                            else f"{kind.target} it hits"
                        ),
                        missing=True,
                    )
                )
        elif not partial:
            found += _target_findings(here, name, kind, fault["target"], data)
        if kind.target == "node" and not partial:
            found += _crash_findings(here, data)
    return found


def _strategy_findings(data: dict[str, Any]) -> list[Finding]:
    discipline = _mapping(data.get("strategy")).get("discipline")
    fair = _mapping(_mapping(discipline).get("fair"))
    weights = _mapping(fair.get("weights"))
    flows = _mapping(data.get("flows"))
    return [
        Finding(
            ("strategy", "discipline", "fair", "weights", flow),
            f"there is no flow {show(flow)}{did_you_mean(flow, flows)}",
        )
        for flow in weights
        if flow not in flows
    ]


def _alert_findings(data: dict[str, Any]) -> list[Finding]:
    alerts = data.get("alerts")
    systems = _mapping(data.get("systems"))
    found: list[Finding] = []
    for index, alert in enumerate(alerts if isinstance(alerts, list) else []):
        queue = _mapping(alert).get("queue")
        if isinstance(queue, str) and queue != "any" and queue not in systems:
            found.append(
                Finding(
                    ("alerts", index, "queue"),
                    "a queue is 'any' or a system id; " + _unknown_system(queue, systems),
                )
            )
    return found


def _hypothesis_findings(data: dict[str, Any]) -> list[Finding]:
    """A per-destination or per-flow metric names a system, flow, class and figure that exist.

    Fixed metrics (and the shape of every path) are checked where the value is read; here the
    whole path of ``queues.<system>...``, ``latency_s.<flow>...`` and the like is checked
    against this scenario's flows.
    """
    hypotheses = data.get("hypotheses")
    flows = {fid: _mapping(flow) for fid, flow in _mapping(data.get("flows")).items()}
    systems = [flow["to"] for flow in flows.values() if isinstance(flow.get("to"), str)]
    orders = [fid for fid, flow in flows.items() if isinstance(flow.get("reply"), dict)]
    found: list[Finding] = []
    for index, hypothesis in enumerate(hypotheses if isinstance(hypotheses, list) else []):
        metric = _mapping(hypothesis).get("metric")
        if not isinstance(metric, str) or not _PATH.fullmatch(metric):
            continue  # not a path at all: reported where the value is read
        if not is_known(metric) or metric in METRICS:
            continue
        why = metric_problem(metric, systems, flows, orders)
        if why is not None:
            found.append(Finding(("hypotheses", index, "metric"), why))
    return found


def find_problems(data: dict[str, Any], partial: bool) -> list[Finding]:
    """Every cross-reference problem of a merged scenario mapping.

    Args:
        data: The raw merged mapping.
        partial: A part meant to be extended: completeness and references to things that may be
            defined by the file that extends it are not checked.
    """
    found: list[Finding] = []
    if not partial:
        if data.get("horizon") is None:
            found.append(
                Finding(
                    (),
                    "'horizon' is required: how long to simulate, e.g. horizon: 24h",
                    missing=True,
                )
            )
        flows = data.get("flows")
        if "flows" not in data:
            found.append(
                Finding((), "'flows' is required: the message streams to simulate", missing=True)
            )
        elif isinstance(flows, dict) and not flows:
            found.append(Finding(("flows",), "a scenario needs at least one flow", missing=True))
    flows = _mapping(data.get("flows"))
    systems = _mapping(data.get("systems"))
    found += _flow_findings(flows, systems, partial)
    found += _fault_findings(data, partial)
    found += [Finding(path, message) for path, message in channel_findings(data)]
    if not partial:
        found += _strategy_findings(data)
        found += _alert_findings(data)
        found += _hypothesis_findings(data)
    return found
