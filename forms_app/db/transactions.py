"""Where a resident's write runs: on a connection of its own, or in the caller's transaction.

Bookings and complaints arrive all day and touch nothing else in their request, so each goes in
on its own connection and commits at once, without the ORM session (whose bookkeeping cost as
much as the INSERTs). On PostgreSQL each is a single statement, atomic by itself, and runs in
autocommit: no BEGIN and COMMIT round trips. If the caller already has a transaction open, the
write joins it instead: a second connection would wait for the caller's own locks (on SQLite,
the write lock) and never get them.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.engine import Engine

from ..extensions import db


def caller_transaction_open() -> bool:
    # registry.has(): don't make a session just to ask it
    return db.session.registry.has() and db.session().in_transaction()


@contextmanager
def own_connection(engine: Engine, statements: int = 1):
    """A connection whose writes stand when it is left, and not after an error: on PostgreSQL
    a single statement commits as it runs (no BEGIN and COMMIT round trips), elsewhere, or when
    the caller writes more than one statement, one transaction commits at the end."""
    if engine.dialect.name == "postgresql" and statements == 1:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
    else:
        with engine.begin() as connection:
            yield connection
