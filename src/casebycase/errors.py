"""One error family: every error says what went wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is, why it is wrong, what to do."""

    where: str
    why: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.why}" if self.where else self.why
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "why": self.why, "hint": self.hint}


@dataclass(eq=False)
class CaseByCaseError(Exception):
    """Base of every error the library raises on purpose."""

    problems: list[Problem] = field(default_factory=list)
    title: str = "invalid input"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.title}:"] + [f"  {p}" for p in self.problems]
        return "\n".join(lines) if self.problems else self.title

    def to_dict(self) -> dict[str, object]:
        return {"error": self.title, "problems": [p.to_dict() for p in self.problems]}


class RequestError(CaseByCaseError):
    """A request does not follow the request format."""


class PackError(CaseByCaseError):
    """A policy pack cannot be loaded: the location is file:line:column."""


class PackNotFound(CaseByCaseError):
    """No bundled pack has this id and no file exists at this path."""
