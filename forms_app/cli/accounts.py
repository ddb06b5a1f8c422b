"""`flask --app forms_app create-staff`: a console account; `sign-out-everywhere`: end its sessions."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Staff
from ..rosters import current_roster
from ..staff import accounts


@click.command("create-staff")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="显示的姓名 / display name")
@click.option("--role", type=click.Choice(list(accounts.ROLES)), required=True,
              help="station 站点工作人员 / supervisor 街道督查 / admin 管理员")
@click.option("--station", "stations", multiple=True, help="负责的站点（可多次）/ station id (repeatable)")
@click.option("--street", help="督查的街道 / street id, for supervisors")
@click.option("--contact", help="到期、超期、未到场提醒发到哪里：手机号、电子邮箱或 https:// 地址 / "
                                "where deadline and arrival notices reach them: a mobile, an e-mail or a webhook URL")
@click.password_option(help="密码（不填会提示输入）/ password (prompted if omitted)")
@with_appcontext
def create_staff(username, display_name, role, stations, street, contact, password) -> None:
    """创建工作人员账号 / create a staff account."""
    try:
        accounts.create(current_roster(), username, display_name, role, tuple(stations), street, password,
                        contact=contact)
    except accounts.AccountError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.field) from None
    db.session.commit()
    click.echo(f"已创建 / created {username} ({role})")


@click.command("sign-out-everywhere")
@click.argument("username")
@with_appcontext
def sign_out_everywhere(username) -> None:
    """在所有设备上退出这个账号的登录 / end every session of a staff account (a lost phone, a leaver)."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise click.BadParameter(f"没有这个用户名 / no account {username}", param_hint="USERNAME")
    accounts.end_sessions(staff)
    db.session.commit()
    click.echo(f"已退出 {username} 在所有设备上的登录 / every session of {username} ended")


COMMANDS = (create_staff, sign_out_everywhere)
