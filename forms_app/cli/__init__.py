"""Thin Flask CLI wrappers around the services, one module per job: `flask --app forms_app …`.
(`flask --app forms_app db upgrade` comes from Flask-Migrate.)"""
from __future__ import annotations

from flask import Flask

from . import accounts, data, feeds, notify, reports


def register_commands(app: Flask) -> None:
    for module in (reports, accounts, data, feeds, notify):
        for command in module.COMMANDS:
            app.cli.add_command(command)
