"""Who can be booked and how far ahead (forms_app.booking.slots): everyone the board shows, the
people of a station's monthly duty table included, and everyone up to their next duty.

The small roster (see test_slots.py): zhou-minghui (judge) visits wenhua-lu on the first Tuesday
of the month 09:00–11:30, chen-hao (police) sits there every weekday morning; liang-kai (police)
serves jiangwan only, and 2027-01-01 to 01-03 is the 元旦 holiday.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from forms_app.booking.slots import available_slots, find_slot, next_bookable, officers_for, people_at, window_end
from roster import TZ, load, load_roster
from tests.forms_app.booking.test_slots import NOW, at, edit_roster, fixed_clock, resident  # noqa: F401 - a fixture

# A Wednesday: the judge's next first Tuesday (2027-01-05) is 34 days away, far past 14 days.
AFTER_VISIT = datetime(2026, 12, 2, 7, 0, tzinfo=TZ)
TABLE = """duty_tables:
  - month: 2026-11
    station: wenhua-lu
    entries:
      - {date: 2026-11-20, officer: bai-lu, opens_at: "09:00", closes_at: "11:00"}
      - {date: 2026-11-28, officer: liang-kai, opens_at: "09:00", closes_at: "10:30", note: 周六专场}
  - month: 2026-12"""


@pytest.fixture
def tabled(roster_dir):
    """wenhua-lu's November table names liang-kai (coming on the 28th) and bai-lu (on the 20th,
    already past), neither of whom has an assignment there."""
    edit_roster(roster_dir, "duty_tables:\n  - month: 2026-12", TABLE)
    return load_roster(roster_dir)


# ---------------------------------------------------------------- duty tables

def test_people_of_a_duty_table_can_be_booked(ctx, tabled):
    assert "liang-kai" not in {o.id for o in tabled.officers_at("wenhua-lu")}  # no assignment there
    assert [o.id for o in people_at(tabled, "wenhua-lu", NOW.date())][-1] == "liang-kai"
    slots = available_slots(tabled, "wenhua-lu", officer="liang-kai", now=NOW)
    assert [f"{s.start:%m-%d %H:%M}" for s in slots] == ["11-28 09:00", "11-28 09:30", "11-28 10:00"]
    assert {s.officer for s in available_slots(tabled, "wenhua-lu", role="police", now=NOW)} == {"chen-hao", "liang-kai"}
    assert find_slot(tabled, "wenhua-lu", "liang-kai", at("2026-11-28", "09:30"), now=NOW) is not None
    from forms_app.booking import service as appointments
    booked = appointments.book(tabled, "wenhua-lu", "liang-kai", at("2026-11-28", "09:30"), resident("13800000001"),
                               now=NOW)
    assert (booked.officer_id, booked.station_id) == ("liang-kai", "wenhua-lu")


def test_a_table_day_that_has_passed_does_not_make_a_person_bookable(ctx, tabled):
    assert "bai-lu" not in officers_for(tabled, "wenhua-lu", today=NOW.date())
    assert "bai-lu" in officers_for(tabled, "wenhua-lu", today=date(2026, 11, 19))
    assert find_slot(tabled, "wenhua-lu", "bai-lu", at("2026-11-20", "09:00"), now=NOW) is None


def test_the_booking_page_and_the_api_list_the_tables_people(app, client, roster_dir, fixed_clock):
    edit_roster(roster_dir, "duty_tables:\n  - month: 2026-12", TABLE)
    page = client.get("/book?station=wenhua-lu&officer=liang-kai").get_data(as_text=True)
    assert 'value="liang-kai" selected' in page and 'value="liang-kai@2026-11-28T09:00"' in page
    officers = [o["id"] for o in client.get("/api/v1/stations/wenhua-lu").json["officers"]]
    assert "liang-kai" in officers and "bai-lu" not in officers
    slots = client.get("/api/v1/stations/wenhua-lu/slots?officer=liang-kai").json
    assert [s["start"] for s in slots][0] == "2026-11-28T09:00:00+08:00"


# ---------------------------------------------------------------- each person's window

def test_a_monthly_visitor_is_bookable_up_to_the_next_visit(ctx, roster):
    assert window_end(roster, "wenhua-lu", "chen-hao", AFTER_VISIT) == date(2026, 12, 15)  # booking_days
    assert window_end(roster, "wenhua-lu", "zhou-minghui", AFTER_VISIT) == date(2027, 1, 5)
    judge = available_slots(roster, "wenhua-lu", officer="zhou-minghui", now=AFTER_VISIT)
    assert {s.start.date() for s in judge} == {date(2027, 1, 5)} and len(judge) == 5
    everyone = available_slots(roster, "wenhua-lu", now=AFTER_VISIT)
    assert max(s.start.date() for s in everyone if s.officer == "chen-hao") == date(2026, 12, 15)
    assert {s.officer for s in everyone if s.start.date() > date(2026, 12, 15)} == {"zhou-minghui"}
    # the check of a posted slot keeps the same window
    assert find_slot(roster, "wenhua-lu", "zhou-minghui", at("2027-01-05", "09:00"), now=AFTER_VISIT) is not None
    assert find_slot(roster, "wenhua-lu", "chen-hao", at("2027-01-05", "09:00"), now=AFTER_VISIT) is None
    # once a visit falls inside the 14 days, the window is the 14 days again
    assert window_end(roster, "wenhua-lu", "zhou-minghui", NOW) == date(2026, 12, 6)


def test_booking_days_by_role(ctx, roster_dir):
    edit_roster(roster_dir, "slot_capacity: 1", "slot_capacity: 1\n  booking_days_by_role: {police: 3, judge: 60}")
    roster = load_roster(roster_dir)
    police = available_slots(roster, "wenhua-lu", officer="chen-hao", now=NOW)
    assert max(s.start.date() for s in police) == date(2026, 11, 25)
    judge = available_slots(roster, "wenhua-lu", officer="zhou-minghui", now=NOW)
    assert sorted({s.start.date() for s in judge}) == [date(2026, 12, 1), date(2027, 1, 5)]
    assert find_slot(roster, "wenhua-lu", "chen-hao", at("2026-11-26", "09:00"), now=NOW) is None


def test_the_linter_names_an_unknown_role_in_booking_days_by_role(roster_dir):
    edit_roster(roster_dir, "slot_capacity: 1", "slot_capacity: 1\n  booking_days_by_role: {judje: 30}")
    result = load(roster_dir)
    found = [d for d in result.errors if d.code == "unknown-role"]
    assert len(found) == 1
    lines = (roster_dir / "roster.yaml").read_text(encoding="utf-8").splitlines()
    assert "booking_days_by_role" in lines[found[0].line - 1]
    assert "judje" in found[0].zh and "judge" in found[0].hint_zh


def test_next_bookable_when_the_window_is_full(ctx, roster):
    from forms_app.booking import service as appointments

    for n, hhmm in enumerate(("09:00", "09:30", "10:00", "10:30", "11:00")):
        appointments.book(roster, "wenhua-lu", "zhou-minghui", at("2026-12-01", hhmm), resident(f"1380000000{n}"),
                          now=NOW)
    assert available_slots(roster, "wenhua-lu", officer="zhou-minghui", now=NOW) == []
    upcoming = next_bookable(roster, "wenhua-lu", officer="zhou-minghui", now=NOW)
    assert upcoming.slot.start == at("2027-01-05", "09:00")
    # January's visit opens once December's has passed (or 14 days before, whichever comes first)
    assert upcoming.opens_on == date(2026, 12, 1)
    assert window_end(roster, "wenhua-lu", "zhou-minghui", datetime(2026, 12, 1, 12, 0, tzinfo=TZ)) == date(2027, 1, 5)
    assert next_bookable(roster, "wenhua-lu", officer="liang-kai", now=NOW) is None  # not at this station


def test_the_page_always_says_when_the_next_bookable_time_is(app, client, monkeypatch):
    import forms_app.clock
    from forms_app.booking import service as appointments

    monkeypatch.setattr(forms_app.clock, "now", lambda: AFTER_VISIT)
    page = client.get("/book?station=wenhua-lu&officer=zhou-minghui").get_data(as_text=True)
    assert "没有可以预约" not in page
    assert "最早可以约：2027年1月5日 周二 09:00" in page
    # the visit's slots all taken: the page names the one after, and from when it can be booked
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    with app.app_context():
        roster = load_roster(app.config["ROSTER_DIR"])
        for n, hhmm in enumerate(("09:00", "09:30", "10:00", "10:30", "11:00")):
            appointments.book(roster, "wenhua-lu", "zhou-minghui", at("2026-12-01", hhmm), resident(f"1380000000{n}"),
                              now=NOW)
    page = client.get("/book?station=wenhua-lu&officer=zhou-minghui").get_data(as_text=True)
    assert ("现在没有可以预约的空位。下一个可以预约的时间：2027年1月5日 周二 09:00（法官 周明辉），12月1日起可以在这里预约"
            in page)


def test_the_move_picker_names_the_next_time_too(app, client, fixed_clock):
    from forms_app.booking import service as appointments

    with app.app_context():
        roster = load_roster(app.config["ROSTER_DIR"])
        made = [appointments.book(roster, "wenhua-lu", "zhou-minghui", at("2026-12-01", hhmm),
                                  resident(f"1380000000{n}"), now=NOW)
                for n, hhmm in enumerate(("09:00", "09:30", "10:00", "10:30", "11:00"))]
    page = client.get(f"/manage/{made[0].manage_token}").get_data(as_text=True)
    assert "下一个可以预约的时间：2027年1月5日 周二 09:00（法官 周明辉）" in page
