"""Alembic environment: runs revisions on the connection the app hands over, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from scheduler.store.location import resolve_database_url
from scheduler.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run_on(given)
else:
    # Run from the ``alembic`` command line (developers): ``alembic -x db=PATH_OR_URL ...``.
    url = resolve_database_url(context.get_x_argument(as_dictionary=True).get("db"))
    engine = create_engine(url)
    with engine.begin() as conn:
        run_on(conn)
    engine.dispose()
