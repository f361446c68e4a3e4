"""Writing plain data as YAML that the scenario reader reads back to equal values."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import ScalarNode

from sim.scenario.scalars import STD, resolve_plain

__all__ = ["dump_plain", "flow_list"]


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also quotes text our reader would read as something else (``1e5``)."""

    def ignore_aliases(self, data: Any) -> bool:
        """Write shared values out in full: a resolved scenario has no anchors."""
        return True


class _FlowList(list[Any]):
    """A list written on one line (``[1, 2, 3]``)."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> ScalarNode:
    try:
        plain = isinstance(resolve_plain(data), str)
    except ValueError:
        plain = False
    return dumper.represent_scalar(f"{STD}str", data, style=None if plain else "'")


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence(f"{STD}seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def flow_list(items: list[Any]) -> list[Any]:
    """Mark a list of scalars to be written on one line."""
    return _FlowList(items)


def dump_plain(data: Any) -> str:
    """Write plain data as block YAML that the scenario reader reads back to equal values."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
