"""`flask --app forms_app officer-feeds`: each officer's private bookings feed link."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..booking.calendars import feed_url
from ..rosters import current_roster


@click.command("officer-feeds")
@with_appcontext
def officer_feeds() -> None:
    """每位人员的私人预约日历链接（地址取自 FORMS_URL）/ each officer's private bookings feed URL (from FORMS_URL)."""
    for officer in current_roster().officers:
        click.echo(f"{officer.id}\t{officer.name}\t{feed_url(officer.id)}")


COMMANDS = (officer_feeds,)
