"""Fingerprints of the shipped scenarios: hashes of their figures, reviewed in fingerprints.json.

Any change to the model's behaviour changes some fingerprint; the test then fails until the
fingerprints are updated on purpose, in the same commit, with the reason in its message.
Regenerate every entry with this one line (from the repository root; the variable is needed
only where the core is not compiled, and gives the same figures):

    EHRSIM_PURE_PYTHON=1 python -m tests.determinism.fingerprints --update

(`--add` writes only the entries the file lacks and keeps the others; without an option the
table is printed and the file left alone.)

The file holds three kinds of entries, each a hash of canonical JSON:

- `<scenario>`: its HEADLINES (counts, peak backlog, recovery, lateness, staff hours, ...);
- `<scenario>:figures`: its FIGURES (latency, order-to-result, each queue's peak, peak time,
  oldest age, backlog-hours, wait and recovery, late shares, goodput, recovered share);
- `<scenario>@<variant>`: HEADLINES and FIGURES of one `compare` variant (COMPARED), run
  through `sim.compare` as `ehrsim compare` runs it.

A fingerprint run uses one replication and at most FINGERPRINT_HORIZON of simulated time; a
fault-free queueing-theory world (a steady state), at most STEADY_HORIZON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml

from sim import compare, load_scenario, run
from sim.metrics.registry import lookup
from sim.scenario import list_shipped, load_variants

FILE = Path(__file__).with_name("fingerprints.json")
FINGERPRINT_HORIZON = 20 * 3600.0
STEADY_HORIZON = 1.5 * 3600.0
"""Enough for a fault-free theory world's figures past its warm-up: hours more only repeat them,
and those worlds run up to 24 messages a second (their full horizons cost 15 s in pure Python)."""
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
"""The figures of the `<scenario>` entries (unchanged since they were first reviewed)."""
FIGURES = (
    "latency_s",
    "order_to_result_s",
    "order_to_result_all_s",
    "queues",
    "late_share",
    "goodput_share",
    "recovered_share",
)
"""The figures of the `<scenario>:figures` entries: everything else summary.json reports."""
COMPARED = (("strategies-december-2017", "results-first"),)
"""(scenario, variant) pairs whose variant is run through `compare` and fingerprinted."""


def shipped() -> list[str]:
    """Names of the shipped scenarios that can run on their own (not partial topologies)."""
    names = []
    for name, _title, path in list_shipped():
        doc = yaml.safe_load(Path(path).read_text()) or {}
        if not doc.get("partial", False):
            names.append(name)
    return sorted(names)


def _short(name: str) -> tuple[float, list[str]]:
    """The fingerprint horizon of a scenario, and the `--set`s its warm-up then needs."""
    scenario = load_scenario(name)
    steady = name.startswith("theory/") and not scenario.faults
    cap = STEADY_HORIZON if steady else FINGERPRINT_HORIZON
    horizon = min(float(scenario.horizon or 0.0), cap)
    return horizon, (["warmup=0s"] if scenario.warmup >= horizon else [])


@cache
def summary(name: str) -> dict[str, Any]:
    """summary.json of the fingerprint run of a shipped scenario (computed once per process)."""
    horizon, sets = _short(name)
    scenario = load_scenario(name, sets=sets)
    return run(scenario, replications=1, horizon=horizon).summary


@cache
def variant_summary(name: str, variant: str) -> dict[str, Any]:
    """summary.json of one `compare` variant of a shipped scenario, run through `compare`."""
    horizon, sets = _short(name)
    scenarios = load_variants(name, sets=[*sets, f"horizon={horizon:g}s"])
    result = compare({variant: scenarios[variant]}, replications=1)
    return result.variants[variant].summary


def pick(tree: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The named figures of a summary."""
    return {key: lookup(tree, key) for key in keys}


def headlines(name: str) -> dict[str, Any]:
    """The headline figures of one fingerprint run."""
    return pick(summary(name), HEADLINES)


def figures(name: str) -> dict[str, Any]:
    """The other figures (latency, waits, peak times, backlog-hours, ...) of one fingerprint run."""
    return pick(summary(name), FIGURES)


def variant_figures(name: str, variant: str) -> dict[str, Any]:
    """Headlines and figures of one compare variant's fingerprint run."""
    return pick(variant_summary(name, variant), HEADLINES + FIGURES)


def fingerprint(figures: dict[str, Any]) -> str:
    """sha256 of the figures in canonical JSON."""
    text = json.dumps(figures, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def figures_key(name: str) -> str:
    """The entry of a scenario's FIGURES."""
    return f"{name}:figures"


def variant_key(name: str, variant: str) -> str:
    """The entry of a compare variant."""
    return f"{name}@{variant}"


def entries() -> dict[str, Callable[[], dict[str, Any]]]:
    """Every entry fingerprints.json must hold, and how to compute its figures."""
    table: dict[str, Callable[[], dict[str, Any]]] = {}
    for name in shipped():
        table[name] = partial(headlines, name)
        table[figures_key(name)] = partial(figures, name)
    for name, variant in COMPARED:
        table[variant_key(name, variant)] = partial(variant_figures, name, variant)
    return table


def main() -> None:
    """Print the fingerprints, or rewrite (`--update`) or complete (`--add`) the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--update", action="store_true", help="rewrite every entry")
    group.add_argument("--add", action="store_true", help="add the missing entries only")
    args = parser.parse_args()
    old: dict[str, str] = json.loads(FILE.read_text()) if FILE.exists() else {}
    table: dict[str, str] = {}
    for key, compute in entries().items():
        table[key] = old[key] if args.add and key in old else fingerprint(compute())
    if args.update or args.add:
        FILE.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
    print(json.dumps(table, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
