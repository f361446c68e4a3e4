"""The engine of the effect table: rows, the checks they make, and the runs they compare.

A row names one key of the scenario format (its schema path: ``strategy.retry.jitter``,
``systems.*.ack``, ``faults[].severity``), a small world, a baseline and a change (``--set``
assignments, as the CLI takes them), and the figures that must move and how. Both sides run on
the same seed: random streams are derived by name, so the two runs share their arrivals and
every difference between them is the key's (common random numbers). Where a move could still
be noise, a row uses constant distributions or a margin that its ``why`` derives.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sim
from sim.experiments.run import RunResult
from sim.scenario import ScenarioError, load_variants, scenario_warnings, validate_paths

Figure = str
"""What a check reads from a run (see :func:`figure`)."""


# -- reading figures ---------------------------------------------------------------------------


def _path(tree: Any, dotted: str) -> Any:
    """The value at a dotted path of summary.json (list items by index); None when absent."""
    node = tree
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def figure(result: RunResult, name: Figure) -> Any:
    """One figure of a run.

    ``messages.created``   a path in summary.json (None when absent)
    ``events:KIND``        how many rows of events.csv have that kind (``KIND@TARGET``: and target)
    ``first:KIND``         the time of the first such row (None when there is none)
    ``last:KIND``          the time of the last such row
    ``detail:KIND``        the detail column of the first such row
    ``target:KIND``        the target column of the first such row
    ``ts:COLUMN``          the largest sample of a timeseries.csv column (None: no such column)
    ``ts:COLUMN@last``     its last sample
    ``ts#rows``            how many samples were taken
    ``left:PLACE``         when the first message left the engine that way (``dead-lettered``...)
    ``sends``              sends in all (retry_amplification x delivered)
    ``resends``            sends that were not a message's first (sends - delivered)
    """
    rep = result.replications[0]
    what, colon, rest = name.partition(":")
    if colon and what in ("events", "first", "last", "detail", "target"):
        kind, _, target = rest.partition("@")
        hits = [e for e in rep.events if e.kind == kind and (not target or e.target == target)]
        if what == "events":
            return len(hits)
        if not hits:
            return None
        if what in ("detail", "target"):
            return hits[0].detail if what == "detail" else hits[0].target
        return hits[0].time_s if what == "first" else hits[-1].time_s
    if name == "ts#rows":
        return len(rep.samples.time_s)
    if name.startswith("ts:"):
        column, _, which = name[3:].partition("@")
        values = rep.samples.columns.get(column)
        if values is None or not len(values):
            return None
        return values[-1] if which == "last" else max(values)
    if name.startswith("left:"):
        assert rep.trace is not None, "a row reading left:... needs trace=True"
        times = [t for t, _uid, _f, _c, event, *_ in rep.trace if event == name[5:]]
        return min(times) if times else None
    if name in ("sends", "resends"):
        s = result.summary
        amp, delivered = s["retry_amplification"], s["messages"]["delivered"]
        sends = round(amp * delivered) if amp is not None else 0
        return sends if name == "sends" else sends - delivered
    return _path(result.summary, name)


# -- checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One expectation about the baseline run and the changed run."""

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        """A message saying what is wrong, or None when the expectation holds."""
        raise NotImplementedError


def _num(value: Any, none_is: float | None) -> float | None:
    if value is None:
        return none_is
    return float(value)


@dataclass(frozen=True)
class Up(Check):
    """The figure is larger after the change: by more than ``by``, and ``ratio`` times if given.

    ``none_is``: the number an absent figure stands for (0 for a count nobody made).
    """

    fig: Figure
    by: float = 0.0
    ratio: float | None = None
    none_is: float | None = None

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        b = _num(figure(base, self.fig), self.none_is)
        c = _num(figure(change, self.fig), self.none_is)
        if b is None or c is None:
            return f"{self.fig}: expected a number on both sides, got {b} -> {c}"
        if not c > b + self.by:
            return f"{self.fig}: expected up by more than {self.by:g}, got {b:g} -> {c:g}"
        if self.ratio is not None and not c >= b * self.ratio:
            return f"{self.fig}: expected at least x{self.ratio:g}, got {b:g} -> {c:g}"
        return None


@dataclass(frozen=True)
class Down(Check):
    """The figure is smaller after the change: by more than ``by``, to ``ratio`` x base if given."""

    fig: Figure
    by: float = 0.0
    ratio: float | None = None
    none_is: float | None = None

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        b = _num(figure(base, self.fig), self.none_is)
        c = _num(figure(change, self.fig), self.none_is)
        if b is None or c is None:
            return f"{self.fig}: expected a number on both sides, got {b} -> {c}"
        if not c < b - self.by:
            return f"{self.fig}: expected down by more than {self.by:g}, got {b:g} -> {c:g}"
        if self.ratio is not None and not c <= b * self.ratio:
            return f"{self.fig}: expected at most x{self.ratio:g}, got {b:g} -> {c:g}"
        return None


