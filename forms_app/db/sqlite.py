"""SQLite as a server's database: the settings every connection gets, and which transactions
take the write lock.

SQLite allows one writer at a time. A transaction that reads and then writes must hold the
write lock from its start (BEGIN IMMEDIATE): otherwise two such transactions both read, the
second cannot upgrade to a writer, and SQLite answers "database is locked" at once instead of
waiting. A GET only reads, and in WAL mode a reader needs no lock at all, so GET, HEAD and
OPTIONS requests begin plain deferred transactions: a page being rendered never holds up a
booking.

A writer that finds the lock taken tries again after a few tenths of a millisecond, and never
more than 3 ms apart. SQLite's own busy handler backs off to sleeps of 25, 50 and 100 ms, so with
several gunicorn workers on few cores one unlucky request would wait a tenth of a second for a
lock that was free after one millisecond.
"""
from __future__ import annotations

import os
import random
import sqlite3
import time

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A writer waits this long for the lock, then the resident gets the 503 page (web/errors.py)
# well before gunicorn's 30 s worker timeout; SQLITE_BUSY_TIMEOUT in seconds.
BUSY_TIMEOUT_MS = int(float(os.environ.get("SQLITE_BUSY_TIMEOUT") or 5) * 1000)


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_connection, _record) -> None:
    """WAL so readers never wait, and a busy timeout instead of 'database is locked'.
    synchronous=NORMAL is SQLite's advice for WAL: a commit survives the process or the service
    crashing; only a power cut may roll back the last moments, never corrupt the file. One fsync
    per checkpoint instead of per commit is what lets one small server take a street's traffic."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def writes_expected() -> bool:
    """Outside a request (the CLI, a script) and in any request but a GET: take the write lock."""
    return not (has_request_context() and request.method in READ_ONLY_METHODS)


def begin_immediate(raw: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, retrying on a short, jittered interval while another writer holds the
    lock; "database is locked" only after BUSY_TIMEOUT_MS, as with SQLite's own handler."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.0002
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    # as SQLAlchemy would have raised it, so that callers catching its errors see it
                    raise OperationalError("BEGIN IMMEDIATE", (), exc) from exc
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 1.5, 0.002)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


@event.listens_for(Engine, "begin")
def _begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    if writes_expected():
        begin_immediate(connection.connection.dbapi_connection)
    else:
        connection.exec_driver_sql("BEGIN")
