"""The scheduled messages (notify/schedule.py): reminders the day before a booking, deadline and
arrival notices to the owner and the street's supervisors, each written once however many passes
run, one after the other or at once."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from roster import TZ
from tests.helpers import at_once

THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)  # a working day; Friday the 4th is one too
EVENING = THURSDAY.replace(hour=18, minute=5)  # past the default reminder_hour (18)


def sent():
    """The scheduled messages written (those of the actions themselves left out)."""
    from forms_app.extensions import db
    from forms_app.models import Notification

    return [(n.event, n.recipient_kind, n.recipient_name, n.case_number or n.appointment_number)
            for n in db.session.scalars(select(Notification).where(Notification.once_key.is_not(None))
                                        .order_by(Notification.id))]


def book(number="AB12-CD34", starts_at=datetime(2026, 12, 4, 9, 30), made=datetime(2026, 12, 1, 9, 0), quiet=False):
    from forms_app.extensions import db
    from forms_app.models import Appointment, AppointmentEvent

    booking = Appointment(number=number, manage_token=f"token-{number}", station_id="wenhua-lu",
                          officer_id="zhou-minghui", starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30),
                          name="王五", phone="13912345678", topic="neighbours", consent_at=made, created_at=made,
                          quiet=quiet)
    booking.events.append(AppointmentEvent(at=made, action="booked", detail=""))
    db.session.add(booking)
    db.session.commit()
    return booking


def person(username, name, role, street=None, contact=None, stations=""):
    from forms_app.extensions import db
    from forms_app.models import Staff

    found = Staff(username=username, display_name=name, password_hash="x", role=role, street_id=street,
                  contact=contact, stations=stations, created_at=datetime(2026, 11, 1))
    db.session.add(found)
    db.session.commit()
    return found


@pytest.fixture
def people(staff):
    """The owner (the ``staff`` clerk of wenhua-lu, in 文昌街道), wenchang's supervisor, and binjiang's."""
    return {"owner": staff, "ours": person("li", "李督办", "supervisor", "wenchang", contact="li@example.gov.cn"),
            "theirs": person("zhao", "赵督办", "supervisor", "binjiang")}


def case_of(roster, staff, *, due_at=None, dispatch_at=None):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="王五", phone="13912345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=THURSDAY - timedelta(days=1))
    db.session.commit()
    cases.act(roster, case, "accept", {}, staff, now=THURSDAY - timedelta(days=1))
    if dispatch_at:
        cases.act(roster, case, "dispatch", {"department": "司法所", "on_site": True}, staff, now=dispatch_at)
    if due_at:
        case.due_at = due_at
    db.session.commit()
    return case


def only(found, event):
    return [row for row in found if row[0] == event]


def write_due(roster, now):
    from forms_app.notify.schedule import write_due as write

    return write(roster, now)


# ---------------------------------------------------------------- reminders

def test_a_reminder_goes_the_day_before_from_the_hour_and_once(roster, ctx):
    book()
    assert write_due(roster, EVENING.replace(hour=17, minute=59)) == 0
    assert sent() == []
    assert write_due(roster, EVENING) == 1
    assert write_due(roster, EVENING + timedelta(minutes=1)) == 0
    assert sent() == [("appointment.reminder", "resident", "王五", "AB12-CD34")]


def test_the_reminder_text_has_the_time_the_officer_and_the_booking_link(roster, ctx):
    from forms_app.extensions import db
    from forms_app.models import Notification

    book()
    write_due(roster, EVENING)
    row = db.session.scalar(select(Notification))
    assert "12月04日09:30" in row.text and "周明辉" in row.text and row.text.endswith("/b/AB12-CD34")
    assert row.recipient_address == "13912345678"


def test_the_reminder_hour_comes_from_the_roster(roster_dir, ctx):
    from roster import load_roster

    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("settings:\n", "settings:\n  reminder_hour: 9\n", 1),
                    encoding="utf-8")
    book()
    assert write_due(load_roster(roster_dir), THURSDAY) == 1


def test_no_reminder_for_a_booking_of_today_or_the_day_after_tomorrow(roster, ctx):
    book("AB12-AAAA", starts_at=datetime(2026, 12, 3, 19, 0))
    book("AB12-BBBB", starts_at=datetime(2026, 12, 5, 9, 0))
    assert write_due(roster, EVENING) == 0


def test_a_booking_made_after_the_reminder_moment_gets_no_reminder(roster, ctx):
    book(made=datetime(2026, 12, 3, 18, 1))
    assert write_due(roster, EVENING) == 0


def test_a_cancelled_booking_gets_no_reminder(roster, ctx):
    from forms_app.extensions import db
    from forms_app.models import CANCELLED

    booking = book()
    booking.status = CANCELLED
    db.session.commit()
    assert write_due(roster, EVENING) == 0


def test_a_resident_who_declined_gets_no_reminder(roster, ctx):
    book(quiet=True)
    assert write_due(roster, EVENING) == 0
    assert sent() == []


def test_a_moved_booking_is_reminded_of_its_new_time(roster, ctx):
    from forms_app.extensions import db
    from forms_app.models import AppointmentEvent, Notification

    booking = book()
    assert write_due(roster, EVENING) == 1
    # moved, before the next day's reminder moment, to Saturday
    booking.starts_at, booking.ends_at = datetime(2026, 12, 5, 10, 0), datetime(2026, 12, 5, 10, 30)
    booking.events.append(AppointmentEvent(at=datetime(2026, 12, 3, 20, 0), action="rescheduled", detail=""))
    db.session.commit()
    assert write_due(roster, EVENING + timedelta(days=1)) == 1
    texts = [n.text for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert "12月04日09:30" in texts[0] and "12月05日10:00" in texts[1]


# ---------------------------------------------------------------- deadlines and arrivals

def test_a_deadline_due_tomorrow_tells_the_owner_and_the_streets_supervisor_once(roster, people):
    case = case_of(roster, people["owner"], due_at=datetime(2026, 12, 4, 23, 59, 59))
    assert write_due(roster, THURSDAY) == 2
    assert write_due(roster, THURSDAY + timedelta(hours=3)) == 0
    assert sorted(sent()) == [("case.deadline_due", "staff", "李督办", case.number),
                              ("case.deadline_due", "staff", "王工作人员", case.number)]


def test_the_supervisors_contact_decides_the_channel(roster, people):
    from forms_app.extensions import db
    from forms_app.models import Notification

    case_of(roster, people["owner"], due_at=datetime(2026, 12, 4, 23, 59, 59))
    write_due(roster, THURSDAY)
    scheduled = db.session.scalars(select(Notification).where(Notification.once_key.is_not(None))).all()
    channels = {n.recipient_name: (n.channel, n.target, n.recipient_address) for n in scheduled}
    assert channels == {"李督办": ("email", "li@example.gov.cn", "li@example.gov.cn"), "王工作人员": ("log", "", "")}
    assert all(n.text.endswith("/staff/cases/" + n.case_number) and "12月04日" in n.text and
               n.detail.startswith("文化路社区") for n in scheduled)


def test_a_deadline_after_the_next_working_day_is_not_due_yet(roster, people):
    case_of(roster, people["owner"], due_at=datetime(2026, 12, 7, 23, 59, 59))  # Monday
    assert write_due(roster, THURSDAY) == 0
    assert write_due(roster, THURSDAY + timedelta(days=1)) == 2  # Friday: Monday is the next working day


def test_a_passed_deadline_tells_them_once_and_an_extended_one_again(roster, people):
    from forms_app.extensions import db

    case = case_of(roster, people["owner"], due_at=datetime(2026, 12, 2, 23, 59, 59))
    assert write_due(roster, THURSDAY) == 2
    assert write_due(roster, THURSDAY) == 0
    assert {row[0] for row in sent()} == {"case.deadline_passed"}
    case.due_at = datetime(2026, 12, 3, 9, 0)  # another deadline, passed too
    db.session.commit()
    assert write_due(roster, THURSDAY) == 2


def test_a_closed_case_gets_no_notices(roster, people):
    from forms_app.extensions import db

    case = case_of(roster, people["owner"], due_at=datetime(2026, 12, 2, 23, 59, 59))
    case.state = "resolved"
    db.session.commit()
    assert write_due(roster, THURSDAY) == 0


def test_a_dispatch_without_arrival_is_overdue_after_the_arrival_minutes(roster, people):
    case = case_of(roster, people["owner"], dispatch_at=THURSDAY)
    minutes = roster.settings.arrival_minutes
    assert only(sent_after(roster, THURSDAY + timedelta(minutes=minutes - 1)), "case.arrival_overdue") == []
    found = only(sent_after(roster, THURSDAY + timedelta(minutes=minutes + 1)), "case.arrival_overdue")
    assert sorted(found) == [("case.arrival_overdue", "staff", "李督办", case.number),
                             ("case.arrival_overdue", "staff", "王工作人员", case.number)]
    assert only(sent_after(roster, THURSDAY + timedelta(hours=2)), "case.arrival_overdue") == found


def sent_after(roster, now):
    write_due(roster, now)
    return sent()


@pytest.mark.parametrize("recorded", [("arrive", {"arrived_at": THURSDAY + timedelta(minutes=10)}),
                                      ("no_arrival", {"reason": "现场已无人"})], ids=["arrived", "no_arrival"])
def test_a_recorded_arrival_or_no_arrival_means_no_arrival_notice(roster, people, recorded):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    case = case_of(roster, people["owner"], dispatch_at=THURSDAY)
    cases.act(roster, case, *recorded, people["owner"], now=THURSDAY + timedelta(minutes=20))
    db.session.commit()
    assert only(sent_after(roster, THURSDAY + timedelta(hours=1)), "case.arrival_overdue") == []


def test_an_inactive_supervisor_gets_nothing(roster, people):
    from forms_app.extensions import db

    people["ours"].active = False
    db.session.commit()
    case_of(roster, people["owner"], due_at=datetime(2026, 12, 4, 23, 59, 59))
    assert [row[2] for row in sent_after(roster, THURSDAY)] == ["王工作人员"]


# ---------------------------------------------------------------- several passes at once

def test_passes_at_once_write_each_message_once(app, make_app):
    from forms_app.extensions import db
    from forms_app.models import Notification
    from forms_app.rosters import current_roster

    with app.app_context():
        owner = person("wang", "王工作人员", "station", stations="wenhua-lu")
        person("li", "李督办", "supervisor", "wenchang")
        roster = current_roster()
        for n in range(5):
            book(f"AB12-{n:04d}", starts_at=datetime(2026, 12, 4, 9 + n, 0))
            case_of(roster, owner, due_at=datetime(2026, 12, 4, 23, 59, 59))
            case_of(roster, owner, due_at=datetime(2026, 12, 2, 23, 59, 59))
            case_of(roster, owner, dispatch_at=THURSDAY)
    others = [make_app() for _ in range(4)]

    def run(_index, other):
        with other.app_context():
            return write_due(current_roster(), EVENING)

    written = at_once(4, lambda index: others[index], run)
    with app.app_context():
        rows = db.session.scalars(select(Notification)).all()
        scheduled = [n for n in rows if n.once_key]
        assert sum(written) == len(scheduled) == 5 + 5 * 2 * 3
        assert len({n.once_key for n in scheduled}) == len(scheduled)
        assert write_due(current_roster(), EVENING) == 0


def test_the_command_schedules_before_it_sends_and_ends_with_the_summary(app, monkeypatch):
    from forms_app import clock

    monkeypatch.setattr(clock, "now", lambda: EVENING)
    with app.app_context():
        book()
    result = app.test_cli_runner().invoke(args=["send-notifications"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-2:] == ["scheduled=1", "sent=1 failed=0 pending=0"]


def test_a_handed_over_case_tells_its_handler_of_the_deadline_too(roster, people):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    handler = person("sun", "孙承办", "station", stations="wenhua-lu")
    case = case_of(roster, people["owner"], due_at=datetime(2026, 12, 4, 23, 59, 59))
    cases.act(roster, case, "hand_over", {"handler": handler.id}, people["owner"], now=THURSDAY - timedelta(hours=20))
    db.session.commit()
    assert write_due(roster, THURSDAY) == 3
    assert sorted(sent()) == [("case.deadline_due", "staff", "孙承办", case.number),
                              ("case.deadline_due", "staff", "李督办", case.number),
                              ("case.deadline_due", "staff", "王工作人员", case.number)]
