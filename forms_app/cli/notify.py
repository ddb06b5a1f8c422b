"""`flask --app forms_app send-notifications`: write the scheduled messages that are due
(notify/schedule.py), then deliver the outbox; once (for cron) or --loop."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..notify.schedule import write_due
from ..notify.sender import send_due
from ..rosters import RosterUnavailable, current_roster


@click.command("send-notifications")
@click.option("--loop", is_flag=True, help="一直运行，每隔 --interval 秒发送一次 / keep running, a pass every --interval s")
@click.option("--interval", default=10.0, show_default=True, help="--loop 时两次之间的秒数 / seconds between passes")
@with_appcontext
def send_notifications(loop: bool, interval: float) -> None:
    """发送待发的通知 / deliver the notifications that are due. Ends with: sent=N failed=N pending=N"""
    while True:
        try:
            scheduled = schedule_pass()
            summary = send_due()
        except DBAPIError as exc:  # the database away for a moment: the next pass tries again
            db.session.rollback()
            if not loop:
                raise click.ClickException(f"数据库暂时无法连接 / database unavailable: {type(exc).__name__}") from None
            click.echo(f"数据库暂时无法连接，{interval:g} 秒后再试 / database unavailable, retrying", err=True)
        else:
            if not loop or scheduled:
                click.echo(f"scheduled={scheduled}")
            if not loop or summary.sent or summary.failed:
                click.echo(summary.line())
        if not loop:
            return
        time.sleep(interval)


def schedule_pass() -> int:
    """The reminders and deadline notices due by now. Without a valid roster nothing is scheduled,
    but what is already in the outbox still goes out."""
    try:
        roster = current_roster()
    except RosterUnavailable:
        click.echo("名单不可用，本次不生成提醒 / roster unavailable, nothing scheduled", err=True)
        return 0
    return write_due(roster)


@click.command("webhook-secret")
@click.argument("url")
def webhook_secret(url: str) -> None:
    """一个接收方自己的 webhook 密钥（从 NOTIFY_WEBHOOK_SECRET 和它的地址算出）/ the signing secret of a
    recipient's own webhook, derived from NOTIFY_WEBHOOK_SECRET and its URL, for its owner to check with"""
    import os

    from ..notify.signing import secret_for

    secret = os.environ.get("NOTIFY_WEBHOOK_SECRET") or ""
    if not secret:
        raise click.ClickException("NOTIFY_WEBHOOK_SECRET 没有设置 / NOTIFY_WEBHOOK_SECRET is not set")
    if not url.startswith(("http://", "https://")):
        raise click.ClickException("地址要以 https:// 开头 / the URL must start with https://")
    click.echo(secret_for(secret, url.strip()))


COMMANDS = (send_notifications, webhook_secret)
