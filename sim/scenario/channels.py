"""A strategy per channel: ``systems.<id>.strategy`` merged over the top-level ``strategy``.

The merge is the format's (like ``extends``): mappings merge key by key, anything else is
replaced whole, the discipline's one-key mapping is replaced whole by another discipline, and
``null`` clears an inherited key (it takes its default). It runs on the raw mappings before
validation, so that an error inside a system's strategy is reported at
``systems.<id>.strategy.<key>``, at the line that wrote it.

The checks that need both the channel's effective strategy and the rest of the file live here
too, and are called from :mod:`.checks`: ``connections`` above 1 under strict order, and a
per-channel ``order`` or ``discipline`` under ``queues: shared``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import did_you_mean, show
from sim.scenario.params import parse_discipline
from sim.scenario.pos import Key
from sim.scenario.strategy import CHANNEL_KEYS, ChannelStrategy

__all__ = ["channel_data", "channel_findings", "merge_strategy"]

_ORDERS = ("strict", "per-patient", "none")


def merge_strategy(base: Any, over: Any, key: str = "") -> Any:
    """Lay ``over`` on ``base`` as ``extends`` does (``key``: the name of the value merged)."""
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return over
    if key == "discipline" and set(base) != set(over):
        return over  # {codel: ...} over {fair: ...} names another discipline
    merged = dict(base)
    for name, value in over.items():
        merged[name] = merge_strategy(merged[name], value, name) if name in merged else value
    return merged


def _valid(data: dict[str, Any]) -> bool:
    try:
        ChannelStrategy.model_validate(data)
    except ValidationError:
        return False
    return True


def _inherited(top: Any) -> dict[str, Any]:
    """The top-level keys a channel inherits: those valid on their own.

    An invalid top-level value is reported once, at ``strategy.<key>``; a channel inheriting it
    would report it again at each system.
    """
    if not isinstance(top, dict):
        return {}
    keys = {key: value for key, value in top.items() if key in CHANNEL_KEYS}
    if _valid(keys):
        return keys
    kept = {key: value for key, value in keys.items() if _valid({key: value})}
    if not _valid(kept):  # an order and a discipline refused together (codel under strict)
        kept = {key: value for key, value in kept.items() if key not in ("order", "discipline")}
    return kept


def channel_data(top: Any, own: Any) -> Any:
    """A system's strategy as raw data: its own keys merged deep over the top-level ones."""
    if not isinstance(own, dict):
        return own  # not a mapping: the model says so
    return merge_strategy(_inherited(top), own)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _order(value: Any) -> str | None:
    """An order as written (null: the default), or None when it is not one (reported elsewhere)."""
    if value is None:
        return "none"
    return value if isinstance(value, str) and value in _ORDERS else None


def _discipline(value: Any) -> tuple[str, dict[str, Any]] | None:
    try:
        spec = parse_discipline("fifo" if value is None else value)
    except ValueError:
        return None
    return spec.name, spec.params


def channel_findings(data: dict[str, Any]) -> list[tuple[tuple[Key, ...], str]]:
    """Problems of the channels' effective strategies against the rest of the file.

    Returns:
        (key path, message) for: ``connections`` above 1 where the channel's effective order is
        strict, a per-system ``order`` or ``discipline`` that differs from the top-level one
        under ``queues: shared``, and ``fair`` weights naming flows that do not exist.
    """
    top = _mapping(data.get("strategy"))
    flows = _mapping(data.get("flows"))
    top_order = _order(top.get("order"))
    shared = top.get("queues") == "shared"
    found: list[tuple[tuple[Key, ...], str]] = []
    for sid, system in _mapping(data.get("systems")).items():
        if not isinstance(system, dict):
            continue
        own = _mapping(system.get("strategy"))
        here: tuple[Key, ...] = ("systems", sid)
        order = _order(own["order"]) if "order" in own else top_order
        connections = system.get("connections", 1)
        many = isinstance(connections, int) and not isinstance(connections, bool)
        if order == "strict" and many and connections > 1:
            source = f"systems.{sid}.strategy.order" if "order" in own else "strategy.order"
            found.append(
                (
                    (*here, "connections"),
                    f"{connections} connections under order: strict ({source}): strict order "
                    "sends one message at a time; use `order: per-patient` to use more "
                    f"connections (e.g. systems.{sid}.strategy.order: per-patient), or "
                    "connections: 1",
                )
            )
        if shared and "order" in own and None not in (order, top_order) and order != top_order:
            found.append(
                (
                    (*here, "strategy", "order"),
                    f"under queues: shared every channel draws from one queue, so the order is "
                    f"the engine's ({top_order}, strategy.order); remove this key, or use "
                    "queues: per-destination for an order per channel",
                )
            )
        if "discipline" in own:
            mine = merge_strategy(top.get("discipline"), own["discipline"], "discipline")
            spec, engine = _discipline(mine), _discipline(top.get("discipline"))
            if shared and None not in (spec, engine) and spec != engine:
                found.append(
                    (
                        (*here, "strategy", "discipline"),
                        "under queues: shared every channel draws from one queue, so the "
                        "discipline is the engine's (strategy.discipline); remove this key, or "
                        "use queues: per-destination for a discipline per channel",
                    )
                )
            weights = _mapping(_mapping(_mapping(own["discipline"]).get("fair")).get("weights"))
            found += [
                (
                    (*here, "strategy", "discipline", "fair", "weights", flow),
                    f"there is no flow {show(flow)}{did_you_mean(flow, flows)}",
                )
                for flow in weights
                if flow not in flows
            ]
    return found