@dataclass(frozen=True)
class Delta(Check):
    """The figure moves by ``value`` (change - base), within ``tol``: a derived, exact move."""

    fig: Figure
    value: float
    tol: float

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        b, c = figure(base, self.fig), figure(change, self.fig)
        if b is None or c is None:
            return f"{self.fig}: expected a number on both sides, got {b} -> {c}"
        if abs((c - b) - self.value) <= self.tol:
            return None
        return (
            f"{self.fig}: expected a move of {self.value:+g} (within {self.tol:g}), "
            f"got {b:g} -> {c:g} ({c - b:+g})"
        )


@dataclass(frozen=True)
class Same(Check):
    """The figure is equal on both sides (``*``: the whole summary but ``scenario``)."""

    fig: Figure

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        if self.fig == "*":
            b = {k: v for k, v in base.summary.items() if k != "scenario"}
            c = {k: v for k, v in change.summary.items() if k != "scenario"}
            diff = sorted(k for k in b.keys() | c.keys() if b.get(k) != c.get(k))
            return f"summary differs in {diff}" if diff else None
        b, c = figure(base, self.fig), figure(change, self.fig)
        return None if b == c else f"{self.fig}: expected no change, got {b} -> {c}"


@dataclass(frozen=True)
class Differs(Check):
    """The figure is not equal on both sides (a key that reshuffles rather than orders)."""

    fig: Figure

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        b, c = figure(base, self.fig), figure(change, self.fig)
        return None if b != c else f"{self.fig}: expected a change, both sides are {b}"


@dataclass(frozen=True)
class Is(Check):
    """The figure of one side (``of``: change or base) is ``value``, within ``tol`` for numbers."""

    fig: Figure
    value: Any
    tol: float = 0.0
    of: str = "change"

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        run = change if self.of == "change" else base
        got = figure(run, self.fig)
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            if isinstance(got, int | float) and math.isclose(got, self.value, abs_tol=self.tol):
                return None
        elif got == self.value:
            return None
        within = f" (within {self.tol:g})" if self.tol else ""
        return f"{self.fig} of the {self.of}: expected {self.value!r}{within}, got {got!r}"


@dataclass(frozen=True)
class Within(Check):
    """The figure of one side lies in [lo, hi]."""

    fig: Figure
    lo: float
    hi: float
    of: str = "change"

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        run = change if self.of == "change" else base
        got = figure(run, self.fig)
        if isinstance(got, int | float) and self.lo <= got <= self.hi:
            return None
        return f"{self.fig} of the {self.of}: expected in [{self.lo:g}, {self.hi:g}], got {got!r}"


@dataclass(frozen=True)
class Holds(Check):
    """A relation between the two runs that the other checks cannot say: ``test(base, change)``."""

    what: str
    test: Callable[[RunResult, RunResult], bool]

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        return None if self.test(base, change) else f"does not hold: {self.what}"


@dataclass(frozen=True)
class Rejects(Check):
    """The changed scenario is refused before it runs, with a message containing ``text``.

    (The engine handles this check itself: there is no changed run to verify.)
    """

    text: str = ""

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        return "the changed scenario was accepted, and it should have been refused"


@dataclass(frozen=True)
class Flagged(Check):
    """The change sets a key that can have no effect in this world: it must not pass silently.

    Refused (an error whose message contains ``text``, the key path) or accepted with a warning
    (``scenario_warnings``, which start with the key path) that contains it.
    (The engine handles this check itself: it is about loading, not runs.)
    """

    text: str

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        raise AssertionError("handled by the engine")


@dataclass(frozen=True)
class Validates(Check):
    """``ehrsim validate`` of the world's file (base) and of ``world2``'s file (change).

    (The engine handles this check itself: it is about files, not runs.)
    """

    base_ok: bool
    change_ok: bool

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        raise AssertionError("handled by the engine")


@dataclass(frozen=True)
class Variant(Check):
    """A ``compare`` variant of the changed world, run and held against the baseline run."""

    name: str
    checks: tuple[Check, ...]

    def verify(self, base: RunResult, change: RunResult) -> str | None:
        raise AssertionError("handled by the engine")


