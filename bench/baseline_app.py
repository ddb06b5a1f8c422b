"""The load benchmark's baselines: bare Flask endpoints with the same database driver, the same
engine options and SQLite settings and the same gunicorn settings as the form service.

- ``POST /insert`` inserts one row into a table of its own: the yardstick of every ratio.
- ``POST /insert-booking`` writes a booking's rows into the service's tables with the service's
  own statements (appointments.insert_rows: appointment, seat claim, phone claims, history), with
  no validation, roster or slot rules: what the rows alone cost. The benchmark gives it seat 2
  of the slots it books with seat 1, and phones of its own.

What the service adds on top of these (validation, slot rules, the framework) is what we measure."""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine

from forms_app import clock
import forms_app.db.sqlite  # noqa: F401 - the same SQLite settings (WAL, busy timeout, BEGIN IMMEDIATE for writes)
from forms_app.booking.service import PHONE_BUCKET
from forms_app.booking.sql import insert_rows
from forms_app.config import engine_options
from forms_app.db.transactions import own_connection

metadata = MetaData()
rows = Table("bench_rows", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)),
             Column("phone", String(24)), Column("body", String(2000)), Column("created_at", DateTime))
BARE_SEAT = 2


def create(url: str | None = None) -> Flask:
    url = url or os.environ["DATABASE_URL"]
    engine = create_engine(url, **engine_options(url))
    metadata.create_all(engine)
    engine.dispose()  # gunicorn forks workers from this process: none may inherit a connection
    app = Flask(__name__)

    @app.post("/insert")
    def insert():
        body = request.get_json(silent=True) or {}
        with engine.begin() as connection:
            new_id = connection.execute(rows.insert().values(
                name=str(body.get("name", ""))[:40], phone=str(body.get("phone", ""))[:24],
                body=str(body.get("description", ""))[:2000], created_at=clock.now_naive())).inserted_primary_key[0]
        return jsonify({"id": new_id}), 201

    @app.post("/insert-booking")
    def insert_booking():
        body = request.get_json(silent=True) or {}
        starts_at, now = datetime.fromisoformat(body["start"]).replace(tzinfo=None), clock.now_naive()
        row = {"number": secrets.token_hex(4).upper(), "manage_token": secrets.token_urlsafe(32),
               "station_id": body["station"], "officer_id": body["officer"], "starts_at": starts_at,
               "ends_at": starts_at + timedelta(minutes=30), "name": body["name"], "phone": body["phone"],
               "topic": body["topic"], "description": body["description"], "status": "booked",
               "consent_at": now, "created_at": now, "quiet": False}
        buckets = [starts_at + PHONE_BUCKET * i for i in range(6)]
        with own_connection(engine) as connection:  # as the service writes a booking
            insert_rows(connection, row, BARE_SEAT, buckets, "bench")
        return jsonify({"number": row["number"]}), 201

    return app


app = create() if "DATABASE_URL" in os.environ else None
