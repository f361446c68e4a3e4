"""Finding the scenarios shipped with ehrsim, by name.

They live in the repository's top-level ``scenarios/`` folder: stories directly in it,
``topologies/`` (partial files to extend) and ``theory/`` (examples checked against queueing
theory). A wheel carries the same folder as ``sim/_scenarios`` (pyproject force-includes it);
a source or editable checkout uses ``scenarios/`` beside the ``sim`` package.
"""

from __future__ import annotations

from pathlib import Path

from sim.scenario.errors import Problem, ScenarioError, did_you_mean, show

__all__ = [
    "SUBFOLDERS",
    "find_shipped",
    "list_shipped",
    "resolve_ref",
    "shipped_dir",
    "shipped_names",
    "with_suffixes",
]

_SUFFIXES = (".yaml", ".yml")

SUBFOLDERS = ("topologies", "theory")
"""Folders of ``scenarios/`` whose files are listed too, as ``folder/name``."""

_PACKAGE = Path(__file__).resolve().parent.parent


def shipped_dir() -> Path:
    """The folder of shipped scenarios: ``sim/_scenarios`` when installed, else ``scenarios/``."""
    installed = _PACKAGE / "_scenarios"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "scenarios"


def _files() -> list[tuple[str, Path]]:
    root = shipped_dir()
    found = [(path.stem, path) for path in sorted(root.glob("*.yaml"))]
    for folder in SUBFOLDERS:
        found += [
            (f"{folder}/{path.stem}", path) for path in sorted((root / folder).glob("*.yaml"))
        ]
    return found


def with_suffixes(entry: str) -> list[str]:
    """The file names a reference may mean: itself, and with ``.yaml`` if it has no suffix."""
    if Path(entry).suffix in _SUFFIXES:
        return [entry]
    return [entry, entry + ".yaml"]


def find_shipped(entry: str) -> Path | None:
    """The shipped file a relative path names (``topologies/capital-region`` or with
    ``.yaml``), or ``None``. Paths that would leave the shipped folder name nothing."""
    if Path(entry).is_absolute():
        return None
    root = shipped_dir()
    try:
        top = root.resolve()
        for name in with_suffixes(entry):
            candidate = root / name
            if candidate.is_file() and candidate.resolve().is_relative_to(top):
                return candidate
    except (OSError, ValueError):
        return None
    return None


def shipped_names() -> list[str]:
    """The names of the shipped scenarios, as ``ehrsim list`` prints them."""
    return [name for name, _path in _files()]


def _title(path: Path) -> str:
    """A shipped file's title (through its ``extends``), or why it cannot be read."""
    from sim.scenario.load import load_document

    try:
        data = load_document(path).data
    except ScenarioError as exc:
        return f"(unreadable: {exc.problems[0].message})"
    for key in ("title", "name"):
        if isinstance(data.get(key), str):
            return str(data[key])
    return path.stem


def list_shipped() -> list[tuple[str, str, Path]]:
    """Every shipped scenario as ``(name, title, path)``: stories first, then subfolders."""
    return [(name, _title(path), path) for name, path in _files()]


def resolve_ref(ref: str | Path) -> Path:
    """The file a scenario reference names: a path, or the name of a shipped scenario.

    A reference that names an existing file is a path; one that ends in ``.yaml``/``.yml`` is a
    path too, unless no file is there and a shipped scenario has that name; otherwise
    a bare name (``december-2017``) or ``folder/name`` (``theory/mm3``) is looked up among the
    shipped scenarios (before a folder of the same name).

    Raises:
        ScenarioError: When neither a file nor a shipped scenario has that name.
    """
    path = Path(ref)
    text = str(ref)
    try:
        is_file, exists = path.is_file(), path.exists()
    except (OSError, ValueError):
        is_file = exists = False
    if isinstance(ref, Path) or is_file:
        return path
    if path.suffix in _SUFFIXES:  # a path; where none is, a shipped file of that name
        return path if exists else find_shipped(text) or path
    names = {name: file for name, file in _files()}
    if text in names:
        return names[text]
    if exists:  # a folder: reading it says so
        return path
    raise ScenarioError(
        [
            Problem(
                text,
                None,
                "",
                f"no such file, and no shipped scenario is called {show(text)}"
                f"{did_you_mean(text, names)} (see 'ehrsim list')",
            )
        ]
    )
