"""``ehrsim import``: an engine's configuration as an ehrsim topology (``import mirth``).

The module is ``imports`` because ``import`` is a Python keyword; the command is ``import``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from sim.cli.common import consoles, fail

app = typer.Typer(
    name="import",
    help="Turn an engine's configuration into an ehrsim topology (a partial scenario).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command()
def mirth(
    exports: Annotated[
        list[Path],
        typer.Argument(
            metavar="EXPORT.xml...",
            help="Mirth Connect (NextGen Connect) 3.x or 4.x channel exports: a <channel>, a "
            "<list> of them, a channel group or a server configuration backup.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE.yaml",
            help="Write the topology here (replacing the file) instead of on stdout.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a topology (partial: true) from Mirth Connect channel exports.

    One system per enabled destination connector: its id is the destination's name slugified
    (the channel's name for Mirth's default names 'Destination 1'...; 'medcom-' first for a
    destination whose name or channel's name mentions MedCom; '-2', '-3' for later ones of the
    same id). Its queue settings become the system's connections (threadCount), timeout (a TCP
    sender's responseTimeout) and strategy (order from threadCount and
    threadAssignmentVariable; fixed retries every retryIntervalMillis; rotate as retry.then:
    park), with a commented placeholder ack. Disabled destinations and routes to other
    channels are comments. Every setting ehrsim has no key for (transformers, filters,
    scripts, queueBufferSize, host and port...) is a comment and a line on stderr. The mapping:
    docs/import-mirth.md.

    Extend the topology with a scenario that adds flows, ack times, a name and a horizon.

    Exit codes: 0 written; 2 a file missing, not XML, refused (XML entities: an expansion bomb),
    or not a Mirth channel export (nothing written).
    """
    from sim.importers.mirth import MirthExportError, read_exports
    from sim.importers.mirth_topology import topology_from_channels
    from sim.importers.topology_yaml import render_topology

    if out is not None:
        _check_out(out)
    try:
        channels = read_exports(exports)
    except MirthExportError as exc:
        fail(str(exc))
    topology = topology_from_channels([str(path) for path in exports], channels)
    text = render_topology(topology)
    for line in topology.messages:
        consoles.err.print(Text(line), soft_wrap=True)
    if out is None:
        typer.echo(text, nl=False)
        return
    _write_atomically(out, text)
    systems = len(topology.systems)
    consoles.err.print(
        Text(
            f"{systems} system{'' if systems == 1 else 's'} from {len(channels)} "
            f"channel{'' if len(channels) == 1 else 's'}; extend {out} with flows and ack times"
        ),
        soft_wrap=True,
    )
    consoles.out.print(Text(str(out)), soft_wrap=True)


def _check_out(out: Path) -> None:
    if out.is_dir():
        fail(f"--out {out}: is a directory; give a file name such as topology.yaml")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        fail(f"--out {out}: the folder {parent} does not exist")


def _write_atomically(out: Path, text: str) -> None:
    """Write through a temporary file beside ``out``: never a half-written topology."""
    from sim.files import replaced

    try:
        with replaced(out, encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except OSError as exc:
        fail(f"--out {out}: cannot write: {exc.strerror or exc}")
