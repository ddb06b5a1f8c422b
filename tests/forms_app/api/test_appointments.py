"""The JSON API v1 through the Flask test client, against a fixed clock.

The clock is Monday 2026-11-23 07:00 in Beijing. In the small roster that morning the police
officer chen-hao sits at wenhua-lu 08:30–12:00 on weekdays (with 2 hours' notice, 09:00 is the
first slot), the lawyer song-jiayi 14:00–17:00 on Mondays, and chen-hao sits at shuyuan
14:30–17:30 on weekdays.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from roster import TZ

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
API = "/api/v1"


@pytest.fixture
def clock(monkeypatch):
    """The service's clock; ``clock.now = …`` moves it."""
    import forms_app.clock

    class Clock:
        now = NOW

    state = Clock()
    monkeypatch.setattr(forms_app.clock, "now", lambda: state.now)
    return state


@pytest.fixture(autouse=True)
def _fixed_clock(clock):
    return clock


def body(**changes) -> dict:
    data = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00", "name": "张三",
            "phone": "13812345678", "topic": "legal-advice", "description": "想问问租房合同的事", "consent": True}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def book(client, **changes):
    return client.post(f"{API}/appointments", json=body(**changes))


# ---------------------------------------------------------------- stations

def test_stations_list(client):
    response = client.get(f"{API}/stations")
    assert response.status_code == 200
    assert response.json == [
        {"id": "wenhua-lu", "name": "文化路社区", "street": "文昌街道"},
        {"id": "shuyuan", "name": "书院社区", "street": "文昌街道"},
        {"id": "jiangwan", "name": "江湾社区", "street": "滨江街道"},
    ]


def test_station_with_officers_and_roles(client):
    response = client.get(f"{API}/stations/wenhua-lu")
    assert response.status_code == 200
    data = response.json
    assert (data["id"], data["name"], data["street"]) == ("wenhua-lu", "文化路社区", "文昌街道")
    assert data["address"] == "青禾区文化路 18 号社区服务中心一楼"
    assert data["roles"] == ["judge", "prosecutor", "police", "lawyer"]
    assert [(o["id"], o["role"], o["role_name"]) for o in data["officers"]] == [
        ("zhou-minghui", "judge", "法官"), ("he-jianguo", "prosecutor", "检察官"),
        ("chen-hao", "police", "警官"), ("song-jiayi", "lawyer", "律师")]
    chen = next(o for o in data["officers"] if o["id"] == "chen-hao")
    assert chen == {"id": "chen-hao", "name": "陈浩", "role": "police", "role_name": "警官",
                    "organisation": "青禾区公安分局文昌派出所", "title": "社区民警", "phone": "0731-28815301-806"}
    jiangwan = client.get(f"{API}/stations/jiangwan").json
    assert {o["id"] for o in jiangwan["officers"]} == {"jiang-yun", "bai-lu", "liang-kai", "xie-ning"}
    assert next(o for o in jiangwan["officers"] if o["id"] == "jiang-yun")["title"] is None


def test_unknown_station_is_404_json(client):
    for url in (f"{API}/stations/nowhere", f"{API}/stations/nowhere/slots"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.is_json and response.json["error"] == "Not Found"
        assert response.json["message"] == "no such station"


# ---------------------------------------------------------------- slots

def test_slots_default_window(client):
    slots = client.get(f"{API}/stations/wenhua-lu/slots").json
    # chen-hao: 6 slots today (from 09:00) + 9 weekdays × 7; song-jiayi 2 Mondays × 6;
    # he-jianguo's fortnightly Wednesday 11-25 × 5; zhou-minghui's first Tuesday 12-01 × 5
    assert len(slots) == 6 + 9 * 7 + 2 * 6 + 5 + 5
    assert slots[0] == {"officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00",
                        "end": "2026-11-23T09:30:00+08:00", "remaining": 1}
    assert all(s["start"].endswith("+08:00") and s["end"].endswith("+08:00") for s in slots)
    assert all(datetime.fromisoformat(s["start"]).utcoffset().total_seconds() == 8 * 3600 for s in slots)
    assert slots[-1]["start"] == "2026-12-04T11:30:00+08:00"  # 14 days: Nov 23 – Dec 6, weekend empty
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)


