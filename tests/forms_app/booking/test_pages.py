"""The booking pages as a resident uses them, through the test client with real CSRF tokens."""
from __future__ import annotations

import os
import re
from datetime import datetime

import pytest
from icalendar import Calendar

from roster import TZ
from tests.helpers import SMALL_ROSTER as ROSTER
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)  # a Monday morning, before the desks open


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def slot_values(html: str) -> list[str]:
    return re.findall(r'name="slot" value="([^"]+)"', html)


def errors(html: str) -> list[str]:
    return re.findall(r'<p class="error" id="([\w-]+)-error">([^<]+)</p>', html)


def fill(client, station="wenhua-lu", **fields):
    page = client.get(f"/book?station={station}")
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "slot": slot_values(html)[0], "name": "张三", "phone": "13812345678",
            "topic": "legal-advice", "description": "想问问租房合同的事", "consent": "y"}
    data.update({k: v for k, v in fields.items() if v is not None})
    for key in [k for k, v in fields.items() if v is None]:
        data.pop(key)
    return client.post(f"/book?station={station}", data=data), data


def test_booking_page_lists_published_slots(client):
    html = client.get("/book?station=wenhua-lu").get_data(as_text=True)
    values = slot_values(html)
    # the desk opens at 08:30, but 2 hours' notice from 07:00 leaves 09:00 as the first slot
    assert values[0] == "chen-hao@2026-11-23T09:00"
    assert all(v.split("@")[1] >= "2026-11-23T09:00" for v in values)
    assert "zhou-minghui@2026-12-01T09:00" in values  # the judge's monthly visit, first Tuesday
    assert 'autocomplete="name"' in html and 'autocomplete="tel"' in html
    consent = re.search(r'<input id="consent"[^>]*>', html).group(0)
    assert 'type="checkbox"' in consent and "checked" not in consent, "consent starts unticked"
    assert "预约不受理报警" in html and 'href="tel:110"' in html


def test_officer_and_role_prefilled_from_the_site(client):
    html = client.get("/book?station=wenhua-lu&officer=zhou-minghui").get_data(as_text=True)
    assert slot_values(html) and all(v.startswith("zhou-minghui@") for v in slot_values(html))
    html = client.get("/book?station=wenhua-lu&role=lawyer").get_data(as_text=True)
    from roster import load_roster

    model = load_roster(ROSTER)
    people = {v.split("@")[0] for v in slot_values(html)}
    assert people and {model.officer(o).role for o in people} == {"lawyer"}
    assert '<option value="lawyer" selected>' in html


def test_booking_round_trip(client):
    response, data = fill(client)
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    html = confirmation.get_data(as_text=True)
    number = re.search(r"预约号 <strong>([A-Z0-9-]+)</strong>", html).group(1)
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}", number)
    assert "陈浩" in html and "11月23日 周一 09:00–09:30" in html and "请带上" in html
    ics_link = re.search(r'href="(/booked/[^"]+/appointment\.ics)"', html).group(1)
    cal = Calendar.from_ical(client.get(ics_link).data)
    event = cal.walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    assert event.decoded("dtstart").utcoffset().total_seconds() == 8 * 3600
    # the slot is gone for everyone else
    assert data["slot"] not in slot_values(client.get("/book?station=wenhua-lu").get_data(as_text=True))


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "请填写姓名"),
    ({"phone": "138 1234"}, "phone", "位数不对"),
    ({"phone": "12812345678"}, "phone", "第二位应为 3–9"),
    ({"phone": "0731-28811001"}, "phone", "请填 11 位手机号"),
    ({"topic": ""}, "topic", "请选择事情的类别"),
    ({"topic": "no-such-topic"}, "topic", "请从列表中选择事情的类别"),
    ({"description": "字" * 501}, "description", "最多 500 字"),
    ({"consent": None}, "consent", "需要您同意"),
    ({"slot": None}, "slot", "请选择一个时间"),
])
def test_invalid_input_is_shown_with_everything_kept(client, change, field, message):
    response, data = fill(client, **change)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = dict(errors(html))
    assert field in found and message in found[field], found
    assert f'value="{data["name"]}"' in html if data.get("name") else True
    assert data["description"] in html or field == "description"
    if "slot" in data:
        assert f'value="{data["slot"]}" checked' in html


def test_full_width_phone_is_stored_normalised(client, app):
    response, _ = fill(client, phone="＋86 １３８ １２３４ ５６７８")
    assert response.status_code == 303
    from forms_app.extensions import db
    from forms_app.models import Appointment

    with app.app_context():
        assert db.session.query(Appointment.phone).scalar() == "13812345678"


def test_post_without_csrf_token_is_refused_and_keeps_input(client):
    response, _ = fill(client, csrf_token="forged")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "页面打开太久已过期" in html and 'value="张三"' in html


