"""Finding one row by its id, or refusing the action in the words the user will read."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from scheduler.errors import NotFound

RowT = TypeVar("RowT")


def get_or_refuse(db: Session, model: type[RowT], row_id: int, refusal: str) -> RowT:
    """The row of ``model`` with this id; ``NotFound(refusal)`` when there is none.

    The refusal is the whole sentence the desk shows ("No patient with id 7."), so each action
    keeps its own wording while the look-up is written once.
    """
    row = db.get(model, row_id)
    if row is None:
        raise NotFound(refusal)
    return row