def test_slots_officer_from_and_days(client):
    slots = client.get(f"{API}/stations/wenhua-lu/slots?officer=he-jianguo&from=2026-11-25&days=1").json
    assert [(s["start"][11:16], s["end"][11:16]) for s in slots] == [
        ("09:00", "09:30"), ("09:30", "10:00"), ("10:00", "10:30"), ("10:30", "11:00"), ("11:00", "11:30")]
    assert {s["officer"] for s in slots} == {"he-jianguo"}
    assert {s["start"][:10] for s in slots} == {"2026-11-25"}
    two_days = client.get(f"{API}/stations/wenhua-lu/slots?officer=chen-hao&from=2026-11-24&days=2").json
    assert len(two_days) == 14 and {s["start"][:10] for s in two_days} == {"2026-11-24", "2026-11-25"}


def test_slots_role_filter(client):
    slots = client.get(f"{API}/stations/wenhua-lu/slots?role=lawyer").json
    assert {s["officer"] for s in slots} == {"song-jiayi"}
    assert [s["start"] for s in slots][:2] == ["2026-11-23T14:00:00+08:00", "2026-11-23T14:30:00+08:00"]
    assert len(slots) == 12  # two Mondays of 14:00–17:00
    police = client.get(f"{API}/stations/jiangwan/slots?role=police&from=2026-11-24&days=1").json
    assert {s["officer"] for s in police} == {"liang-kai"} and len(police) == 7
    assert client.get(f"{API}/stations/wenhua-lu/slots?role=mediator").json == []
    assert client.get(f"{API}/stations/wenhua-lu/slots?officer=liang-kai").json == []  # serves elsewhere
    typo = client.get(f"{API}/stations/wenhua-lu/slots?officer=chen-hoa&role=lawer")
    assert typo.status_code == 422 and set(typo.json["fields"]) == {"officer", "role"}


@pytest.mark.parametrize("query, field", [
    ("from=2026-13-01", "from"), ("from=tomorrow", "from"), ("days=0", "days"), ("days=91", "days"),
    ("days=abc", "days"), ("days=1.5", "days")])
def test_slots_bad_parameters(client, query, field):
    response = client.get(f"{API}/stations/wenhua-lu/slots?{query}")
    assert response.status_code == 422
    assert response.json["error"] == "invalid input"
    assert list(response.json["fields"]) == [field]


# ---------------------------------------------------------------- booking

def test_book_returns_number_token_and_times(client, app):
    response = book(client)
    assert response.status_code == 201
    data = response.json
    assert set(data) == {"number", "manage_token", "start", "end"}
    assert (data["start"], data["end"]) == ("2026-11-23T09:00:00+08:00", "2026-11-23T09:30:00+08:00")
    assert len(data["number"]) == 9 and data["number"][4] == "-"
    assert len(data["manage_token"]) >= 40
    from forms_app.models import Appointment

    with app.app_context():
        from forms_app.extensions import db

        stored = db.session.scalar(select(Appointment))
        assert (stored.officer_id, stored.station_id, stored.name, stored.topic) == (
            "chen-hao", "wenhua-lu", "张三", "legal-advice")
        assert stored.starts_at == datetime(2026, 11, 23, 9, 0) and stored.consent_at == datetime(2026, 11, 23, 7, 0)
    # the booked slot is no longer offered
    starts = [s["start"] for s in client.get(f"{API}/stations/wenhua-lu/slots?officer=chen-hao").json]
    assert "2026-11-23T09:00:00+08:00" not in starts and "2026-11-23T09:30:00+08:00" in starts


def test_start_in_another_notation_is_the_same_slot(client):
    assert book(client, start="2026-11-23T01:00:00+00:00").json["start"] == "2026-11-23T09:00:00+08:00"
    second = book(client, start="2026-11-23T09:00:00+08:00", phone="13900000000")
    assert second.status_code == 409


def test_full_slot_is_409(client):
    assert book(client).status_code == 201
    response = book(client, phone="13900000001", name="李四")
    assert response.status_code == 409
    assert response.json["error"] == "slot_taken"
    assert "被别人约走" in response.json["message"]


def fields_of(response) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"] == "invalid input"
    return response.json["fields"]


def test_missing_fields_each_reported(client):
    response = client.post(f"{API}/appointments", json={})
    fields = fields_of(response)
    assert set(fields) == {"station", "officer", "start", "name", "phone", "topic", "consent"}
    assert fields["station"] == ["missing station"] and fields["name"] == ["请填写姓名"]
    assert fields["consent"] == ["需要您同意，才能为您预约"]


