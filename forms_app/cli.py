"""Thin Flask CLI wrappers: `flask --app forms_app db upgrade` comes from Flask-Migrate."""
from __future__ import annotations

import click
from flask import Flask

from .feeds import feed_url


def register_commands(app: Flask) -> None:
    @app.cli.command("purge-expired")
    def purge_expired_command() -> None:
        """删除保存期已过的预约和个人信息 / delete bookings past their retention period."""
        from .appointments import purge_expired

        days = app.config["RETENTION_DAYS"]
        count = purge_expired(days)
        click.echo(f"已删除 {count} 个超过 {days} 天的预约 / deleted {count} booking(s) older than {days} days")

    @app.cli.command("officer-feeds")
    @click.option("--base-url", default="http://127.0.0.1:8001", help="公开地址 / public URL of this service")
    def officer_feeds(base_url: str) -> None:
        """每位人员的私人预约日历链接 / each officer's private bookings feed URL."""
        from .rosters import current_roster

        for officer in current_roster().officers:
            click.echo(f"{officer.id}\t{officer.name}\t{base_url.rstrip('/')}{feed_url(officer.id)}")
