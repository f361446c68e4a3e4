"""``ehrsim log``: a traced run written as the message log an engine would keep (HL7 v2 or
CSV), for ``ehrsim calibrate`` or any tool that reads engine logs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import consoles, fail


class LogFormat(StrEnum):
    """The log formats: HL7 v2 messages with their ACKs, or a CSV table of attempts."""

    hl7 = "hl7"
    csv = "csv"


class Framing(StrEnum):
    """How HL7 messages are separated: MLLP blocks, or one segment a line."""

    mllp = "mllp"
    lines = "lines"


def default_out(folder: Path, fmt: str, replication: int) -> Path:
    """Where the log goes without ``--out``: ``log.hl7`` or ``log.csv`` in the run folder
    (``log-<N>.hl7`` for a replication N other than the first)."""
    stem = "log" if replication == 1 else f"log-{replication}"
    return folder / f"{stem}.{fmt}"


def log(
    run_folder: Annotated[
        Path,
        typer.Argument(
            metavar="RUN_FOLDER",
            help="A results folder written by 'ehrsim run SCENARIO --trace' (it holds "
            "trace.csv and scenario.yaml).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        LogFormat,
        typer.Option(
            "--format",
            help="hl7: an original message per attempt to deliver and an ACK per answer; "
            "csv: a row per attempt (columns time, source, destination, message, status, "
            "ack_ms, patient, priority, placer).",
        ),
    ] = LogFormat.hl7,
    framing: Annotated[
        Framing | None,
        typer.Option(
            "--framing",
            help="HL7 only: mllp (0x0B message 0x1C 0x0D, segments ending in CR; the "
            "default) or lines (one segment a line).",
            show_default=False,
        ),
    ] = None,
    replication: Annotated[
        int,
        typer.Option(
            "--replication",
            min=1,
            metavar="N",
            help="Write replication N (1 = the first).",
        ),
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write the log here instead of log.hl7 or log.csv in RUN_FOLDER "
            "(log-N.hl7 for --replication N > 1).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a traced run as an engine's message log (HL7 v2 or CSV).

    HL7: every attempt to deliver a message is an original stamped with its send time
    (MSH-7), its control id (MSH-10) the message's uid on every resend; every ACK or negative
    ACK is an ACK message (MSA-1 the code, MSA-2 the original's MSH-10) stamped with the time
    it came; a timeout leaves no ACK. Times are the scenario's wall clock. The message types
    and segments are described in results/README.md.
    """
    from sim.logs.csv_write import write_csv
    from sim.logs.hl7_write import write_hl7
    from sim.logs.traced import TraceError, read_run

    if framing is not None and fmt is not LogFormat.hl7:
        fail(f"--framing {framing.value}: only an HL7 log has a framing, not --format {fmt.value}")
    try:
        run = read_run(run_folder, replication)
    except TraceError as exc:
        fail(str(exc))
    path = out if out is not None else default_out(run_folder, fmt.value, replication)
    if not path.parent.is_dir():
        fail(f"--out {path}: the folder {path.parent} does not exist")
    try:
        if fmt is LogFormat.hl7:
            count = write_hl7(run, path, (framing or Framing.mllp).value)
            what = f"{count:,} HL7 messages (ACKs included)"
        else:
            count = write_csv(run, path)
            what = f"{count:,} rows"
    except OSError as exc:
        fail(f"{path}: cannot write the log: {exc.strerror or exc}")
    consoles.err.print(f"wrote {what} of replication {replication}", soft_wrap=True)
    consoles.out.print(str(path), soft_wrap=True, highlight=False)
