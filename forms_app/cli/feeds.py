"""`flask --app forms_app officer-feeds`: each officer's private bookings feed link."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..booking.calendars import feed_url
from ..rosters import current_roster


@click.command("officer-feeds")
@click.option("--base-url", default="http://127.0.0.1:8001", help="公开地址 / public URL of this service")
@with_appcontext
def officer_feeds(base_url: str) -> None:
    """每位人员的私人预约日历链接 / each officer's private bookings feed URL."""
    for officer in current_roster().officers:
        click.echo(f"{officer.id}\t{officer.name}\t{base_url.rstrip('/')}{feed_url(officer.id)}")


COMMANDS = (officer_feeds,)
