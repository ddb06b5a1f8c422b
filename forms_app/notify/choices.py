"""What a resident chose to receive: every message of their case or booking, or only what it
needs (outbox.ESSENTIAL: the number, a booking made, cancelled or moved, the result). The choice
is made on the complaint or booking form (Case.quiet, Appointment.quiet) and switched later on the
tracking or manage page (cases.service.switch_quiet, booking.service.switch_quiet), each switch on
the record: the case's ledger, the booking's history. Here: the words, one place for all of them,
each naming only the messages of its own kind ("case" or "booking": notify/templates/notify/*.resident.txt)."""
from __future__ import annotations

from dataclasses import dataclass

# every message to the resident, and what a quiet one still gets (outbox.ESSENTIAL)
EVERYTHING = {"case": "编号、进度、结果和回访评价", "booking": "预约的确认、改约、取消和前一天的提醒"}
NEEDED = {"case": "编号和办理结果", "booking": "预约的确认、改约和取消"}
# what a quiet resident no longer gets
EXTRA = {"case": "进度消息和回访评价", "booking": "前一天的提醒"}

CASE_CHOICE = f"只接收必要的通知（{NEEDED['case']}），不要{EXTRA['case']}"
BOOKING_CHOICE = f"只接收必要的通知（{NEEDED['booking']}），不要{EXTRA['booking']}"
# the ledger's and the booking history's action for a switch
ACTIONS = {True: "quiet", False: "unquiet"}


def switched(kind: str, quiet: bool) -> str:
    """What the record says of a switch, and what the resident is told after it."""
    return ("不再接收" if quiet else "恢复接收") + EXTRA[kind]


@dataclass(frozen=True)
class Switch:
    """The words of the switch on the tracking (``"case"``) or manage (``"booking"``) page.
    ``heard`` (events.resident_hears): whether messages to the resident leave the board at all;
    without a gateway the page must not promise an SMS."""
    kind: str
    heard: bool

    def says(self, quiet: bool) -> str:
        if not self.heard:
            then = NEEDED[self.kind] if quiet else EVERYTHING[self.kind]
            return f"本站目前不发送通知，请回到本页查看；以后开通了，会告诉您{then}。"
        if quiet:
            return f"您选择了只接收必要的短信：{NEEDED[self.kind]}。"
        return f"短信会告诉您{EVERYTHING[self.kind]}。"

    def button(self, quiet: bool) -> str:
        return switched(self.kind, not quiet)
