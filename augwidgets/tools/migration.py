"""What ``migrate`` finds and returns: generators, notes, the result, and shared helpers.

``tools.migrate_python`` and ``tools.migrate_r`` fill these in for their language;
``tools.migrate.migrate`` picks the language and returns the ``Migration``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from augwidgets.tools.findings import Finding


@dataclass(frozen=True)
class Note:
    """A line of the pasted code whose translation is not exact, and how it differs."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class Generator:
    """One ``ImageDataGenerator(...)`` call found: its variable, line and arguments."""

    name: str | None
    line: int
    kwargs: dict[str, Any]
    unread: dict[str, str] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    target_size: tuple[int, int] = (256, 256)
    batch_size: int = 32
    call: Any = None  # the parsed call (an ``ast.Call`` or an R parser ``Node``)


@dataclass
class Migration:
    """What ``migrate`` returns; ``str()`` gives the code."""

    language: str
    to: str
    code: str
    notes: list[Note]
    findings: list[Finding]
    generators: list[Generator]

    def __str__(self) -> str:
        return self.code

    def report(self) -> str:
        """The code, then the notes and the findings, as text (what the CLI prints)."""
        parts = [self.code, ""]
        if self.notes:
            parts += ["Notes (lines of the pasted code whose translation is not exact):"]
            parts += [f"  {note}" for note in self.notes]
        if self.findings:
            parts += ["Findings about the pasted configuration:"]
            parts += [f"  {finding}" for finding in self.findings]
        return "\n".join(parts)


def placeholder_function(name: str) -> Any:
    """A stand-in callable that carries the pasted function's name (never called)."""
    def function(image: Any) -> Any:
        return image
    function.__name__ = function.__qualname__ = name
    return function


def folder_count_finding(name: str, text: str, line: int) -> Finding:
    return Finding(name, "error",
                   f"line {line}: {name}={text} counts the entries of a folder. For the "
                   "folder with one sub-folder per class that is the number of CLASSES, not of "
                   "images; for one class folder it leaves the other classes out. Either way an "
                   "'epoch' is not one pass over the data. Fix: leave it out: Keras then uses "
                   "len(generator), which is always right.")


def usable_kwargs(generator: Generator) -> dict[str, Any]:
    """The arguments that validate; one the generator would refuse is dropped (and noted
    once, in ``generator.unread``), since ``diagnose`` already reports it as an error."""
    from augwidgets.tools.sharing import non_default_kwargs as check

    kwargs = dict(generator.kwargs)
    for _ in range(len(kwargs) + 1):
        try:
            check(kwargs)
            return kwargs
        except (TypeError, ValueError) as error:
            names = [n for n in kwargs if n in str(error)] or list(kwargs)[-1:]
            for name in names[:1]:
                generator.unread.setdefault(name, repr(kwargs.pop(name)))
    return {}


def is_identity(kwargs: dict[str, Any]) -> bool:
    from augwidgets.engine.arguments import RANDOM_ARGUMENTS, is_active

    return not any(name in kwargs and is_active(name, kwargs[name]) for name in RANDOM_ARGUMENTS)
