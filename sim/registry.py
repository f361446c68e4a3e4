"""Name registries: strategies, fault kinds and arrival processes are small classes found by
the name the scenario YAML uses, so adding one never touches the engine.

Classes of the compiled core (``sim/model``, ``sim/strategies``; see ``setup.py``) register with
``REGISTRY.add(name, cls)`` after the class: mypyc cannot compile a class that has a decorator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T", bound=type)


class Registry(Generic[T]):
    """Classes by YAML name; each registered class gets the name as a class attribute."""

    def __init__(self, what: str, attribute: str) -> None:
        self.what = what
        self.attribute = attribute
        self._classes: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: make the class available to scenarios as `name`."""

        def decorate(cls: T) -> T:
            return self.add(name, cls)

        return decorate

    def add(self, name: str, cls: T) -> T:
        """Make `cls` available to scenarios as `name`."""
        if name in self._classes:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        setattr(cls, self.attribute, name)
        self._classes[name] = cls
        return cls

    def __getitem__(self, name: str) -> T:
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes))
            raise KeyError(f"no {self.what} called {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, class) pairs in registration order."""
        return iter(self._classes.items())