def test_slot_taken_in_between_shows_fresh_slots_and_keeps_input(client):
    first, data = fill(client)
    assert first.status_code == 303
    page = client.get("/book?station=wenhua-lu").get_data(as_text=True)
    again = client.post("/book?station=wenhua-lu", data=dict(data, csrf_token=csrf_token(page), phone="13912345678"))
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "刚刚被别人约走了" in html
    assert data["slot"] not in slot_values(html)
    assert 'value="13912345678"' in html


def test_manage_link_reschedules_and_cancels(client):
    response, data = fill(client)
    token = response.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    new_slot = re.findall(r'name="move-slot" value="([^"]+)"', page)[0]
    moved = client.post(f"/manage/{token}", data={"action": "move", "move-csrf_token": csrf_token(page, "move-"),
                                                    "move-slot": new_slot, "move-reason": "那天要上班"})
    assert moved.status_code == 303
    html = client.get(f"/booked/{token}").get_data(as_text=True)
    assert new_slot.split("T")[1] in html
    # the old slot is free again
    assert data["slot"] in slot_values(client.get("/book?station=wenhua-lu").get_data(as_text=True))
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    cancelled = client.post(f"/manage/{token}", data={"action": "cancel", "cancel-csrf_token": csrf_token(page, "cancel-"),
                                                        "cancel-reason": "事情已经解决了"})
    assert cancelled.status_code == 200 and "预约已取消" in cancelled.get_data(as_text=True)
    assert new_slot in slot_values(client.get("/book?station=wenhua-lu").get_data(as_text=True))


def test_cancel_inside_the_minimum_notice_is_refused(client, monkeypatch):
    response, data = fill(client)
    token = response.headers["Location"].rsplit("/", 1)[1]
    import forms_app.clock

    late = datetime(2026, 11, 23, 8, 15, tzinfo=TZ)  # 45 minutes before a 09:00 booking
    monkeypatch.setattr(forms_app.clock, "now", lambda: late)
    page = client.get(f"/manage/{token}").get_data(as_text=True)
    refused = client.post(f"/manage/{token}", data={"action": "cancel", "cancel-csrf_token": csrf_token(page, "cancel-"),
                                                      "cancel-reason": "有事"})
    assert refused.status_code == 422
    assert "不能在网上取消或改约" in refused.get_data(as_text=True)


def test_unknown_manage_token_is_a_chinese_404(client):
    response = client.get("/manage/not-a-token")
    assert response.status_code == 404 and "没有找到" in response.get_data(as_text=True)


def test_edited_roster_is_picked_up_without_restart(client, roster_dir):
    before = slot_values(client.get("/book?station=wenhua-lu&officer=chen-hao").get_data(as_text=True))
    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("slot_minutes: 30", "slot_minutes: 60")
                    if "slot_minutes: 30" in path.read_text(encoding="utf-8") else
                    path.read_text(encoding="utf-8").replace("settings:\n", "settings:\n  slot_minutes: 60\n", 1),
                    encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = slot_values(client.get("/book?station=wenhua-lu&officer=chen-hao").get_data(as_text=True))
    assert len(after) < len(before)
    assert "chen-hao@2026-11-23T09:00" not in after and "chen-hao@2026-11-23T09:30" in after


def test_broken_roster_edit_keeps_the_last_good_one(client, roster_dir):
    assert client.get("/book?station=wenhua-lu").status_code == 200
    path = roster_dir / "roster.yaml"
    path.write_text("stations: [oops", encoding="utf-8")
    response = client.get("/book?station=wenhua-lu")
    assert response.status_code == 200 and slot_values(response.get_data(as_text=True))


def test_complaint_button_lands_on_the_complaint_form(client):
    html = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    assert "文化路社区" in html and 'href="tel:073128811001"' in html and 'href="tel:110"' in html


def test_purge_deletes_bookings_past_their_retention(client, app):
    response, _ = fill(client)
    assert response.status_code == 303
    from forms_app.booking.service import purge_expired
    from forms_app.extensions import db
    from forms_app.models import Appointment, PhoneClaim, SlotClaim

    with app.app_context():
        assert purge_expired(180, now=datetime(2027, 5, 21, tzinfo=TZ)) == 0  # 179 days after the meeting
        assert purge_expired(180, now=datetime(2027, 5, 23, tzinfo=TZ)) == 1
        assert db.session.query(Appointment).count() == db.session.query(SlotClaim).count() == 0
        assert db.session.query(PhoneClaim).count() == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "deleted 0 booking(s) older than 180 days" in result.output


def test_pages_load_nothing_from_other_origins(client):
    response, _ = fill(client)
    pages = ["/", "/book?station=wenhua-lu", response.headers["Location"], "/complaint?station=wenhua-lu", "/nope"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="zh-CN">' in html
        resources = re.findall(r'<(?:script|img|iframe|source)[^>]+src="([^"]+)"|<link[^>]+href="([^"]+)"', html)
        for src, href in resources:
            url = src or href
            assert url.startswith("/") and not url.startswith("//"), (path, url)
