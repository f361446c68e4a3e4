"""RESULTS.md: the machine, the targets met and missed, and every figure with its ratio."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.backlog import NORMAL, STEPS, BacklogResult
from benchmarks.common import Machine, Sizes, median
from benchmarks.logs import LogsResult
from benchmarks.memory import MemoryResult
from benchmarks.mm3 import Mm3Result
from benchmarks.overheads import Overheads
from benchmarks.parallel import ParallelResult
from benchmarks.profiling import Profile
from benchmarks.throughput import ThroughputResult

SECTIONS = (
    "## Machine",
    "## Targets",
    "## Profile",
    "## M/M/3 channel",
    "## Throughput",
    "## Backlog drain",
    "## Peak memory",
    "## Parallel replications",
    "## Imports, loading and plotting",
    "## Message logs",
    "## Where the targets are missed",
)
"""Every section RESULTS.md has, in order (the smoke test checks them)."""


@dataclass
class Results:
    """Everything one run of the benchmark measured."""

    machine: Machine
    sizes: Sizes
    command: str
    elapsed_s: float
    profiles: tuple[Profile, Profile]
    mm3: Mm3Result
    throughput: tuple[ThroughputResult, ThroughputResult, ThroughputResult]
    backlog: tuple[BacklogResult, ...]
    """One pair of worlds per order of `benchmarks.backlog.ORDERS`."""
    memory: MemoryResult
    parallel: ParallelResult
    overheads: Overheads
    logs: LogsResult


@dataclass(frozen=True)
class Target:
    """One target of the issue and the figure measured for it."""

    name: str
    value: float
    limit: float
    higher_is_better: bool
    shown: str
    """The value as the table shows it."""
    wanted: str
    """The target as the table shows it."""

    @property
    def met(self) -> bool:
        """Whether the figure meets the target."""
        return self.value >= self.limit if self.higher_is_better else self.value < self.limit

    @property
    def gap(self) -> str:
        """By how much it is missed ('' when met)."""
        if self.met:
            return ""
        factor = self.limit / self.value if self.higher_is_better else self.value / self.limit
        word = "short" if self.higher_is_better else "over"
        digits = 3 if factor < 1.1 else 2
        by = 1.0 - 1.0 / factor if self.higher_is_better else factor - 1.0
        return f"{word} by {by:.1%} (needs {factor:.{digits}f}x)"


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def targets(r: Results) -> list[Target]:
    """The issue's targets with this run's figures."""
    mm3, mem, par = r.mm3, r.memory, r.parallel
    ciw = mm3.median_ratio("engine", "ciw")
    loop = mm3.median_ratio("engine", "heapq")
    dec = par.december_wall
    mem_ratio = mem.ratio()
    eff = par.efficiency
    return [
        Target(
            name="M/M/3: engine / Ciw customers per CPU-second",
            value=ciw,
            limit=3.0,
            higher_is_better=True,
            shown=f"{ciw:.2f}x",
            wanted=">= 3x",
        ),
        Target(
            name="M/M/3: engine / bare heapq loop",
            value=loop,
            limit=1 / 6,
            higher_is_better=True,
            shown=f"{loop:.3f} (1/{1 / loop:.1f})",
            wanted=">= 1/6 (0.167)",
        ),
        *(_backlog_target(b) for b in r.backlog),
        Target(
            name=f"December replay, {par.december_replications} replications on 2 workers, wall",
            value=dec,
            limit=10.0,
            higher_is_better=False,
            shown=f"{dec:.1f} s",
            wanted="< 10 s",
        ),
        Target(
            name=f"Peak memory, {mem.points[-1].horizon} / {mem.points[0].horizon} horizon",
            value=mem_ratio,
            limit=1.2,
            higher_is_better=False,
            shown=f"{mem_ratio:.2f}x",
            wanted="<= 1.2x",
        ),
        Target(
            name="Parallel efficiency, 2 workers",
            value=eff,
            limit=0.9,
            higher_is_better=True,
            shown=f"{eff:.2f}",
            wanted=">= 0.9",
        ),
    ]


def _backlog_target(b: BacklogResult) -> Target:
    drain = b.med("ratio")
    size = _n(round(b.med("backlog_at_start"), -3))
    return Target(
        name=f"Backlog: {size} draining / no stall, messages per CPU-second, `order: {b.order}`",
        value=drain,
        limit=0.9,
        higher_is_better=True,
        shown=f"{drain:.2f}x",
        wanted=">= 0.9x",
    )


def _machine(r: Results) -> list[str]:
    m = r.machine
    v = m.versions
    state = "clean" if not m.dirty else "uncommitted changes to tracked files"
    lines = [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| nproc | {m.nproc} |",
        f"| CPU | {m.cpu} |",
        f"| Python | {m.python} |",
        f"| numpy / simpy / ciw | {v['numpy']} / {v['simpy']} / {v['ciw']} |",
        f"| simulation core | {m.core or 'not recorded'} |",
        f"| date | {m.date} |",
        f"| checkout | {m.commit or 'unknown'} ({state}) |",
        *(
            [f"| checkout at the end | {m.commit_end} (the tree moved during the run) |"]
            if m.commit_end and m.commit_end != m.commit
            else []
        ),
        f"| load average (1/5/15 min) at start / end | {m.load_start} / {m.load_end} |",
        f"| command | `{r.command}` |",
        f"| repetitions per figure | {r.sizes.repeats} (each figure is their median) |",
        f"| benchmark's own wall time | {r.elapsed_s / 60:.1f} min |",
    ]
    for key, value in m.extra.items():
        lines.append(f"| {key} | {value} |")
    lines += [
        "",
        "Times are CPU seconds of the measuring process (`time.process_time`) unless marked "
        "wall; the machine was shared with other users (see the load average). Competing "
        "implementations ran side by side in each repetition, in processes of their own taking "
        "turns (`benchmarks/lockstep.py`) in an order that rotates between repetitions, and a "
        "ratio is the median of the per-repetition ratios.",
    ]
    if r.sizes.is_quick:
        lines += ["", "**`--quick`: a smoke run on tiny sizes; these figures mean nothing.**"]
    return lines


def _targets(r: Results) -> list[str]:
    lines = ["## Targets", "", "| target | wanted | measured | met |", "|---|---|---|---|"]
    for t in targets(r):
        verdict = "yes" if t.met else f"**no**: {t.gap}"
        lines.append(f"| {t.name} | {t.wanted} | {t.shown} | {verdict} |")
    return lines


def _profile_table(p: Profile) -> list[str]:
    lines = [
        f"{p.label} (`{p.scenario}`): {_n(p.messages)} messages, {_n(p.total_calls)} function "
        f"calls ({p.calls_per_message:.1f} per message), {_n(p.events)} events taken off the "
        f"heap ({p.events_per_message:.2f} per message), {p.total_s:.2f} s under the profiler.",
        "",
        "| function | calls | own s | own % | cumulative s |",
        "|---|---:|---:|---:|---:|",
    ]
    for e in p.top:
        share = e.tottime / p.total_s if p.total_s else 0.0
        lines.append(
            f"| `{e.function}` | {_n(e.ncalls)} | {e.tottime:.3f} | {share:.1%} | {e.cumtime:.3f} |"
        )
    return lines


def _profile(r: Results) -> list[str]:
    mm3, dec = r.profiles
    return [
        "## Profile",
        "",
        "cProfile, once, before the timed runs (construction to summary of one replication). "
        "The profiler multiplies every call's cost, so read the split, not the totals. "
        "cProfile cannot see inside the compiled core, so this profile runs the same code from "
        "its Python sources (`EHRSIM_PURE_PYTHON=1`); the timed runs use the compiled core.",
        "",
        *_profile_table(mm3),
        "",
        *_profile_table(dec),
    ]


def _mm3(r: Results) -> list[str]:
    m = r.mm3
    rows = []
    for name, label in (
        ("engine", "engine (2 stations, full metrics)"),
        ("ciw", "Ciw 3 (1 station)"),
        ("heapq", "bare heapq loop (1 station)"),
    ):
        cust = m.reps[0][name].customers
        cpu = sum(rep[name].cpu_s for rep in m.reps) / len(m.reps)
        rows.append(
            f"| {label} | {_n(cust)} | {cpu:.2f} | {_rate(m.median_rate(name))} | "
            f"{m.median_ratio('engine', name):.3f} | {m.pooled_wait(name):.4f} | "
            f"{m.wait_error(name):+.2%} |"
        )
    per_rep = ", ".join(
        f"{rep['engine'].rate / rep['ciw'].rate:.2f}x / "
        f"{rep['engine'].rate / rep['heapq'].rate:.3f}"
        for rep in m.reps
    )
    return [
        "## M/M/3 channel",
        "",
        f"lambda = 2/s, exponential service of mean 1.2 s, 3 servers (rho = 0.8), "
        f"{m.horizon_s:,.0f} s simulated, waits counted after a {m.warmup_s:,.0f} s warm-up "
        "(`benchmarks/scenarios/mm3.yaml`, `benchmarks/heapq_mm3.py`, "
        "`ciw.Simulation.simulate_until_max_time`). Customers are messages delivered "
        "(engine) or services completed (Ciw, loop); the engine's time runs from the world's "
        "construction to the finished summary, Ciw's from the network to its records. The "
        "three ran in processes of their own taking turns of 1/100 of the horizon "
        "(`benchmarks/lockstep.py`), so each ratio compares CPU time spent across the same "
        "stretches of the shared machine's load. Switching processes at every turn costs each "
        "of them some speed (cold caches), so the absolute rates here are below those of a run "
        "alone: the M/M/3 row of Throughput is the engine's figure in a process of its own.",
        "",
        "| implementation | customers | CPU s (mean) | customers per CPU-s (median) | "
        "engine / this | mean wait s | vs Erlang C |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Erlang C (`sim.theory.mmc(2, 1/1.2, 3).wq`): {m.theory_wait:.4f} s. The benchmark "
        f"asserts the engine's mean wait (pooled over the repetitions) is within "
        f"{m.tolerance:.1%} of it (4 standard deviations): it was {m.wait_error('engine'):+.2%}, "
        "**passed**.",
        "",
        f"Per repetition, engine / Ciw and engine / loop: {per_rep}.",
    ]


def _throughput(r: Results) -> list[str]:
    lines = [
        "## Throughput",
        "",
        "One process (`sim.run(scenario, replications=N)`), from the first world's construction "
        "to the aggregated summary; messages are those created (orders, results, receipts), "
        "over all replications. Loading the scenario is timed apart. The M/M/3 channel is the "
        "world of the next section, alone in this process.",
        "",
        "| scenario | replications | messages | CPU s (median) | messages per CPU-s "
        "(median) | per repetition | loading CPU s |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for t in r.throughput:
        reps = ", ".join(_rate(run.rate) for run in t.runs)
        lines.append(
            f"| {t.label} | {t.replications} | {_n(t.messages)} | {t.cpu_s:.1f} | "
            f"{_rate(t.rate)} | {reps} | {t.load_cpu_s:.3f} |"
        )
    base, dec, channel = r.throughput
    lines += [
        "",
        f"Ratios: December / baseline {dec.rate / base.rate:.2f}; baseline / M/M/3 channel "
        f"{base.rate / channel.rate:.2f}; December / M/M/3 channel "
        f"{dec.rate / channel.rate:.2f}.",
        "",
        f"Baseline: {base.note}{'; sets: ' + ', '.join(base.sets) if base.sets else ''}. "
        f"December: {dec.note}{'; sets: `' + '`, `'.join(dec.sets) + '`' if dec.sets else ''}.",
    ]
    return lines


def _backlog(r: Results) -> list[str]:
    first = r.backlog[0]
    rep = first.reps[0]
    ok = min(x.backlog_at_start for b in r.backlog for x in b.reps) >= first.min_backlog
    sets = [s for s in first.sets if not s.startswith("strategy.order=")]
    lines = [
        "## Backlog drain",
        "",
        f"`{first.scenario}`{' with ' + ', '.join(sets) if sets else ''}: 20,000 messages/h "
        "into one connection that sends 60,000/h (M/M/1, rho = 0.33), over 20,000 patients, "
        "stalled 16 h (`engine-stall`, hold), against the same world with `faults=[]` (same "
        "arrivals), the two in processes of their own taking turns of one grid step, "
        f"1/{STEPS} of the horizon (`benchmarks/lockstep.py`); the pair runs in the file's "
        "`order: strict` (a per-patient line holds every waiting message) and with "
        "`strategy.order=none` (the queue alone). The drain window runs from the stall's end "
        f"to the channel's queue back under {NORMAL}: {rep.start / 3600:.2f} h to "
        f"{rep.end / 3600:.2f} h simulated; the backlog at its start was "
        f"{_n(first.med('backlog_at_start'))} messages (peak {_n(first.med('peak_backlog'))}; "
        f"at least {_n(first.min_backlog)} wanted: {'yes' if ok else '**no**'}). A message "
        "counts half when created and half when delivered.",
        "",
        "| over the drain window | order | draining | no stall | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for b in r.backlog:
        lines += [
            f"| messages per CPU-s | {b.order} | {_rate(b.med('drain_rate'))} | "
            f"{_rate(b.med('calm_rate'))} | **{b.med('ratio'):.2f}** |",
            f"| deliveries per CPU-s | {b.order} | {_rate(b.med('drain_deliveries_rate'))} | "
            f"{_rate(b.med('calm_deliveries_rate'))} | "
            f"{b.med('drain_deliveries_rate') / b.med('calm_deliveries_rate'):.2f} |",
            f"| whole run (construction to summary), messages per CPU-s | {b.order} | "
            f"{_rate(b.med('drain_total_rate'))} | {_rate(b.med('calm_total_rate'))} | "
            f"{b.med('drain_total_rate') / b.med('calm_total_rate'):.2f} |",
        ]
    per_rep = "; ".join(
        f"`order: {b.order}` " + ", ".join(f"{x.ratio:.2f}" for x in b.reps) for b in r.backlog
    )
    return [
        *lines,
        "",
        f"Per repetition (messages per CPU-s, draining / no stall): {per_rep}.",
    ]


def _memory(r: Results) -> list[str]:
    m = r.memory
    lines = [
        "## Peak memory",
        "",
        f"One replication of `{m.scenario}` with `--set horizon=...`, measured with {m.method}. "
        "`before` is the peak after imports and loading; `peak` is the process's peak after "
        "the run and its summary (the figure of the target); `run` is what the run added.",
        "",
        "| horizon | messages | CPU s | before MiB | peak MiB | run MiB | backlog samples "
        "| samples MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in m.points:
        lines.append(
            f"| {p.horizon} | {_n(p.messages)} | {p.cpu_s:.1f} | {p.before_mib:.1f} | "
            f"{p.peak_mib:.1f} | {p.run_mib:.1f} | {_n(p.samples)} | {p.samples_mib:.1f} |"
        )
    first, last = m.points[0], m.points[-1]
    lines += [
        "",
        f"Ratio {last.horizon} / {first.horizon}: peak {m.ratio('peak_mib'):.2f}x, "
        f"run's own {m.ratio('run_mib'):.2f}x "
        f"({last.messages / max(first.messages, 1):.1f}x the messages).",
    ]
    return lines


def _parallel(r: Results) -> list[str]:
    p = r.parallel
    per_rep = ", ".join(f"{one.wall_s / (2 * two.wall_s):.2f}" for one, two in p.pairs)
    walls = ", ".join(f"{w:.1f}" for w in p.december_walls)
    return [
        "## Parallel replications",
        "",
        f"`sim.run(scenario, replications={p.replications}, jobs=1 | 2)` on `{p.scenario}` "
        f"({p.note}{'; sets: ' + ', '.join(p.sets) if p.sets else ''}). Efficiency = "
        "time(1 worker) / (2 x time(2 workers)), wall-clock; CPU is this process's and its "
        "workers' together.",
        "",
        "| workers | wall s (median) | CPU s, all processes (median) |",
        "|---:|---:|---:|",
        f"| 1 | {p.wall(1):.2f} | {p.cpu(1):.2f} |",
        f"| 2 | {p.wall(2):.2f} | {p.cpu(2):.2f} |",
        "",
        f"Parallel efficiency (wall): **{p.efficiency:.2f}** (per repetition: {per_rep}); "
        f"CPU(1) / CPU(2): {p.cpu_efficiency:.2f} (1.00 would be a free second worker). "
        f"Pickling one replication's result and unpickling it: {p.pickle_ms:.1f} ms of CPU "
        f"({p.result_kib:,.0f} KiB).",
        "",
        f"December replay, {p.december_replications} replications on 2 workers, wall-clock with "
        f"the interpreter's start and imports, run as {p.december_how}:",
        "",
        f"    {p.december_command}",
        "",
        f"Median **{p.december_wall:.1f} s** (runs: {walls} s).",
    ]


def _overheads(r: Results) -> list[str]:
    o = r.overheads
    sets = f" with {', '.join(o.sets)}" if o.sets else ""
    return [
        "## Imports, loading and plotting",
        "",
        f"Left out of every figure above; measured in a fresh subprocess on `{o.scenario}`"
        f"{sets} (one replication, {_n(o.messages)} messages).",
        "",
        "| step | CPU s |",
        "|---|---:|",
        f"| `from sim import load_scenario, run` (imports) | {o.import_s:.3f} |",
        f"| `load_scenario` (read, merge, validate) | {o.load_s:.3f} |",
        f"| the run itself, for scale | {o.run_s:.3f} |",
        f"| `import sim.report.plots` (matplotlib) | {o.plots_import_s:.3f} |",
        f"| `write_results` (summary, CSV files, 2 PNGs) | {o.write_s:.3f} |",
        "",
        f"The whole subprocess took {o.process_wall_s:.2f} s of wall-clock time, the "
        "interpreter's start included.",
    ]


def _logs(r: Results) -> list[str]:
    g = r.logs
    mb = 1024.0 * 1024.0
    whole = g.sample / g.whole_parse_cpu
    own = g.sample / g.reader_cpu
    return [
        "## Message logs",
        "",
        "`sim.logs.read_logs` (the reader under `ehrsim calibrate`) on a made-up engine log "
        f"written to a temporary folder (`benchmarks/logs.py`): {_n(g.messages)} HL7 v2 messages "
        f"({_n(g.originals)} originals, resends included, and {_n(g.acks)} ACKs), MLLP-framed, "
        f"and the same originals as a CSV table, one row each with its ACK. Median of "
        f"{len(g.hl7_cpu)} reads of each.",
        "",
        "| log | size | CPU s | read per CPU-second |",
        "|---|---|---:|---:|",
        f"| HL7 v2 (MLLP) | {_n(g.messages)} messages, {g.hl7_bytes / mb:.1f} MiB | "
        f"{median(g.hl7_cpu):.2f} | **{_n(g.hl7_rate)} messages** |",
        f"| CSV | {_n(g.originals)} rows, {g.csv_bytes / mb:.1f} MiB | {median(g.csv_cpu):.2f} | "
        f"**{_n(g.csv_rate)} rows** |",
        "",
        "Every read was checked: every original read, every ACK joined to it, nothing skipped.",
        "",
        f"Why the HL7 reader hands python-hl7 only what it reads: on {_n(g.sample)} of these "
        f"messages, python-hl7 parsing each whole message managed {_n(whole)} a CPU-second; "
        "the reader's own work (MSH and the first PID, ORC, OBR, TQ1 and MSA, each cut after "
        f"the last field read, parsed by python-hl7, then the fields read) {_n(own)}, "
        f"{own / whole:.1f}x as many.",
    ]


def _misses(r: Results, notes: dict[str, Callable[[Results], list[str]]]) -> list[str]:
    lines = ["## Where the targets are missed", ""]
    missed = [t for t in targets(r) if not t.met]
    if not missed:
        return [*lines, "Every target is met."]
    written: set[str] = set()
    for t in missed:
        lines += [f"**{t.name}**: {t.shown}, wanted {t.wanted}; {t.gap}.", ""]
        for key, note in notes.items():
            if t.name.startswith(key):
                lines += ["The same profile as above.", ""] if key in written else [*note(r), ""]
                written.add(key)
    return lines


def render(r: Results, notes: dict[str, Callable[[Results], list[str]]]) -> str:
    """RESULTS.md's text; `notes` maps a target's name prefix to its explanation when missed."""
    parts = [
        _machine(r),
        _targets(r),
        _profile(r),
        _mm3(r),
        _throughput(r),
        _backlog(r),
        _memory(r),
        _parallel(r),
        _overheads(r),
        _logs(r),
        _misses(r, notes),
    ]
    head = [
        "# Benchmarks",
        "",
        "Written by `python -m benchmarks` (see `benchmarks/__main__.py`); every figure below "
        "comes from that one run.",
    ]
    return "\n\n".join("\n".join(p) for p in [head, *parts]) + "\n"