@pytest.mark.parametrize("changes, field, message", [
    ({"consent": False}, "consent", "需要您同意，才能为您预约"),
    ({"consent": "yes"}, "consent", "需要您同意，才能为您预约"),  # only JSON true counts
    ({"consent": ...}, "consent", "需要您同意，才能为您预约"),
    ({"phone": "12345"}, "phone", None),
    ({"phone": "0731-28811001"}, "phone", "请填 11 位手机号，方便工作人员联系您"),  # a landline
    ({"description": "字" * 501}, "description", "最多 500 字，请精简一下"),
    ({"name": "名" * 41}, "name", "姓名最多 40 个字"),
    ({"topic": "astrology"}, "topic", None),
    ({"start": "next monday"}, "start", "expected an ISO 8601 date-time such as 2026-11-23T09:00:00+08:00"),
    ({"start": "2026-11-23T08:30:00+08:00"}, "slot", None),  # inside the duty, but within 2 hours
    ({"start": "2026-11-23T09:10:00+08:00"}, "slot", None),  # not a slot boundary
    ({"start": "2026-11-28T09:00:00+08:00"}, "slot", None),  # a Saturday: no duty
    ({"start": "2026-12-08T09:00:00+08:00"}, "slot", None),  # beyond the 14 days
    ({"officer": "liang-kai"}, "slot", None),  # serves another station
    ({"station": "nowhere"}, "station", "no such station"),
])
def test_invalid_input_per_field(client, app, changes, field, message):
    fields = fields_of(book(client, **changes))
    assert list(fields) == [field]
    if message:
        assert fields[field] == [message]
    else:
        assert len(fields[field]) == 1 and fields[field][0]
    from forms_app.extensions import db
    from forms_app.models import Appointment

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0


@pytest.mark.parametrize("changes", [
    {"name": False}, {"phone": 13812345678}, {"station": ["wenhua-lu"]}, {"topic": {"code": "legal-advice"}},
    {"start": 1795395600}, {"description": 0},
])
def test_values_that_are_not_strings(client, changes):
    """``"name": false`` must not become a resident called "False"."""
    assert fields_of(book(client, **changes)) == {key: ["expected a string"] for key in changes}


def test_null_description_is_no_description(client, app):
    assert book(client, description=None).status_code == 201
    from forms_app.extensions import db
    from forms_app.models import Appointment

    with app.app_context():
        assert db.session.scalar(select(Appointment.description)) == ""


def test_description_of_exactly_500_is_accepted(client):
    assert book(client, description="字" * 500).status_code == 201


@pytest.mark.parametrize("raw, kwargs", [
    (b"not json", {"content_type": "application/json"}),
    (b'["a list"]', {"content_type": "application/json"}),
    (b"station=wenhua-lu", {"content_type": "application/x-www-form-urlencoded"}),
    (b"", {}),
])
def test_non_json_body(client, raw, kwargs):
    fields = fields_of(client.post(f"{API}/appointments", data=raw, **kwargs))
    assert fields == {"body": ["expected a JSON object"]}


def test_phone_normalised(client, app):
    response = book(client, phone="+86 １３８ １２３４ ５６７８")
    assert response.status_code == 201
    from forms_app.extensions import db
    from forms_app.models import Appointment, PhoneClaim

    with app.app_context():
        assert db.session.scalar(select(Appointment.phone)) == "13812345678"
        assert set(db.session.scalars(select(PhoneClaim.phone))) == {"13812345678"}
    # the same number typed plainly is the same resident
    later = book(client, officer="song-jiayi", start="2026-11-23T14:30:00+08:00")
    assert later.status_code == 201  # not overlapping: fine
    clash = book(client, station="shuyuan", officer="chen-hao", start="2026-11-23T14:30:00+08:00")
    assert fields_of(clash) == {"phone": ["这个手机号在这个时间已经有预约了"]}


def test_same_phone_cannot_hold_overlapping_bookings(client):
    assert book(client, officer="song-jiayi", start="2026-11-23T14:30:00+08:00").status_code == 201
    # chen-hao at shuyuan 14:30 overlaps exactly; 14:00 and 15:00 of other officers would not
    same_time = book(client, station="shuyuan", officer="chen-hao", start="2026-11-23T14:30:00+08:00")
    assert fields_of(same_time) == {"phone": ["这个手机号在这个时间已经有预约了"]}
    # a different phone is fine, and the same phone right after is fine
    assert book(client, station="shuyuan", officer="chen-hao", start="2026-11-23T14:30:00+08:00",
                phone="13900000002").status_code == 201
    assert book(client, station="shuyuan", officer="chen-hao", start="2026-11-23T15:00:00+08:00").status_code == 201


