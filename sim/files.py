"""Files written whole or not at all: a reader (or a rerun after Ctrl-C) never finds half a
file where ehrsim writes one."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["replaced", "write_replacing"]


@contextmanager
def replaced(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """A file opened beside ``path`` for writing; when the block ends well it replaces
    ``path`` in one rename, otherwise it is removed and ``path`` is left as it was.

    Opened as any file is, so it gets the permissions the umask gives.
    """
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with staged.open(mode, **open_args) as handle:
            yield handle
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


def write_replacing(path: Path, text: str) -> None:
    """``text`` as ``path``'s whole content (UTF-8), through :func:`replaced`."""
    with replaced(path, encoding="utf-8") as handle:
        handle.write(text)
