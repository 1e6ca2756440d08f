"""Refusals every layer shares: what a user action can end with, in words a front desk can act on.

They live at the top of the package, below every layer, so the services raise them, the letters
renderer raises them for a broken template, and the desk and the command line show them.
"""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """A refused action. ``str(error)`` is the plain-words message to show."""


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the attribute name of the form field, e.g. "date_of_birth"
    message: str


class ValidationFailed(ServiceError):
    """One or more fields are invalid; ``problems`` says which, so a form can mark each field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The action collides with data already there (a taken chair, a taken chart number)."""


class NotAllowed(ServiceError):
    """The signed-in staff member's roles do not allow the action (or a signature failed)."""
