"""The load benchmark's baseline: a bare Flask endpoint that inserts one row, with the same
database driver, the same engine options and SQLite settings and the same gunicorn settings as the form service.
What the service adds on top of this (validation, slot rules, claims, ledger) is what we measure."""
from __future__ import annotations

import os
from datetime import datetime

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine

import forms_app.sqlite  # noqa: F401 - the same SQLite settings (WAL, busy timeout, BEGIN IMMEDIATE for writes)
from forms_app.config import engine_options

metadata = MetaData()
rows = Table("bench_rows", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)),
             Column("phone", String(24)), Column("body", String(2000)), Column("created_at", DateTime))


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
                body=str(body.get("description", ""))[:2000], created_at=datetime.now())).inserted_primary_key[0]
        return jsonify({"id": new_id}), 201

    return app


app = create() if "DATABASE_URL" in os.environ else None
