"""The replication cache that makes a sweep resumable.

A finished replication is stored as one small JSON file, keyed by what decides its result: the
resolved scenario (every value, the data read from files included, but not ``replications``,
which does not change replication *i*), the replication index and the ehrsim version. The client
process writes each entry as its result arrives (a worker never touches the cache, so a cluster
needs no shared disk), atomically: an entry is whole or absent, so a sweep stopped by Ctrl-C, a
crash or a lost worker leaves only usable entries, and its rerun reuses every one.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import pickle
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from sim.files import write_replacing

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["DEFAULT_CACHE", "ReplicationCache", "canonical", "replication_key"]

DEFAULT_CACHE = Path("results") / ".cache"
"""Where ``ehrsim sweep`` keeps finished replications unless told otherwise."""

_IGNORED = frozenset({"replications", "compare"})
"""Scenario keys that do not change a replication's result: how many replications run, and
the variants of ``compare`` (never simulated as part of the scenario itself)."""


def canonical(value: Any) -> Any:
    """``value`` as plain JSON data that is equal exactly when the values are.

    Pydantic models by field, mappings in their order (the order of flows and systems matters
    to a world), sets sorted, floats by their exact text, and anything else (a distribution,
    its samples) by the hash of its pickle. A trace read from a file is its rows, not the
    file's name, so an edited file is a different scenario.
    """
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return [type(value).__name__, [[k, canonical(getattr(value, k))] for k in fields]]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return ["dict", [[canonical(k), canonical(v)] for k, v in value.items()]]
    if isinstance(value, list | tuple):
        return [type(value).__name__, [canonical(v) for v in value]]
    if isinstance(value, set | frozenset):
        items = [canonical(v) for v in value]
        return ["set", sorted(items, key=lambda v: json.dumps(v, sort_keys=True))]
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__name__, canonical(value.value)]
    if isinstance(value, datetime | date | time):
        return ["time", value.isoformat()]
    if isinstance(value, timedelta):
        return ["timedelta", value.total_seconds()]
    if isinstance(value, Path):
        return ["path", str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, canonical(dataclasses.asdict(value))]
    digest = hashlib.sha256(pickle.dumps(value, protocol=5)).hexdigest()
    return ["pickle", type(value).__name__, digest]


def replication_key(scenario: Scenario, index: int, version: str, kind: str = "") -> str:
    """The cache key of replication ``index`` of ``scenario`` under ehrsim ``version``.

    ``kind`` names what the entry holds when it is more than a sweep's outcome (e.g. the
    metastability map's ``last-hour``), so that entries of different shapes never meet; a
    sweep's keys have none.
    """
    fields = type(scenario).model_fields
    data = [[k, canonical(getattr(scenario, k))] for k in fields if k not in _IGNORED]
    key: dict[str, Any] = {"ehrsim": version, "replication": index, "scenario": data}
    if kind:
        key["kind"] = kind
    text = json.dumps(key, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ReplicationCache:
    """Finished replications in a folder, one JSON file each (``<key[:2]>/<key>.json``).

    Args:
        folder: The cache folder (created when the first entry is written).
        version: The ehrsim version the entries belong to (part of every key).
        kind: What the entries hold beyond a sweep's outcome (part of every key; ``""``
            for a sweep's).
    """

    def __init__(self, folder: Path, version: str, kind: str = "") -> None:
        self.folder = Path(folder)
        self.version = version
        self.kind = kind

    def key(self, scenario: Scenario, index: int) -> str:
        """The key of replication ``index`` of ``scenario``."""
        return replication_key(scenario, index, self.version, self.kind)

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored result under ``key``, or ``None`` (absent, or not a readable entry)."""
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        result = data.get("result")
        return result if isinstance(result, dict) else None

    def put(self, key: str, result: dict[str, Any]) -> None:
        """Store ``result`` (plain JSON data) under ``key``, atomically (write, then rename)."""
        path = self._file(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"ehrsim": self.version, "key": key, "result": result},
            separators=(",", ":"),
            allow_nan=False,
        )
        write_replacing(path, text)
