"""Slot arithmetic (forms_app.booking.slots) with a fixed ``now``, and the calendar feeds built from bookings.

In the small roster chen-hao (police) sits at wenhua-lu 08:30–12:00 every weekday, he-jianguo
(prosecutor) 09:00–11:30 every other Wednesday (2026-11-25 is one), zhou-minghui (judge) on the
first Tuesday of the month 09:00–11:30, song-jiayi (lawyer) on Mondays 14:00–17:00; 2027-01-01
to 01-03 is the 元旦 holiday.
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from forms_app.booking.slots import available_slots, candidate_slots, find_slot, officers_for
from roster import TZ, load_roster

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)  # Monday


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=TZ)


def edit_roster(roster_dir, old: str, new: str) -> None:
    path = roster_dir / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()  # the provider reloads on a new mtime: make sure it is new
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))


def times(slots) -> list[str]:
    return [f"{s[1]:%H:%M}-{s[2]:%H:%M}" if isinstance(s, tuple) else f"{s.start:%H:%M}-{s.end:%H:%M}" for s in slots]




# ---------------------------------------------------------------- candidate slots

def test_default_slot_length_is_30_minutes(roster):
    assert roster.settings.slot_minutes == 30
    found = candidate_slots(roster, "wenhua-lu", ["chen-hao"], date(2026, 11, 24), 1, NOW)
    assert times(found) == ["08:30-09:00", "09:00-09:30", "09:30-10:00", "10:00-10:30", "10:30-11:00",
                            "11:00-11:30", "11:30-12:00"]
    assert all(o == "chen-hao" and s.tzinfo is not None and s.utcoffset() == timedelta(hours=8)
               for o, s, _ in found)


def test_slot_length_from_settings_and_partial_last_slot_dropped(roster_dir):
    edit_roster(roster_dir, "slot_minutes: 30", "slot_minutes: 45")
    roster = load_roster(roster_dir)
    # 08:30–12:00 is 210 minutes: four slots of 45, the last 30 minutes are not a slot
    chen = candidate_slots(roster, "wenhua-lu", ["chen-hao"], date(2026, 11, 24), 1, NOW)
    assert times(chen) == ["08:30-09:15", "09:15-10:00", "10:00-10:45", "10:45-11:30"]
    # 09:00–11:30 is 150 minutes: three slots, 11:15–12:00 would run past the duty
    he = candidate_slots(roster, "wenhua-lu", ["he-jianguo"], date(2026, 11, 25), 1, NOW)
    assert times(he) == ["09:00-09:45", "09:45-10:30", "10:30-11:15"]


def test_slots_of_several_officers_sorted_by_time_then_officer(roster):
    found = candidate_slots(roster, "wenhua-lu", ["he-jianguo", "chen-hao"], date(2026, 11, 25), 1, NOW)
    assert [(o, f"{s:%H:%M}") for o, s, _ in found][:4] == [
        ("chen-hao", "08:30"), ("chen-hao", "09:00"), ("he-jianguo", "09:00"), ("chen-hao", "09:30")]
    assert len(found) == 7 + 5


def test_month_end_crossing(roster):
    found = candidate_slots(roster, "wenhua-lu", officers_for(roster, "wenhua-lu"), date(2026, 11, 30), 2, NOW)
    by_day: dict[tuple[date, str], int] = {}
    for officer, start, _ in found:
        by_day[(start.date(), officer)] = by_day.get((start.date(), officer), 0) + 1
    assert by_day == {
        (date(2026, 11, 30), "chen-hao"): 7, (date(2026, 11, 30), "song-jiayi"): 6,  # a Monday
        (date(2026, 12, 1), "chen-hao"): 7, (date(2026, 12, 1), "zhou-minghui"): 5,  # first Tuesday of December
    }


# ---------------------------------------------------------------- available slots

def test_default_window_is_booking_days(ctx, roster):
    assert roster.settings.booking_days == 14
    slots = available_slots(roster, "wenhua-lu", officer="chen-hao", now=NOW)
    days = sorted({s.start.date() for s in slots})
    assert days[0] == date(2026, 11, 23) and days[-1] == date(2026, 12, 4)  # Dec 5–6 is a weekend
    assert len(days) == 10 and len(slots) == 6 + 9 * 7
    assert available_slots(roster, "wenhua-lu", officer="chen-hao", first_day=date(2026, 12, 7), now=NOW) == []
    # asking for more days than the setting allows does not go past it either
    assert available_slots(roster, "wenhua-lu", officer="chen-hao", days=30, now=NOW) == slots


def test_booking_days_setting(ctx, roster_dir):
    edit_roster(roster_dir, "slot_capacity: 1", "slot_capacity: 1\n  booking_days: 3")
    roster = load_roster(roster_dir)
    slots = available_slots(roster, "wenhua-lu", officer="chen-hao", now=NOW)
    assert sorted({s.start.date() for s in slots}) == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    window = available_slots(roster, "wenhua-lu", officer="chen-hao", first_day=date(2026, 11, 25), days=5, now=NOW)
    assert {s.start.date() for s in window} == {date(2026, 11, 25)}


def test_first_day_and_days(ctx, roster):
    slots = available_slots(roster, "wenhua-lu", first_day=date(2026, 11, 25), days=1, now=NOW)
    assert {s.start.date() for s in slots} == {date(2026, 11, 25)}
    assert [s.officer for s in slots].count("he-jianguo") == 5 and [s.officer for s in slots].count("chen-hao") == 7
    # a first day in the past starts today
    past = available_slots(roster, "wenhua-lu", officer="chen-hao", first_day=date(2026, 11, 1), days=1, now=NOW)
    assert {s.start.date() for s in past} == {date(2026, 11, 23)}


def test_minimum_notice(ctx, roster):
    first = available_slots(roster, "wenhua-lu", officer="chen-hao", days=1, now=NOW)
    assert times(first)[0] == "09:00-09:30"  # 08:30 is inside the 2 hours' notice
    a_minute_later = available_slots(roster, "wenhua-lu", officer="chen-hao", days=1, now=NOW + timedelta(minutes=1))
    assert times(a_minute_later)[0] == "09:30-10:00"
    assert find_slot(roster, "wenhua-lu", "chen-hao", at("2026-11-23", "09:00"), now=NOW) is not None
    assert find_slot(roster, "wenhua-lu", "chen-hao", at("2026-11-23", "09:00"), now=NOW + timedelta(minutes=1)) is None


def test_minimum_notice_from_settings(ctx, roster_dir):
    edit_roster(roster_dir, "slot_capacity: 1", "slot_capacity: 1\n  min_notice_minutes: 0")
    roster = load_roster(roster_dir)
    slots = available_slots(roster, "wenhua-lu", officer="chen-hao", days=1, now=at("2026-11-23", "08:40"))
    assert times(slots)[0] == "09:00-09:30"  # 08:30 has started: past slots are never offered


def test_past_slots_not_offered(ctx, roster):
    afternoon = at("2026-11-23", "13:00")
    slots = available_slots(roster, "wenhua-lu", days=1, now=afternoon)
    # chen-hao's morning is over; song-jiayi's 14:00 and 14:30 are within two hours
    assert [(s.officer, f"{s.start:%H:%M}") for s in slots] == [
        ("song-jiayi", "15:00"), ("song-jiayi", "15:30"), ("song-jiayi", "16:00"), ("song-jiayi", "16:30")]
    assert available_slots(roster, "wenhua-lu", days=1, now=at("2026-11-23", "17:00")) == []


def test_holiday_exception_removes_slots(ctx, roster_dir):
    roster = load_roster(roster_dir)
    now = at("2026-12-28", "07:00")  # Monday before 元旦 (2027-01-01 is a Friday)
    days = {s.start.date() for s in available_slots(roster, "wenhua-lu", officer="chen-hao", now=now)}
    assert date(2027, 1, 1) not in days
    assert {date(2026, 12, 31), date(2027, 1, 4)} <= days  # the days around it stay
    # without the exception the holiday would be offered: it is the exception that removes it
    edit_roster(roster_dir, "  - {from: 2027-01-01, to: 2027-01-03, reason: 元旦放假}\n", "  []\n")
    plain = load_roster(roster_dir)
    assert date(2027, 1, 1) in {s.start.date() for s in available_slots(plain, "wenhua-lu", officer="chen-hao",
                                                                        now=now)}


def test_role_filter_any_lawyer_at_this_station(ctx, roster):
    assert officers_for(roster, "wenhua-lu", role="lawyer") == ["song-jiayi"]
    slots = available_slots(roster, "wenhua-lu", role="lawyer", now=NOW)
    assert {s.officer for s in slots} == {"song-jiayi"} and len(slots) == 12
    assert {s.officer for s in available_slots(roster, "jiangwan", role="lawyer", now=NOW)} == {"xie-ning"}
    assert available_slots(roster, "wenhua-lu", role="mediator", now=NOW) == []
    # officer and role together: both must hold
    assert available_slots(roster, "wenhua-lu", officer="chen-hao", role="lawyer", now=NOW) == []


def test_unknown_officer_gets_nothing(ctx, roster):
    assert available_slots(roster, "wenhua-lu", officer="nobody", now=NOW) == []
    assert available_slots(roster, "wenhua-lu", officer="liang-kai", now=NOW) == []  # serves jiangwan
    assert find_slot(roster, "wenhua-lu", "nobody", at("2026-11-24", "09:00"), now=NOW) is None
    assert find_slot(roster, "wenhua-lu", "liang-kai", at("2026-11-24", "09:00"), now=NOW) is None
    assert officers_for(roster, "no-such-station") == []


def resident(phone: str):
    from forms_app.booking.service import Resident

    return Resident("张三", phone, "legal-advice", "")


def test_capacity_and_remaining(ctx, roster_dir):
    from forms_app.booking import service as appointments

    edit_roster(roster_dir, "slot_capacity: 1", "slot_capacity: 3")
    roster = load_roster(roster_dir)
    nine = at("2026-11-24", "09:00")

    def remaining() -> dict[str, int]:
        return {f"{s.start:%H:%M}": s.remaining for s in available_slots(
            roster, "wenhua-lu", officer="chen-hao", first_day=date(2026, 11, 24), days=1, now=NOW,
            include_full=True)}

    assert set(remaining().values()) == {3}
    appointments.book(roster, "wenhua-lu", "chen-hao", nine, resident("13800000001"), now=NOW)
    appointments.book(roster, "wenhua-lu", "chen-hao", nine, resident("13800000002"), now=NOW)
    assert remaining()["09:00"] == 1 and remaining()["09:30"] == 3 and remaining()["08:30"] == 3
    appointments.book(roster, "wenhua-lu", "chen-hao", nine, resident("13800000003"), now=NOW)
    assert remaining()["09:00"] == 0
    offered = available_slots(roster, "wenhua-lu", officer="chen-hao", first_day=date(2026, 11, 24), days=1, now=NOW)
    assert "09:00-09:30" not in times(offered) and len(offered) == 6
    with pytest.raises(appointments.SlotTaken):
        appointments.book(roster, "wenhua-lu", "chen-hao", nine, resident("13800000004"), now=NOW)
    # another officer at the same time is not affected
    he = available_slots(roster, "wenhua-lu", officer="he-jianguo", first_day=date(2026, 11, 25), days=1, now=NOW)
    assert {s.remaining for s in he} == {3}


def test_capacity_one_slot_disappears_when_booked(ctx, roster):
    from forms_app.booking import service as appointments

    appointments.book(roster, "wenhua-lu", "chen-hao", at("2026-11-23", "09:00"), resident("13800000001"), now=NOW)
    slots = available_slots(roster, "wenhua-lu", officer="chen-hao", days=1, now=NOW)
    assert times(slots) == ["09:30-10:00", "10:00-10:30", "10:30-11:00", "11:00-11:30", "11:30-12:00"]
    assert {s.remaining for s in slots} == {1}


def test_a_booking_stores_its_claims_and_history(ctx, roster):
    """Alone, or inside a transaction the caller already has open (on PostgreSQL these are two
    ways of running the one statement): the same rows either way."""
    from sqlalchemy import select

    from forms_app.booking import service as appointments
    from forms_app.extensions import db
    from forms_app.models import Appointment

    db.session.remove()
    alone = appointments.book(roster, "wenhua-lu", "chen-hao", at("2026-11-24", "09:00"), resident("13800000001"),
                              now=NOW)
    db.session.execute(select(Appointment.id)).all()  # the caller's transaction is open
    joined = appointments.book(roster, "wenhua-lu", "chen-hao", at("2026-11-24", "10:00"), resident("13800000002"),
                               now=NOW)
    db.session.remove()
    for booked, phone in ((alone, "13800000001"), (joined, "13800000002")):
        stored = db.session.get(Appointment, booked.id)
        assert (stored.number, stored.phone, stored.status) == (booked.number, phone, "booked")
        assert [(c.officer_id, c.starts_at, c.seat) for c in stored.claims] == [("chen-hao", booked.starts_at, 1)]
        assert sorted(c.bucket.strftime("%H:%M") for c in stored.phone_claims) == [
            f"{booked.starts_at:%H}:{m:02d}" for m in range(0, 30, 5)]
        assert [(e.action, e.detail) for e in stored.events] == [("booked", f"{booked.starts_at:%Y-%m-%d %H:%M} chen-hao")]


# ---------------------------------------------------------------- calendar feeds

@pytest.fixture
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def api_book(client, **changes) -> dict:
    data = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00", "name": "王五",
            "phone": "13812345678", "topic": "neighbours", "description": "楼上漏水", "consent": True}
    data.update(changes)
    response = client.post("/api/v1/appointments", json=data)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def officer_feed_url(app, officer: str) -> str:
    from forms_app.booking.calendars import feed_token

    with app.test_request_context():
        return f"/feeds/officers/{officer}/{feed_token(officer)}.ics"


def test_officer_feed_lists_own_bookings(app, client, fixed_clock):
    mine = api_book(client)
    other = api_book(client, officer="song-jiayi", start="2026-11-30T14:00:00+08:00", phone="13900000000")
    cancelled = api_book(client, start="2026-11-24T10:00:00+08:00", phone="13700000000")
    assert client.delete(f"/api/v1/appointments/{cancelled['number']}?token={cancelled['manage_token']}").status_code == 200

    response = client.get(officer_feed_url(app, "chen-hao"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    cal = Calendar.from_ical(response.data)
    assert str(cal["x-wr-calname"]) == "陈浩的预约"
    events = cal.walk("VEVENT")
    # the cancelled booking stays in the feed as CANCELLED so a phone that polled it before removes it
    assert [(str(e["uid"]), str(e["status"])) for e in events] == [
        (f"appointment-{mine['number']}@sanguan-board", "CONFIRMED"),
        (f"appointment-{cancelled['number']}@sanguan-board", "CANCELLED")]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    event = events[0]
    assert event.decoded("dtstart") == at("2026-11-23", "09:00")
    assert event.decoded("dtend") == at("2026-11-23", "09:30")
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=8)
    assert str(event["summary"]) == f"预约 {mine['number']}：王五"
    assert "手机：13812345678" in str(event["description"]) and "楼上漏水" in str(event["description"])
    assert str(event["location"]) == "文化路社区，青禾区文化路 18 号社区服务中心一楼，警务室"  # the duty names the room
    lawyer = Calendar.from_ical(client.get(officer_feed_url(app, "song-jiayi")).data)
    assert [str(e["uid"]) for e in lawyer.walk("VEVENT")] == [f"appointment-{other['number']}@sanguan-board"]


def test_officer_feed_wrong_token_is_404(app, client, fixed_clock):
    api_book(client)
    good = officer_feed_url(app, "chen-hao")
    token = good.rsplit("/", 1)[1][:-4]
    assert len(token) == 32
    assert client.get(f"/feeds/officers/chen-hao/{'0' * 32}.ics").status_code == 404
    assert client.get(f"/feeds/officers/chen-hao/{token[:-1]}.ics").status_code == 404
    # one officer's token does not open another's feed
    assert client.get(f"/feeds/officers/song-jiayi/{token}.ics").status_code == 404
    assert client.get(f"/feeds/officers/nobody/{token}.ics").status_code == 404
    # the token depends on the secret key
    from forms_app import create_app

    other = create_app({"TESTING": True, "SECRET_KEY": "another-secret", "ROSTER_DIR": app.config["ROSTER_DIR"],
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert officer_feed_url(other, "chen-hao") != good


def test_resident_ics_parses_with_beijing_time(client, fixed_clock):
    made = api_book(client)

    response = client.get(f"/booked/{made['manage_token']}/appointment.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{made["number"]}.ics"'
    raw = response.get_data(as_text=True)
    assert "DTSTART;TZID=Asia/Shanghai:20261123T090000" in raw.replace("\r\n ", "")
    cal = Calendar.from_ical(response.data)
    event = cal.walk("VEVENT")[0]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.utcoffset() == timedelta(hours=8) and end.utcoffset() == timedelta(hours=8)
    assert start.isoformat() == "2026-11-23T09:00:00+08:00" and end.isoformat() == "2026-11-23T09:30:00+08:00"
    assert str(event["summary"]) == f"见警官陈浩（预约号 {made['number']}）"
    assert "手机" not in str(event["description"])  # the resident's file does not repeat private data
    assert client.get("/booked/not-a-token/appointment.ics").status_code == 404


def test_officer_feeds_command_prints_working_links_from_forms_url(make_app, fixed_clock):
    """Through Flask's CLI runner, outside any request: the links come from FORMS_URL and open the feed."""
    from urllib.parse import urlsplit

    served = make_app({"FORMS_URL": "https://forms.example.gov.cn/board/"})
    result = served.test_cli_runner().invoke(args=["officer-feeds"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.splitlines()]
    links = {row[0]: row[2] for row in rows}
    assert "chen-hao" in links and "song-jiayi" in links
    link = urlsplit(links["chen-hao"])
    assert (link.scheme, link.netloc) == ("https", "forms.example.gov.cn")
    assert link.path.startswith("/board/feeds/officers/chen-hao/")
    client = served.test_client()
    response = client.get(link.path.removeprefix("/board"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"


def test_an_officer_feed_is_valid_whatever_a_stored_booking_holds(app, client, fixed_clock):
    """Rows stored before the forms refused control characters still make an RFC 5545 file."""
    from sqlalchemy import update

    from forms_app.extensions import db
    from forms_app.models import Appointment

    booked = api_book(client)
    with app.app_context():
        db.session.execute(update(Appointment).where(Appointment.number == booked["number"]).values(
            name="张\x1b三\u202e", description="带\x01材料\r\n第二行"))
        db.session.commit()
    body = client.get(officer_feed_url(app, "chen-hao")).data
    assert not any(byte < 0x20 and byte not in (0x0D, 0x0A) for byte in body)
    assert "\u202e".encode() not in body
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert "张三" in str(event["summary"]) and "带材料\n第二行" in str(event["description"])
