"""Problems found in a scenario, and the one exception that carries them.

Every check in this package reports a :class:`Problem` that names where the architect must look
(file and line, or the command-line option that supplied the value), the key path, and what to
write instead. :class:`ScenarioError` gathers all of them, so that one run of ``ehrsim validate``
lists every mistake in a file rather than the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Origin", "Problem", "ScenarioError", "did_you_mean", "show"]


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a file and line, or a command-line option (line ``None``).

    ``base_dir`` is the folder relative paths in that value are resolved against: the folder of
    the file, or the working directory for command-line values.
    """

    file: str
    line: int | None
    base_dir: Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        file: The file (as the user named it) or option (``--set``) the value came from.
        line: 1-based line in ``file``, or ``None`` for command-line values.
        path: Dotted key path inside the scenario (``flows.lab-orders.rate``), or ``""``
            for problems with the file as a whole.
        message: What is wrong and how to write it.
    """

    file: str
    line: int | None
    path: str
    message: str

    @classmethod
    def at(cls, origin: Origin, path: str, message: str) -> Problem:
        """A problem located at ``origin``."""
        return cls(origin.file, origin.line, path, message)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is None and self.file.startswith("--"):
            # "--set strategy.queues: ..." reads as the option that supplied the value.
            head = f"{where} {self.path}" if self.path else where
        else:
            head = f"{where}: {self.path}" if self.path else where
        return f"{head}: {self.message}"


class ScenarioError(Exception):
    """A scenario could not be read or is invalid; ``problems`` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        """Pickle by problems, so that the error survives a trip between processes."""
        return (ScenarioError, (self.problems,))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix when ``word`` is close to one of ``choices``, else ``""``.

    Matching ignores case, so ``Rate`` suggests ``rate``.
    """
    options = [choice for choice in choices if isinstance(choice, str)]
    lowered = {choice.lower(): choice for choice in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def show(value: object, limit: int = 60) -> str:
    """Describe a YAML value for a message: text quoted, numbers as written, containers by kind."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return "''" if not text else f"'{text}'"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 1] + "…"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"
