"""The metastability map of a small world against the boundary a queueing argument gives.

The world (``tests/data/metastable.yaml``, a scaled-down ``recovery-surge``): orders arrive at
lambda = 2/s (Poisson); the lab files one message at a time, 1/mu = 0.25 s each (mu = 4/s),
and ACKs it 50 ms later; the engine gives up on a send after tau = 5 s and sends the message
again at once (immediate retry), on any of c = 32 connections.

**Healthy state.** The filer is a single server at rho = lambda/mu = 0.5. A send waits for the
messages ahead of it, k/mu + 50 ms for the k-th in line, and times out only when more than
B* = mu (tau - 50 ms) = 4 x 4.95 = 19.8 messages are ahead: at rho = 0.5 that practically
never happens, and the engine keeps up.

**Metastable state.** Once sends time out, each timed-out message is still filed later (the
lab files what it received: wasted, "zombie" work) and its copy is sent at once. Every
connection then sends a message every tau: c/tau = 6.4 sends/s into a filer of mu = 4/s, so
the filer's line grows by c/tau - mu = 2.4/s, every send waits longer than tau and times out.
Goodput is nil and the backlog grows at lambda, with no fault left: the system stays degraded.
This state exists because c > mu tau (32 > 20); with fewer connections no send could wait tau.

**The trigger.** A stall of severity s pauses sends for s of every minute, the pause first, so
the longest pause of a stall of length d is p = min(60 s x s, d). It holds B = lambda p
messages; when it ends, min(B, c) sends reach the filer together. If B <= B*, none times out
and the backlog drains at mu - lambda = 2/s: the system recovers. If B > B*, the last
min(B, c) - B* time out, their copies join the line behind their own zombies, and the line
never falls back below B*: the system tips into the metastable state. **The boundary is
lambda p = B*, i.e. a pause of p* = B*/lambda = 9.9 s**: a line min(60 s x s, d) = 9.9 s in the
map's (magnitude, duration) plane, an L whose corner is at s = 0.165, d = 9.9 s.

The map (magnitude 0.05..0.65, duration 3 s..60 s, 4 steps each) has pauses from 3 s to 39 s.
Only points at least twice as far from the boundary are checked: p >= 2 p* = 19.8 s (B about
40, above c: a burst of 32, 12 more than B*) must stay degraded; p <= p*/2 = 4.95 s (B about
10) must recover. The Poisson spread of B (sqrt(B), 3 to 6 messages) cannot carry either
across the boundary (P < 0.002). The points in between (5 s < p < 19.8 s) are not checked.

**The drain limit shrinks it.** The variant ``drain-3`` sends at most 3/s, below mu: the line
at the filer never grows, no send ever times out, and every point recovers (the boundary
leaves the map).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

WORLD = str(Path(__file__).parent / "data" / "metastable.yaml")
LAMBDA, MU, TAU, ACK = 2.0, 4.0, 5.0, 0.05
B_STAR = MU * (TAU - ACK)
P_STAR = B_STAR / LAMBDA


def pause(severity: float, duration_s: float) -> float:
    """The longest pause of the stall (seconds): the whole stall, or one duty-cycle pause."""
    return duration_s if severity >= 1.0 else min(60.0 * severity, duration_s)


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    folder = tmp_path_factory.mktemp("map") / "m"
    result = CliRunner().invoke(
        app,
        [
            "metastability", WORLD, "--magnitude", "0.05..0.65", "--duration", "3s..60s",
            "--steps", "4", "--replications", "1", "--no-cache", "--jobs", "1", "--out",
            str(folder), "--variant", "drain-3: {strategy: {drain: {rate: 3/s}}}",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (folder / "metastability.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_boundary_of_the_world_is_where_the_release_outruns_the_timeout() -> None:
    assert pytest.approx(9.9) == P_STAR
    assert MU * TAU < 32  # the metastable state exists: c > mu tau


def test_points_far_from_the_boundary_fall_on_the_side_the_argument_says(
    rows: list[dict[str, str]],
) -> None:
    checked = {"recovers": 0, "stays-degraded": 0}
    for row in rows:
        if row["variant"] != "baseline":
            continue
        p = pause(float(row["magnitude"]), float(row["duration_s"]))
        if p >= 2 * P_STAR:
            expected = "stays-degraded"
        elif p <= P_STAR / 2:
            expected = "recovers"
        else:
            continue
        checked[expected] += 1
        assert row["class"] == expected, (row, p)
    assert checked == {"recovers": 7, "stays-degraded": 4}


def test_a_point_that_stays_degraded_never_recovered_and_wasted_its_sends(
    rows: list[dict[str, str]],
) -> None:
    for row in rows:
        if row["class"] == "stays-degraded":
            assert row["recovery_time_s"] == ""
            assert row["recovered_share"] == "0"
            assert float(row["goodput_share"]) < 0.2


def test_the_drain_limit_below_the_filer_recovers_everywhere(rows: list[dict[str, str]]) -> None:
    drained = [row for row in rows if row["variant"] == "drain-3"]
    assert len(drained) == 16
    assert {row["class"] for row in drained} == {"recovers"}
    assert {row["goodput_share"] for row in drained} == {"1"}


@pytest.mark.slow
def test_the_shipped_recovery_surge_map_stays_degraded_only_under_aggressive_retry(
    tmp_path: Path,
) -> None:
    """The corners of the shipped map (a quarter and a full stall, 15 min and 4 h; one
    replication): immediate and 1-s retries stay degraded after each, while jittered backoff
    and both drain limits never do (see the README's map)."""
    folder = tmp_path / "m"
    result = CliRunner().invoke(
        app,
        ["metastability", "recovery-surge", "--steps", "2", "--replications", "1",
         "--no-cache", "--out", str(folder)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (folder / "metastability.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    classes: dict[str, list[str]] = {}
    for row in rows:
        classes.setdefault(row["variant"], []).append(row["class"])
    assert classes["baseline"] == ["stays-degraded"] * 4
    assert classes["fixed-1s"] == ["stays-degraded"] * 4
    for variant in ("jittered-backoff", "drain-8", "drain-9-5"):
        assert "stays-degraded" not in classes[variant], variant
        assert classes[variant][0] == "recovers", variant
    assert (folder / "metastability.png").stat().st_size > 10_000
