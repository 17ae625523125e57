"""What is wrong with an import, one line each: file, line, what, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad line (``line`` 0: the file as a whole) and the fix."""

    file: str
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}; fix: {self.fix}"


@dataclass
class ImportRefused(Exception):  # noqa: N818  (a refusal, not a failure of ours)
    """The import changed nothing because of ``problems`` (each one printable as one line)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


__all__ = ["ImportRefused", "Problem"]
