"""PostgreSQL connections whose every round trip has a deadline kept by the client.

statement_timeout and lock_timeout (config.engine_options) are enforced by the server: a server
that is frozen (SIGSTOP, a hung VM, a storage stall) enforces nothing, and its kernel keeps
acknowledging our packets, so TCP keepalives never fire either. A pooled connection then waits
for ever: the check before use, the query, the commit. psycopg can bound each wait on its socket;
this connection class does so for every one, so that the resident gets the 503 page within
seconds and the connection is dropped from the pool, whatever the server is doing.

The deadline is ``round_trip_timeout`` in the engine's connect_args (a little longer than the
statement timeout, so that a slow query is still cancelled by the server, cleanly); a request can
shorten it for itself with ``deadline(seconds)`` (/readyz must answer before a load balancer
gives up on it)."""
from __future__ import annotations

import contextlib
import contextvars

import psycopg
from psycopg import errors
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROUND_TRIP_ARG = "round_trip_timeout"
_shorter = contextvars.ContextVar("round_trip_deadline", default=None)


class NoAnswer(psycopg.OperationalError):
    """The server did not answer one round trip in time; the connection is closed."""


class BoundedConnection(psycopg.Connection):
    round_trip_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        limit = min(filter(None, (timeout, _shorter.get(), self.round_trip_timeout)), default=None)
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except errors._WaitTimeout:  # noqa: SLF001 - psycopg's own signal that the wait ran out
            # Half a round trip leaves the connection in no known state: close it, so that
            # SQLAlchemy sees a disconnect and the pool opens a fresh one next time.
            self.pgconn.finish()
            raise NoAnswer(f"the database did not answer within {limit:g} s") from None


@event.listens_for(Engine, "do_connect")
def _bounded(dialect, _record, cargs, cparams):
    if dialect.driver != "psycopg" or ROUND_TRIP_ARG not in cparams:
        return None  # SQLAlchemy connects as usual
    params = dict(cparams)  # the engine's own dict, used for every connection: not to be changed
    seconds = params.pop(ROUND_TRIP_ARG)
    connection = BoundedConnection.connect(*cargs, **params)
    connection.round_trip_timeout = float(seconds)
    return connection


@contextlib.contextmanager
def deadline(seconds: float):
    """Every round trip inside waits at most ``seconds`` (on PostgreSQL; SQLite has no server)."""
    token = _shorter.set(seconds)
    try:
        yield
    finally:
        _shorter.reset(token)
