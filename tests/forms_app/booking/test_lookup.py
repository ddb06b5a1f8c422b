"""A booking found again by its number and the phone's last four digits (the page and the API,
counted together per number), what the confirmation and its .ics say (station phone, room,
reminders), and what a cancellation offers: book again, and a .ics that takes it off the calendar."""
from __future__ import annotations

import re

from icalendar import Calendar

from tests.forms_app.booking.test_slots import api_book, fixed_clock  # noqa: F401 - a fixture
from tests.helpers import csrf_token


def find(client, number: str, digits: str, **environ):
    return client.post("/manage", data={"number": number, "phone_last4": digits}, environ_overrides=environ or None)


def test_a_booking_is_found_by_number_and_last_four_digits(client, fixed_clock):
    made = api_book(client)
    assert client.get("/manage").status_code == 200
    found = find(client, made["number"], "5678")
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/manage/{made['manage_token']}")
    # typed as residents type it: lower case, no dash, full-width digits
    typed = made["number"].replace("-", "").lower()
    assert find(client, typed, "５６７８").status_code == 303
    wrong = find(client, made["number"], "4321")
    unknown = find(client, "ZZZZ-ZZZZ", "5678")
    assert wrong.status_code == unknown.status_code == 404
    assert "没有找到" in wrong.get_data(as_text=True) and "4321" not in wrong.get_data(as_text=True)
    malformed = find(client, "", "12")
    assert malformed.status_code == 422 and "最后 4 位" in malformed.get_data(as_text=True)


def test_the_confirmation_says_how_to_find_the_booking_again(client, fixed_clock):
    made = api_book(client)
    page = client.get(f"/booked/{made['manage_token']}").get_data(as_text=True)
    assert "手机号后四位" in page and f'href="/manage?number={made["number"]}"' in page
    assert client.get(f"/manage?number={made['number']}").get_data(as_text=True).count(f'value="{made["number"]}"') == 1


def test_the_api_finds_a_booking_by_digits(client, fixed_clock):
    made = api_book(client)
    found = client.get(f"/api/v1/appointments/{made['number']}?phone_last4=5678")
    assert found.status_code == 200 and found.json["number"] == made["number"] and "manage_token" not in found.json
    assert client.get(f"/api/v1/appointments/{made['number']}?phone_last4=0000").status_code == 404
    assert client.get(f"/api/v1/appointments/{made['number']}?phone_last4=12").status_code == 422


def test_one_booking_number_gets_its_tries_across_the_page_and_the_api(client, app, fixed_clock):
    made = api_book(client)
    app.config.update(RATELIMIT_TRACK_NUMBER="4 per hour", RATELIMIT_TRACK="1000 per minute")
    statuses = []
    for attempt in range(6):
        address = {"REMOTE_ADDR": f"10.0.0.{attempt}"}
        if attempt % 2:
            statuses.append(client.get(f"/api/v1/appointments/{made['number']}?phone_last4=0000",
                                       environ_overrides=address).status_code)
        else:
            statuses.append(find(client, made["number"], "0000", **address).status_code)
    assert statuses == [404, 404, 404, 404, 429, 429]
    # the form page, and the private link's token, are no try at the digits
    assert all(client.get("/manage", environ_overrides={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code == 200
               for i in range(6))
    assert client.get(f"/api/v1/appointments/{made['number']}?token={made['manage_token']}").status_code == 200


def test_lookups_are_rate_limited_per_address(client, app, fixed_clock):
    made = api_book(client)
    app.config["RATELIMIT_TRACK"] = "3 per minute"
    assert [find(client, made["number"], "0000").status_code for _ in range(4)] == [404, 404, 404, 429]


def test_confirmation_and_ics_name_the_room_the_station_phone_and_remind(client, fixed_clock):
    made = api_book(client)  # chen-hao's duty is in the 警务室 of wenhua-lu
    page = client.get(f"/booked/{made['manage_token']}").get_data(as_text=True)
    assert "青禾区文化路 18 号社区服务中心一楼，警务室" in page
    assert '值班电话 <a href="tel:073128811001">0731-28811001</a>' in page
    cal = Calendar.from_ical(client.get(f"/booked/{made['manage_token']}/appointment.ics").data)
    assert str(cal["method"]) == "PUBLISH"
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["location"]).endswith("，警务室")
    assert "值班电话 0731-28811001" in str(event["description"])
    assert [str(a["action"]) for a in event.walk("VALARM")] == ["DISPLAY", "DISPLAY"]
    assert sorted(a.decoded("trigger").total_seconds() for a in event.walk("VALARM")) == [-86400, -3600]


def test_a_station_without_its_own_phone_names_the_street_hotline(client, fixed_clock):
    made = api_book(client, station="shuyuan", start="2026-11-23T14:30:00+08:00")
    page = client.get(f"/booked/{made['manage_token']}").get_data(as_text=True)
    assert '文昌街道电话 <a href="tel:073128810000">0731-28810000</a>' in page


def test_after_cancelling_book_again_and_a_cancellation_ics(client, fixed_clock):
    made = api_book(client)
    before = Calendar.from_ical(client.get(f"/booked/{made['manage_token']}/appointment.ics").data)
    manage = f"/manage/{made['manage_token']}"
    page = client.get(manage).get_data(as_text=True)
    done = client.post(manage, data={"cancel-csrf_token": csrf_token(page, "cancel-"), "action": "cancel",
                                     "cancel-reason": "临时有事"})
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "预约已取消" in text and "再次预约" in text
    again = re.search(r'href="([^"]+)">再次预约', text)[1].replace("&amp;", "&")
    assert again == "/book?station=wenhua-lu&officer=chen-hao"
    assert client.get(again).status_code == 200
    assert "再次预约" in client.get(f"/booked/{made['manage_token']}").get_data(as_text=True)
    cancelled = Calendar.from_ical(client.get(f"/booked/{made['manage_token']}/appointment.ics").data)
    assert str(cancelled["method"]) == "CANCEL"
    old, new = next(iter(before.walk("VEVENT"))), next(iter(cancelled.walk("VEVENT")))
    assert str(new["uid"]) == str(old["uid"]) and str(new["status"]) == "CANCELLED"
    assert int(new["sequence"]) > int(old["sequence"])
    assert new.walk("VALARM") == []  # no reminder of a meeting that will not happen