# -- rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One effect: a key, a world, a baseline and a change, and what must follow.

    Attributes:
        key: The key's schema path (``strategy.retry.jitter``, ``flows.*.rate``, ``faults[].at``).
        world: The name of a world (see ``worlds.py``).
        change: ``--set`` assignments that set the key (after ``base``).
        expect: What must hold.
        why: The contract's reasoning: why these figures move this way.
        base: ``--set`` assignments of the baseline (applied to both sides).
        option: The enum value or name this row covers (a fault kind, a discipline, ...).
        fault: For a fault's key: the fault kind whose key this is.
        world2: The changed side runs this world instead (keys that act per file: extends).
        defect: A known defect (``issue 11 item N: ...``): the row is expected to fail today.
        trace: Run with the message trace (for ``left:...`` figures).
    """

    key: str
    world: str
    change: tuple[str, ...]
    expect: tuple[Check, ...]
    why: str
    base: tuple[str, ...] = ()
    option: str | None = None
    fault: str | None = None
    world2: str | None = None
    defect: str | None = None
    trace: bool = False

    @property
    def label(self) -> str:
        """A readable test id: the key, its option or fault kind."""
        tags = "/".join(dict.fromkeys(x for x in (self.fault, self.option) if x))
        return f"{self.key}[{tags}]" if tags else self.key


def row(
    key: str,
    world: str,
    change: str | Sequence[str],
    *expect: Check,
    why: str,
    base: str | Sequence[str] = (),
    **kw: Any,
) -> Row:
    """A row, with single assignments given as plain strings."""
    ch = (change,) if isinstance(change, str) else tuple(change)
    bs = (base,) if isinstance(base, str) else tuple(base)
    return Row(key, world, ch, tuple(expect), textwrap.dedent(why).strip(), bs, **kw)


# -- running -----------------------------------------------------------------------------------


@dataclass
class Lab:
    """Writes the worlds to a folder and runs them, each (world, assignments) once."""

    folder: Path
    worlds: Mapping[str, str] = field(repr=False)
    files: Mapping[str, str] = field(default_factory=dict, repr=False)
    _runs: dict[tuple[str, tuple[str, ...], bool], RunResult] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        for name, text in {
            **self.files,
            **{f"{w}.yaml": t for w, t in self.worlds.items()},
        }.items():
            (self.folder / name).write_text(textwrap.dedent(text))

    def path(self, world: str) -> Path:
        """The file of a world."""
        if world not in self.worlds:
            raise KeyError(f"no world {world!r}; the worlds are {sorted(self.worlds)}")
        return self.folder / f"{world}.yaml"

    def load(self, world: str, sets: Iterable[str]) -> Any:
        """The validated scenario (raises ScenarioError)."""
        return sim.load_scenario(self.path(world), sets=list(sets))

    def run(self, world: str, sets: Sequence[str], trace: bool = False) -> RunResult:
        """The run of a world with these assignments (cached: baselines are shared by rows)."""
        key = (world, tuple(sets), trace)
        if key not in self._runs:
            self._runs[key] = sim.run(self.load(world, sets), trace=trace)
        return self._runs[key]


def _validates(lab: Lab, world: str) -> bool:
    (error,) = validate_paths([lab.path(world)])
    return error is None


def verify(lab: Lab, r: Row) -> None:
    """Run a row's two sides and raise AssertionError listing every expectation that fails."""
    rejects = [c for c in r.expect if isinstance(c, Rejects)]
    world2 = r.world2 or r.world
    sets = [*r.base, *r.change]
    for c in r.expect:
        if isinstance(c, Validates):
            got = (_validates(lab, r.world), _validates(lab, world2))
            assert got == (c.base_ok, c.change_ok), (
                f"{r.label}: validate {r.world}, {world2}: expected "
                f"{(c.base_ok, c.change_ok)} (True = valid), got {got}\nwhy: {r.why}"
            )
    for c in r.expect:
        if isinstance(c, Flagged):
            try:
                notes = scenario_warnings(lab.load(world2, sets))
            except ScenarioError as exc:
                assert c.text in str(exc), f"{r.label}: refused, but not at {c.text}:\n{exc}"
                continue
            assert any(c.text in note for note in notes), (
                f"{r.label}: {r.change} validates, has no effect here, and no warning names "
                f"{c.text} (warnings: {notes})\nwhy: {r.why}"
            )
    if all(isinstance(c, Validates | Flagged) for c in r.expect):
        return
    if rejects:
        lab.load(r.world, r.base)  # the baseline is valid: the change is what is refused
        try:
            lab.load(world2, sets)
        except ScenarioError as exc:
            text = str(exc)
            bad = [c.text for c in rejects if c.text not in text]
            assert not bad, f"{r.label}: refused, but the message lacks {bad}:\n{text}\n{r.why}"
            return
        raise AssertionError(
            f"{r.label}: the change {sets} was accepted; expected a refusal\n{r.why}"
        )
    base = lab.run(r.world, r.base, r.trace)
    change = lab.run(world2, sets, r.trace)
    problems: list[str] = []
    for c in r.expect:
        if isinstance(c, Variant):
            variant = sim.run(load_variants(lab.path(world2), sets)[c.name], trace=r.trace)
            problems += [
                f"variant {c.name}: {m}" for k in c.checks if (m := k.verify(base, variant))
            ]
        elif not isinstance(c, Validates | Flagged) and (msg := c.verify(base, change)) is not None:
            problems.append(msg)
    if problems:
        listed = "\n  ".join(problems)
        raise AssertionError(f"{r.label}: {r.change}\n  {listed}\nwhy: {r.why}")
