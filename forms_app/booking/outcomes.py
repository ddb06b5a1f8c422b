"""What the staff record after a booked meeting: the resident came, did not come, or their
matter became a case. The caller commits.

Two clerks may tap at once, or one twice: every change is an UPDATE of the booking's row that
requires the state it was decided on, so the database orders them. A meeting becomes at most one
case (``Appointment.case_id``), and once it has, its outcome stays "attended".
"""
from __future__ import annotations

from sqlalchemy import update

from roster import Roster

from .. import clock
from ..cases import officers
from ..cases import service as cases
from ..extensions import db
from ..models import ATTENDED, BOOKED, CANCELLED, NO_SHOW, Appointment, Case

OUTCOMES = (ATTENDED, NO_SHOW)
CONVERTIBLE = (BOOKED, ATTENDED)  # a cancelled booking or a resident who did not come has no matter to take up


class Refused(Exception):
    """The booking cannot take this outcome; ``message`` says why, for the clerk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Lost(Exception):
    """Leaves the savepoint of a conversion that another request overtook."""


def record(appointment: Appointment, outcome: str) -> None:
    """Attended or no-show (also correcting one into the other); raises Refused."""
    if outcome not in OUTCOMES:
        raise Refused("没有这种预约结果")
    done = db.session.execute(
        update(Appointment).where(Appointment.id == appointment.id, Appointment.case_id.is_(None),
                                  Appointment.status.in_((BOOKED, ATTENDED, NO_SHOW)))
        .values(status=outcome).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Refused(_why_not(appointment))
    db.session.refresh(appointment)


def open_case(roster: Roster, appointment: Appointment, actor=None) -> tuple[Case, bool]:
    """The matter raised at the meeting as a case, registered with the resident's details, and
    the booking marked attended: (the case, True); or (the case it already became, False).
    The new case carries the meeting's officer (cases/officers.py ``attach``, on the ledger as by
    ``actor``, the clerk, or the system). Raises Refused for a booking that was cancelled or whose
    resident did not come."""
    if appointment.case_id is not None:
        return db.session.get(Case, appointment.case_id), False
    if appointment.status not in CONVERTIBLE:
        raise Refused(_why_not(appointment))
    try:
        with db.session.begin_nested():
            case = cases.register(roster, station=appointment.station_id, category=appointment.topic,
                                  description=appointment.description or f"预约 {appointment.number} 当面反映",
                                  location="", occurred="", name=appointment.name, phone=appointment.phone,
                                  contact_time="", anonymous=False, sensitive_consent=False,
                                  consent_version=appointment.consent_version)  # what they agreed to when booking
            done = db.session.execute(
                update(Appointment).where(Appointment.id == appointment.id, Appointment.case_id.is_(None),
                                          Appointment.status.in_(CONVERTIBLE))
                .values(status=ATTENDED, case_id=case.id).execution_options(synchronize_session=False))
            if done.rowcount != 1:  # another tap got there first, or the booking was cancelled meanwhile
                raise _Lost
    except _Lost:
        if case in db.session:
            db.session.expunge(case)  # its rows went with the savepoint
    else:
        db.session.refresh(appointment)
        officers.attach(roster, case, appointment.officer_id, appointment.number, actor, clock.now())
        return case, True
    db.session.refresh(appointment)
    if appointment.case_id is not None:
        return db.session.get(Case, appointment.case_id), False
    raise Refused(_why_not(appointment))


def _why_not(appointment: Appointment) -> str:
    db.session.refresh(appointment)
    if appointment.case_id is not None:
        return "这个预约已经转为案件，预约结果不能再改"
    if appointment.status == CANCELLED:
        return "这个预约已经取消了，不能记录结果或转为案件"
    if appointment.status == NO_SHOW:
        return "这个预约记为未到；如果居民其实来了，请先改为“已到”"
    return "这个预约现在不能这样处理，请刷新页面后再看"