def test_partly_overlapping_bookings_with_different_lengths(client, roster_dir):
    """Slots of 45 minutes: 14:00–14:45 (song-jiayi) and 14:30–15:15 (chen-hao at shuyuan) overlap."""
    edit_settings(roster_dir, "slot_minutes: 30", "slot_minutes: 45")
    assert book(client, officer="song-jiayi", start="2026-11-23T14:00:00+08:00").status_code == 201
    clash = book(client, station="shuyuan", officer="chen-hao", start="2026-11-23T14:30:00+08:00")
    assert fields_of(clash) == {"phone": ["这个手机号在这个时间已经有预约了"]}
    assert book(client, officer="song-jiayi", start="2026-11-23T14:45:00+08:00", phone="13900000003").status_code == 201


def edit_settings(roster_dir, old: str, new: str) -> None:
    import os

    path = roster_dir / "roster.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))


# ---------------------------------------------------------------- managing

def test_get_appointment_needs_the_token(client):
    made = book(client).json
    response = client.get(f"{API}/appointments/{made['number']}?token={made['manage_token']}")
    assert response.status_code == 200
    assert response.json == {"number": made["number"], "status": "booked", "station": "wenhua-lu",
                             "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00",
                             "end": "2026-11-23T09:30:00+08:00", "topic": "legal-advice",
                             "bring": "身份证；与事情有关的合同、票据、照片、聊天记录等材料"}
    # the number read out at the desk is case-insensitive
    assert client.get(f"{API}/appointments/{made['number'].lower()}?token={made['manage_token']}").status_code == 200
    for url in (f"{API}/appointments/{made['number']}?token=wrong", f"{API}/appointments/{made['number']}",
                f"{API}/appointments/AAAA-AAAA?token={made['manage_token']}"):
        response = client.get(url)
        assert response.status_code == 404 and response.json["message"] == "no such appointment"
        assert client.delete(url).status_code == 404


def test_cancel_frees_the_slot(client, app):
    made = book(client).json
    url = f"{API}/appointments/{made['number']}?token={made['manage_token']}"
    response = client.delete(url, json={"reason": "临时有事"})
    assert response.status_code == 200
    assert response.json["status"] == "cancelled" and response.json["number"] == made["number"]
    assert client.get(url).json["status"] == "cancelled"
    slots = client.get(f"{API}/stations/wenhua-lu/slots?officer=chen-hao&from=2026-11-23&days=1").json
    assert slots[0] == {"officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00",
                        "end": "2026-11-23T09:30:00+08:00", "remaining": 1}
    from forms_app.extensions import db
    from forms_app.models import Appointment, PhoneClaim, SlotClaim

    with app.app_context():
        stored = db.session.scalar(select(Appointment))
        assert (stored.status, stored.cancel_reason) == ("cancelled", "临时有事")
        assert [e.action for e in stored.events] == ["booked", "cancelled"]
        assert db.session.scalar(select(func.count()).select_from(SlotClaim)) == 0
        assert db.session.scalar(select(func.count()).select_from(PhoneClaim)) == 0
    # cancelling twice is refused; the slot can be booked again, by the same phone too
    again = client.delete(url)
    assert again.status_code == 409 and again.json["error"] == "booking_error"
    assert book(client).status_code == 201


def test_cancel_inside_minimum_notice_is_refused(client, clock):
    made = book(client).json  # 09:00, booked at 07:00: exactly two hours ahead
    url = f"{API}/appointments/{made['number']}?token={made['manage_token']}"
    clock.now = datetime(2026, 11, 23, 7, 1, tzinfo=TZ)
    response = client.delete(url)
    assert response.status_code == 409
    assert response.json["error"] == "too_late" and "不到 2 小时" in response.json["message"]
    assert client.get(url).json["status"] == "booked"
    clock.now = NOW
    assert client.delete(url).status_code == 200  # at exactly two hours it is still allowed


def test_unknown_api_route_and_method_are_json(client):
    response = client.get(f"{API}/nothing-here")
    assert response.status_code == 404 and response.is_json
    response = client.put(f"{API}/appointments")
    assert response.status_code == 405 and response.json["error"] == "Method Not Allowed"
