"""Errors raised for process owners.

Every error is a subclass of :class:`ModelError`, itself a :class:`ValueError`, so a
caller can catch one type. A :class:`ModelError` carries a list of :class:`Problem`
records, because validation reports every problem of a model at once.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Problem",
    "ModelError",
    "ModelFileError",
    "ModelValidationError",
    "RedesignError",
    "SimulationError",
    "EventLogError",
    "ReportError",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in a model.

    Attributes
    ----------
    where : str
        The element as the user wrote it, such as ``step 'Check form'`` or
        ``pool 'Clerks'``.
    field : str
        The field, such as ``duration.mean``. It is empty when the problem
        concerns the whole element.
    message : str
        The rule that failed and the value received, with what to change.
    severity : str
        ``"error"`` makes the model invalid; ``"warning"`` is reported but accepted.
    """

    where: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        location = f"{self.where}, field '{self.field}'" if self.field else self.where
        return f"{self.severity}: {location}: {self.message}"


class ModelError(ValueError):
    """A model or model file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem] | str, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(where=source or "model", field="", message=problems)]
        self.problems = list(problems)
        self.source = source
        super().__init__(self._format())

    def _format(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{self.source}: " if self.source else ""
        count = len(errors)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{head}{count} {noun} found"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ModelFileError(ModelError):
    """A model file that cannot be read: unsafe, oversized or not valid YAML."""


class ModelValidationError(ModelError):
    """A model whose content breaks one or more rules of the model format."""


class RedesignError(ModelError):
    """A redesign move that cannot be applied to the current scenario."""


class SimulationError(RuntimeError):
    """A simulation run that broke an invariant, such as busy staff above on duty."""


class EventLogError(ValueError):
    """An event log that cannot be read or used, with the row or column at fault."""


class ReportError(RuntimeError):
    """A report that could not be written, such as a PDF chromium failed to print."""
