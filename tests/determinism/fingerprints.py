"""Fingerprints of the shipped scenarios: a hash of each one's headline figures.

Any change to the model's behaviour changes some fingerprint; the test then fails until the
fingerprints are updated on purpose, in the same commit, with the reason in its message:

    python -m tests.determinism.fingerprints --update

A fingerprint run uses one replication and at most FINGERPRINT_HORIZON of simulated time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from sim import load_scenario, run
from sim.metrics.registry import lookup
from sim.scenario import list_shipped

FILE = Path(__file__).with_name("fingerprints.json")
FINGERPRINT_HORIZON = 20 * 3600.0
HEADLINES = (
    "messages",
    "peak_backlog",
    "recovery_time_s",
    "people_recovery_time_s",
    "late",
    "retry_amplification",
    "order_violations",
    "staff_hours",
    "medcom_later_than_24h",
    "time_to_detect_s",
)


def shipped() -> list[str]:
    """Names of the shipped scenarios that can run on their own (not partial topologies)."""
    names = []
    for name, _title, path in list_shipped():
        doc = yaml.safe_load(Path(path).read_text()) or {}
        if not doc.get("partial", False):
            names.append(name)
    return sorted(names)


def headlines(name: str) -> dict[str, Any]:
    """The headline figures of one fingerprint run."""
    scenario = load_scenario(name)
    horizon = min(float(scenario.horizon or 0.0), FINGERPRINT_HORIZON)
    sets = []
    if scenario.warmup >= horizon:
        sets.append("warmup=0s")
    if sets:
        scenario = load_scenario(name, sets=sets)
    result = run(scenario, replications=1, horizon=horizon)
    return {key: lookup(result.summary, key) for key in HEADLINES}


def fingerprint(figures: dict[str, Any]) -> str:
    """sha256 of the figures in canonical JSON."""
    text = json.dumps(figures, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    """Print or rewrite the fingerprints file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite fingerprints.json")
    args = parser.parse_args()
    table = {name: fingerprint(headlines(name)) for name in shipped()}
    if args.update:
        FILE.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
    print(json.dumps(table, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
