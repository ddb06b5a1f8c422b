"""What the staff record after a booked meeting: the resident came, did not come, or their
matter became a case. The caller commits."""
from __future__ import annotations

from roster import Roster

from ..cases import service as cases
from ..models import ATTENDED, BOOKED, NO_SHOW, Appointment, Case

OUTCOMES = (ATTENDED, NO_SHOW)


def record(appointment: Appointment, outcome: str) -> bool:
    """Attended or no-show; False if the booking cannot take it."""
    if outcome in OUTCOMES and appointment.status in (BOOKED, ATTENDED, NO_SHOW):
        appointment.status = outcome
        return True
    return False


def open_case(roster: Roster, appointment: Appointment) -> Case:
    """The matter raised at the meeting as a case, registered with the resident's details."""
    case = cases.register(roster, station=appointment.station_id, category=appointment.topic,
                          description=appointment.description or f"预约 {appointment.number} 当面反映",
                          location="", occurred="", name=appointment.name, phone=appointment.phone,
                          contact_time="", anonymous=False, sensitive_consent=False)
    appointment.status = ATTENDED
    return case
