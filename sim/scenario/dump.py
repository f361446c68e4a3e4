"""Writing a resolved scenario back as YAML, and the JSON Schema of the format for editors.

The dump is the scenario after ``extends``, overlays and defaults, in the format's own notation
(durations ``7h``, rates ``2500/h``, distributions by their text, clock times as offsets
``+9h``), so that ``scenario.yaml`` beside a run's results says exactly what ran and loads back
to an equal :class:`~sim.scenario.schema.Scenario`.
"""

from __future__ import annotations

import json
from typing import Any

from sim.scenario.schema import Scenario
from sim.scenario.strategy import channel_override_schema
from sim.scenario.yamldump import dump_plain, flow_list

__all__ = ["dump_yaml", "json_schema"]

_HEADER = "# The fully resolved scenario (extends, overlays and defaults applied).\n"


def _tidy(value: Any, under_compare: bool = False) -> Any:
    """Plain YAML data: lists for tuples, no ``None`` fields, short lists of numbers on one line.

    ``None`` is kept inside ``compare`` overlays (``under_compare``), where ``breaker: null``
    means "remove it".
    """
    if isinstance(value, dict):
        return {
            key: _tidy(item, under_compare or key == "compare")
            for key, item in value.items()
            if item is not None or under_compare
        }
    if isinstance(value, list | tuple):
        items = [_tidy(item, under_compare) for item in value]
        scalars = all(isinstance(item, int | float | str | bool) for item in items)
        return flow_list(items) if items and scalars and len(items) <= 24 else items
    return value


def dump_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that :func:`~sim.scenario.load_scenario` reads back to an equal one.

    A system's own strategy is written whole (its channel's effective strategy), with its
    nulls: ``breaker: null`` there clears a top-level breaker for that channel.
    """
    data = scenario.model_dump(mode="python", by_alias=True)
    tidy = _tidy(data)
    strategy = tidy.get("strategy")
    if isinstance(strategy, dict) and "queues" in strategy:  # the layout first, as people write it
        tidy["strategy"] = {"queues": strategy["queues"], **strategy}
    for sid, system in data.get("systems", {}).items():
        if system.get("strategy") is not None:
            own = _tidy(system["strategy"], under_compare=True)
            if own["retry"]["attempts"] is None:
                own["retry"]["attempts"] = "unlimited"
            tidy["systems"][sid]["strategy"] = own
    return _HEADER + dump_plain(tidy)


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of scenario files, for editors and external tools.

    Keys are the YAML keys; values with units are strings with a pattern and a description.
    """
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ehrsim scenario"
    schema["description"] = (
        "A scenario of the ehrsim hospital integration testbed; see docs/scenario-format.md."
    )
    # A system's own strategy is an override: any keys, none required, null allowed.
    system = schema.get("$defs", {}).get("System", {}).get("properties", {})
    if "strategy" in system:
        system["strategy"] = channel_override_schema()
        if "#/$defs/ChannelStrategy" not in json.dumps(schema):
            schema["$defs"].pop("ChannelStrategy", None)
    properties = schema.setdefault("properties", {})
    properties["extends"] = {
        "description": "files merged first, in order, relative to this file",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    # A partial file may leave out what the file extending it supplies.
    schema["required"] = [key for key in schema.get("required", []) if key != "title"]
    return schema
