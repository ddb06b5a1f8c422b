"""The audit log: who signed in (or tried), and who looked at personal data — a revealed phone, a
full export, a complaint's photo, an officer's calendar feed — or sent a failed notification again. Administrators read it in the
console; nobody edits it: the ORM refuses to update or delete a row, as for the ledger.

A row names what was looked at (a case number, a month), never the data itself.
"""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from . import clock
from .extensions import db
from .models import AuditEntry

ACTIONS = {"login": "登录", "login_failed": "登录失败", "login_locked": "账号锁定中的登录", "reveal": "查看完整姓名和手机号", "export_full": "导出未打码报表",
           "photo": "查看照片", "feed": "获取值班人员的日历订阅",
           "notification_retry": "重新发送通知", "contact_changed": "修改自己的通知方式",
           "register_saved": "保存月度运行情况", "register_filed": "报送月度登记表", "register_withdrawn": "撤回月度登记表报送"}
PAGE = 100


class AuditIsAppendOnly(Exception):
    pass


def record(action: str, *, staff=None, actor: str = "", target: str = "") -> None:
    """One row (the caller commits). ``staff``: the account acting, if any; ``actor`` otherwise."""
    address = (request.remote_addr or "") if has_request_context() else ""
    db.session.add(AuditEntry(at=clock.now_naive(), staff_id=getattr(staff, "id", None),
                              actor=(getattr(staff, "display_name", None) or actor)[:64], action=action,
                              target=str(target)[:100], address=address[:64]))


def page(action: str | None, number: int) -> tuple[list[AuditEntry], int]:
    """One page of rows, newest first, and the number of pages."""
    query = select(AuditEntry)
    counted = select(func.count()).select_from(AuditEntry)
    if action:
        query, counted = query.where(AuditEntry.action == action), counted.where(AuditEntry.action == action)
    pages = max(1, -(-db.session.scalar(counted) // PAGE))
    # past the last page is the last page (and ?page=10**20 no offset the database cannot hold)
    offset = (min(number, pages) - 1) * PAGE
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(PAGE)).all()
    return rows, pages


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIsAppendOnly("审计日志只能追加 / the audit log is append-only")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse(*_args) -> None:
    raise AuditIsAppendOnly("审计日志只能追加 / the audit log is append-only")
