"""What a resident chose to receive: every message of their case or booking, or only what it
needs (outbox.ESSENTIAL: the number, a booking made, cancelled or moved, the result). The choice
is made on the complaint or booking form (Case.quiet, Appointment.quiet) and switched later on the
tracking or manage page; each switch is on the record, in the case's ledger or the booking's history."""
from __future__ import annotations

from datetime import datetime

from .. import clock
from ..clock import naive
from ..extensions import db
from ..models import Appointment, AppointmentEvent, Case, LedgerEntry

QUIET_CHOICE = "只接收必要的通知（编号、预约确认与变更、办理结果），不要提醒和进度消息"
# the ledger's and the booking history's words for a switch
SWITCHED = {True: "不再接收提醒和进度消息", False: "恢复接收提醒和进度消息"}
ACTIONS = {True: "quiet", False: "unquiet"}


def switch_case(case: Case, quiet: bool, now: datetime | None = None) -> bool:
    """Set the case's choice (the caller commits); False when it was already so, and nothing is written."""
    if bool(case.quiet) == quiet:
        return False
    from ..cases.service import RESIDENT  # here: cases.service writes its messages through this package

    case.quiet = quiet
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now or clock.now()), actor=RESIDENT.display_name,
                               action=ACTIONS[quiet], note=SWITCHED[quiet]))
    return True


def switch_appointment(appointment: Appointment, quiet: bool, now: datetime | None = None) -> bool:
    """Set the booking's choice (the caller commits); False when it was already so."""
    if bool(appointment.quiet) == quiet:
        return False
    appointment.quiet = quiet
    appointment.events.append(AppointmentEvent(at=naive(now or clock.now()), action=ACTIONS[quiet],
                                               detail=SWITCHED[quiet]))
    return True
