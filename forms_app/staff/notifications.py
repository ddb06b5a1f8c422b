"""The console's page of notifications (issue 15: "a final 'failed' state that staff can see"):
the messages that failed, then those a sender is still retrying, then the latest sent, in the
scope of the person looking, and sending a failed one again.

Scope is that of the cases and bookings (permissions.visible_stations): a message belongs to the
station of its case (case_number → cases.station_id) or of its booking (appointment_number →
appointments.station_id). A message with neither (a notice to staff) is only the administrators'.
Out of scope answers as if the message did not exist, like a case.

What a row shows holds no resident's phone and no secret link: residents' names are masked as in
the queue, and long tokens in texts and addresses are shortened (channels.shorten_tokens)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as when, func, or_, select, update

from roster import Roster

from .. import audit
from ..clock import naive
from ..extensions import db
from ..models import Appointment, Case, Notification, Staff
from ..notify.channels import shorten_tokens
from .permissions import mask_name, visible_stations

PAGE = 50
RETRYING = ("pending", "sending")
EVENT_NAMES = {
    "appointment.booked": "预约成功", "appointment.cancelled": "预约取消", "appointment.rescheduled": "预约改期",
    "appointment.reminder": "预约提醒", "case.registered": "诉求已登记", "case.accepted": "诉求已受理",
    "case.dispatched": "吹哨派单", "case.state_changed": "办理进度", "case.result": "办理结果",
    "case.deadline_due": "期限将到", "case.deadline_passed": "已超期", "case.arrival_overdue": "部门未按时到场",
    "case.follow_up": "回访", "case.handed_over": "交承办人",
    "case.supervised": "督办", "case.supervision_answered": "督办回复", "case.supervision_sent_back": "督办退回"}
KIND_NAMES = {"resident": "群众", "officer": "接待人员", "department": "部门", "staff": "工作人员", "duty_room": "值班室"}
CHANNEL_NAMES = {"log": "日志", "email": "电子邮件", "webhook": "Webhook"}
STATUS_NAMES = {"failed": "发送失败", "pending": "等待重试", "sending": "正在发送", "sent": "已发送",
                "logged": "没有送出"}
# "sent" on the log channel reached nobody: a clerk must not take it for delivered
LOGGED_WHY = "只记在日志里（没有配置短信网关或邮件）"


@dataclass(frozen=True)
class Line:
    """One message as the page shows it."""

    id: int
    status: str
    event: str
    kind: str
    name: str  # masked for a resident
    address: str  # "" for a resident (their phone is not shown); an e-mail address or a shortened URL otherwise
    case: str | None  # the case number, when the case is there to link to
    number: str | None  # the case or booking number the message names
    channel: str
    logged: bool  # "sent" on the log channel: written to the log only, the recipient got nothing
    attempts: int
    last_error: str
    text: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


def _in_scope(query, staff: Staff, roster: Roster):
    """``query`` (on Notification, outer-joined to Case and Appointment) limited to ``staff``'s reach."""
    if staff.role == "admin":
        return query
    stations = visible_stations(staff, roster)
    return query.where(or_(Case.station_id.in_(stations), Appointment.station_id.in_(stations)))


def _joined(*columns):
    return (select(*columns).select_from(Notification)
            .outerjoin(Case, Case.number == Notification.case_number)
            .outerjoin(Appointment, Appointment.number == Notification.appointment_number))


def _shown():
    """Failed, then retried (at least one attempt failed), then sent; messages never tried yet are the sender's."""
    return or_(Notification.status.in_(("failed", "sent")),
               Notification.status.in_(RETRYING) & (Notification.attempts > 0))


def failed_count(staff: Staff, roster: Roster) -> int:
    """The console nav's badge."""
    return db.session.scalar(_in_scope(_joined(func.count()).where(Notification.status == "failed"), staff, roster))


def page(staff: Staff, roster: Roster, number: int) -> tuple[list[Line], int]:
    """One page of lines and the number of pages; past the last page is the last page."""
    counted = db.session.scalar(_in_scope(_joined(func.count()).where(_shown()), staff, roster))
    pages = max(1, -(-counted // PAGE))
    rank = when((Notification.status == "failed", 0), (Notification.status.in_(RETRYING), 1), else_=2)
    query = _in_scope(_joined(Notification, Case.id).where(_shown()), staff, roster).order_by(
        rank, Notification.sent_at.desc().nulls_last(), Notification.id.desc())
    rows = db.session.execute(query.offset((min(number, pages) - 1) * PAGE).limit(PAGE)).all()
    return [_line(note, case_id is not None) for note, case_id in rows], pages


def _line(note: Notification, case_exists: bool) -> Line:
    resident = note.recipient_kind == "resident"
    return Line(
        id=note.id, status=note.status, event=EVENT_NAMES.get(note.event, note.event),
        kind=KIND_NAMES.get(note.recipient_kind, note.recipient_kind),
        name=mask_name(note.recipient_name) if resident else note.recipient_name,
        address="" if resident else shorten_tokens(note.target or ""),
        case=note.case_number if case_exists else None, number=note.case_number or note.appointment_number,
        channel=CHANNEL_NAMES.get(note.channel, note.channel), logged=note.status == "sent" and note.channel == "log",
        attempts=note.attempts,
        last_error=shorten_tokens(note.last_error or ""), text=shorten_tokens(note.text),
        created_at=note.created_at, next_attempt_at=note.next_attempt_at if note.status in RETRYING else None,
        sent_at=note.sent_at)


def find(note_id: int, staff: Staff, roster: Roster) -> Notification | None:
    """The message, if it is in ``staff``'s reach."""
    return db.session.execute(_in_scope(_joined(Notification).where(Notification.id == note_id), staff,
                                        roster)).scalar_one_or_none()


def retry(note: Notification, staff: Staff, now: datetime) -> bool:
    """Send a failed message again, from the first attempt, and put it on the audit log (the caller
    commits); False if it is no longer failed (someone else sent it again first)."""
    done = db.session.execute(update(Notification).where(Notification.id == note.id, Notification.status == "failed")
                              .values(status="pending", attempts=0, next_attempt_at=naive(now), claimed_by=None,
                                      claimed_until=None))
    if not done.rowcount:
        return False
    audit.record("notification_retry", staff=staff,
                 target=f"{note.case_number or note.appointment_number or ''} #{note.id}".strip())
    return True
