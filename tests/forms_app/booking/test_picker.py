"""The slot picker: every day reads as something to open, with its number of free slots, on a
360 px phone and in elder mode (the browser drew no disclosure triangle once the summary became
a flex box, and a resident read a column of dates as "nothing to book")."""
from __future__ import annotations

import re

import pytest

from tests.forms_app.booking.test_slots import fixed_clock  # noqa: F401 - a fixture

DAY = re.compile(r'<details class="day"( open)?>\s*<summary>(.*?)</summary>(.*?)</details>', re.S)


def test_every_day_heading_counts_its_free_slots(client, fixed_clock):
    page = client.get("/book?station=wenhua-lu").get_data(as_text=True)
    days = DAY.findall(page)
    assert len(days) > 5
    assert days[0][0] == " open" and all(not opened for opened, _, _ in days[1:])
    for _, summary, body in days:
        free = len(re.findall(r'<input type="radio" name="slot"', body))
        assert re.search(rf'<span class="day-free">{free} 个空位</span>', summary), summary
        assert "点开选时间" in summary


@pytest.mark.parametrize("elder", [False, True], ids=["plain", "elder"])
def test_a_closed_day_looks_tappable_on_a_phone(live, phone, elder, tmp_path):
    page = phone
    page.goto(live["forms"] + "/book?station=wenhua-lu")
    if elder:
        page.click("[data-elder-toggle]")
    # by position: a ":not([open])" locator would move on to the next day once this one opens
    closed = page.locator("details.day").nth(page.locator("details.day").evaluate_all(
        "days => days.findIndex(d => !d.open)"))
    closed.scroll_into_view_if_needed()
    summary = closed.locator("summary")
    look = summary.evaluate("""s => {
        const marker = getComputedStyle(s, '::before');
        const box = s.getBoundingClientRect();
        return {marker: parseFloat(marker.borderLeftWidth), markerColor: marker.borderLeftColor,
                display: marker.display, height: box.height, width: box.width,
                border: parseFloat(getComputedStyle(s.parentElement).borderTopWidth)};
    }""")
    assert look["marker"] >= 8, look  # a triangle of at least 8 px is drawn before the date
    assert look["border"] >= 1 and look["height"] >= (60 if elder else 48), look
    assert summary.locator(".day-open").is_visible() and summary.locator(".day-open").inner_text() == "点开选时间"
    assert re.fullmatch(r"\d+ 个空位", summary.locator(".day-free").inner_text())
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    page.screenshot(path=str(tmp_path / f"picker-{'elder' if elder else 'plain'}.png"))
    assert not closed.locator("input[name=slot]").first.is_visible()
    summary.click()
    assert closed.locator("input[name=slot]").first.is_visible()
    assert not summary.locator(".day-open").is_visible()  # the hint goes once the day is open
