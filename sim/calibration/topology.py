"""What a topology given to ``--extends`` already has: its systems and its flows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.calibration.naming import CalibrationError

__all__ = ["Topology", "read_topology"]


@dataclass(frozen=True)
class Topology:
    """The parts of an extended file that calibration joins to."""

    ref: str
    """The reference as given (a path, or a shipped scenario's name)."""
    path: Path
    """The file it resolved to."""
    systems: frozenset[str]
    flows: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(from, to, message) -> flow id, for flows that state all three."""
    rated: frozenset[str] = frozenset()
    """Flows with a ``rate`` of their own."""


def read_topology(ref: str) -> Topology:
    """Load the file ``--extends`` names (merged with what it extends in turn).

    Raises:
        CalibrationError: With the loader's problems when it cannot be read.
    """
    from sim.scenario import ScenarioError
    from sim.scenario.api import load_base
    from sim.scenario.shipped import resolve_ref

    try:
        path = Path(resolve_ref(ref))
        data = load_base(ref).data
    except ScenarioError as exc:
        raise CalibrationError(f"--extends {ref}: {exc}") from None
    systems = data.get("systems") or {}
    flows = data.get("flows") or {}
    known: dict[tuple[str, str, str], str] = {}
    rated: set[str] = set()
    if isinstance(flows, dict):
        for fid, flow in flows.items():
            if not isinstance(flow, dict):
                continue
            ends = (flow.get("from"), flow.get("to"), flow.get("message"))
            if all(isinstance(part, str) for part in ends):
                known.setdefault((str(ends[0]), str(ends[1]), str(ends[2])), str(fid))
            if flow.get("rate") is not None:
                rated.add(str(fid))
    return Topology(
        ref,
        path,
        frozenset(str(s) for s in systems) if isinstance(systems, dict) else frozenset(),
        known,
        frozenset(rated),
    )
