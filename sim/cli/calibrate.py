"""``ehrsim calibrate``: a runnable scenario fitted to an engine's message log."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from sim.cli.common import consoles, fail, warn

LogsArg = Annotated[
    list[Path],
    typer.Argument(
        metavar="LOG...",
        help="Log files: HL7 v2 (MLLP-framed or one segment a line) or CSV "
        "(time,source,destination,message,status,ack_ms; see docs/logs.md).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="hl7|csv",
        help="The logs' format (default: told from each file's content).",
        show_default=False,
    ),
]
EhrOpt = Annotated[
    str | None,
    typer.Option(
        "--ehr",
        metavar="APP",
        help="The EHR application, as the log names it (default: the one application that "
        "takes part in every flow). Its id is 'ehr'.",
        show_default=False,
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="APP=ID",
        help="Give application APP the id ID instead of its name slugified (e.g. to join the "
        "systems of a topology given to --extends). Repeatable.",
        show_default=False,
    ),
]
StartOpt = Annotated[
    str | None,
    typer.Option(
        "--start",
        metavar="DATE",
        help="The scenario's start, an ISO date or date-time (default: local midnight of the "
        "log's first day).",
        show_default=False,
    ),
]
ExtendsOpt = Annotated[
    str | None,
    typer.Option(
        "--extends",
        metavar="TOPOLOGY",
        help="Extend this topology (a file or a shipped scenario's name) and write only what "
        "the log measured: never connections, timeout or strategy.",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FILE.yaml",
        help="The scenario to write, replaced if it exists (default: the first log's name, "
        "slugified, with .yaml, in the current folder); its stem is the scenario's name. Beside "
        "it: <stem>.calibration.json, <stem>.figures/ and the CSV files of any empirical "
        "distribution.",
        show_default=False,
    ),
]


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"--start {text}: not an ISO date or date-time; write e.g. 2026-01-05 or "
            "2026-01-05T00:00"
        )
    if moment.tzinfo is not None:
        fail(f"--start {text}: give the local time without an offset, as the scenario's start")
    return moment


def _out(out: Path | None, logs: list[Path]) -> Path:
    from sim.calibration.naming import slug

    path = out if out is not None else Path(f"{slug(logs[0].stem) or 'calibrated'}.yaml")
    if path.suffix not in (".yaml", ".yml"):
        fail(f"--out {path}: the scenario file must end in .yaml")
    if path.is_dir():
        fail(f"--out {path}: is a folder; name the scenario file, e.g. {path / 'hospital.yaml'}")
    if not path.parent.is_dir():
        fail(f"--out {path}: no folder {path.parent}")
    stem = path.stem
    if not stem or stem.startswith("-") or not all(ch.isalnum() or ch == "-" for ch in stem):
        example = path.with_name((slug(stem) or "calibrated") + path.suffix)
        fail(
            f"--out {path}: the file's stem is the scenario's name, which takes letters, digits "
            f"and '-'; e.g. {example}"
        )
    return path


def _extends_text(ref: str, out: Path) -> str:
    """The ``extends`` value: a file's path relative to the scenario, or a shipped name."""
    if Path(ref).is_file():
        return Path(os.path.relpath(Path(ref).resolve(), out.resolve().parent)).as_posix()
    return ref


def calibrate(
    logs: LogsArg,
    fmt: FormatOpt = None,
    ehr: EhrOpt = None,
    maps: MapOpt = None,
    start: StartOpt = None,
    extends: ExtendsOpt = None,
    out: OutOpt = None,
) -> None:
    """Fit a runnable scenario to an engine's message log.

    Per flow (sending application, receiving application, message type) it fits the daily
    rate, the hourly profile, the weekday pattern (from 14 days of log or more) and the
    priority mix; per receiving system the ACK-time distribution and the share of negative
    ACKs; and the replies linking results to orders by placer number. Every fitted number is
    written with its 95 % interval and the messages behind it. Writes FILE.yaml, beside it
    <stem>.calibration.json and a figure per flow in <stem>.figures/. Exit code 2 for a log
    that cannot be read or a bad option; messages the reader skipped are reported, not fatal.
    """
    from sim.calibration import CalibrationError
    from sim.calibration import calibrate as fit
    from sim.calibration.naming import parse_map
    from sim.calibration.numbers import counted
    from sim.calibration.topology import read_topology
    from sim.logs.entry import LogError
    from sim.logs.read import FORMATS, read_logs
    from sim.report.calibration import write_calibration

    if fmt is not None and fmt not in FORMATS:
        fail(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    target = _out(out, logs)
    moment = _start(start)
    try:
        mapped = parse_map(maps or [])
        topology = read_topology(extends) if extends is not None else None
    except CalibrationError as exc:
        fail(str(exc))
    try:
        log = read_logs(logs, fmt)
    except LogError as exc:
        fail(str(exc))
    for kind, n in log.problem_counts().items():
        if n:
            first = next(p for p in log.problems if p.kind == kind)
            warn(
                f"{n} message(s) skipped: {kind} (the first: {first.file}, message "
                f"{first.number}: {first.detail})"
            )
    try:
        cal = fit(log, ehr=ehr, ids=mapped, start=moment, extends=topology)
    except CalibrationError as exc:
        fail(str(exc))
    for line in cal.warnings:
        warn(line)
    if cal.resends:
        consoles.err.print(
            Text(
                f"resends: {cal.resends:,} attempts repeat an earlier message's sender, receiver "
                "and MSH-10: one message each, their responses counted in the ACK times"
            ),
            soft_wrap=True,
        )
    unmatched, results = cal.unmatched
    if results:
        consoles.err.print(
            Text(
                f"results that matched no order: {unmatched:,} of {results:,} "
                f"({100 * unmatched / results:.1f} %)"
            ),
            soft_wrap=True,
        )
    written = write_calibration(
        cal, target, _extends_text(extends, target) if extends is not None else None
    )
    consoles.out.print(
        Text(
            f"{target}: {len(cal.flows)} flows, {len(cal.systems)} systems from "
            f"{cal.messages:,} messages over {counted(cal.window.days, 'day')}"
        ),
        soft_wrap=True,
    )
    for path in written[1:]:
        consoles.out.print(Text(f"  {path}"), soft_wrap=True)
