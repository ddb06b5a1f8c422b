"""SQLite as the service's database: readers never hold the write lock, writers wait their turn
with a short retry instead of SQLite's long back-off, and a lock held too long still ends in
"database is locked" rather than a hang."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from forms_app.db import sqlite as service_sqlite


@pytest.fixture
def engine(tmp_path):
    made = create_engine(f"sqlite:///{tmp_path / 'forms.sqlite3'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield made
    made.dispose()


def other_writer(path: str) -> sqlite3.Connection:
    """A connection outside the service (the sqlite3 shell, a backup) that takes the write lock."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=0.2, check_same_thread=False)
    connection.execute("BEGIN IMMEDIATE")
    return connection


def test_every_connection_gets_wal_and_the_busy_timeout(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == service_sqlite.BUSY_TIMEOUT_MS
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_get_request_reads_without_taking_the_write_lock(engine):
    app = Flask(__name__)
    with app.test_request_context("/book", method="GET"), engine.connect() as reader:
        assert reader.execute(text("SELECT COUNT(*) FROM t")).scalar() == 0  # transaction open
        writer = other_writer(engine.url.database)  # would time out if the GET held the lock
        writer.execute("INSERT INTO t VALUES (1)")
        writer.execute("COMMIT")
        writer.close()


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_other_requests_and_scripts_take_the_write_lock_at_begin(engine, method):
    """A transaction that reads and then writes must hold the lock from its start (no upgrade
    to a writer that fails at once); outside a request (the CLI) the same."""
    app = Flask(__name__)
    for context in (app.test_request_context("/book", method=method), app.app_context()):
        with context, engine.connect() as connection:
            connection.execute(text("SELECT COUNT(*) FROM t"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other_writer(engine.url.database)
            connection.rollback()


def test_a_writer_waits_for_the_lock_and_gets_it_when_it_is_free(engine):
    holder = other_writer(engine.url.database)
    threading.Timer(0.3, lambda: (holder.execute("COMMIT"), holder.close())).start()
    began = time.monotonic()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (2)"))
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == service_sqlite.BUSY_TIMEOUT_MS
    assert time.monotonic() - began > 0.29
    with engine.connect() as connection:
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]


def test_waiting_is_a_retry_every_few_milliseconds_not_sqlites_back_off(engine):
    """SQLite's handler sleeps up to 100 ms between tries; ours tries again within 2 ms."""
    holder = other_writer(engine.url.database)
    raw = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
    tries: list[str] = []
    raw.set_trace_callback(lambda statement: tries.append(statement) if statement == "BEGIN IMMEDIATE" else None)
    threading.Timer(0.25, lambda: (holder.execute("COMMIT"), holder.close())).start()
    service_sqlite.begin_immediate(raw)
    raw.execute("COMMIT")
    raw.close()
    assert len(tries) > 10, tries


def test_a_lock_held_past_the_busy_timeout_is_reported_not_waited_on_forever(engine, monkeypatch):
    monkeypatch.setattr(service_sqlite, "BUSY_TIMEOUT_MS", 200)
    holder = other_writer(engine.url.database)
    try:
        began = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (3)"))
        assert 0.19 < time.monotonic() - began < 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_connections_are_checked_before_use_only_where_they_can_be_lost(make_app):
    from forms_app.config import engine_options

    assert engine_options("sqlite:////srv/forms.sqlite3")["pool_pre_ping"] is False
    assert engine_options("postgresql+psycopg://app@db/forms")["pool_pre_ping"] is True
    app = make_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] == (not url.startswith("sqlite"))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True  # no resident's data in error logs
