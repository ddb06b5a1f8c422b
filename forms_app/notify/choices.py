"""What a resident chose to receive: every message of their case or booking, or only what it
needs (outbox.ESSENTIAL: the number, a booking made, cancelled or moved, the result). The choice
is made on the complaint or booking form (Case.quiet, Appointment.quiet) and switched later on the
tracking or manage page (cases.service.switch_quiet, booking.service.switch_quiet), each switch on
the record: the case's ledger, the booking's history. Here: the words, one place for all of them."""
from __future__ import annotations

QUIET_CHOICE = "只接收必要的通知（编号、预约确认与变更、办理结果），不要提醒和进度消息"
# the ledger's and the booking history's action for a switch, and what the resident is told
ACTIONS = {True: "quiet", False: "unquiet"}
SWITCHED = {True: "不再接收提醒和进度消息", False: "恢复接收提醒和进度消息"}
