"""Phone layout in Chromium: at 320 px, and with text zoomed to 200 %, nothing scrolls sideways;
a first visit to a station page requests nothing off our origin and stays within its weight budget."""
from __future__ import annotations

import gzip

import pytest

from tests.helpers import PHONE

BUDGET = 150 * 1024  # bytes over the wire for a first visit to a station page, compressed as nginx would
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


def pages(live) -> dict[str, str]:
    return {"station": live["site"] + "stations/wenhua-lu/", "home": live["site"],
            "booking": live["forms"] + "/book?station=wenhua-lu", "complaint": live["forms"] + "/complaint?station=wenhua-lu",
            "tracking": live["forms"] + "/track"}


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.right > width + 1 && s.position !== 'fixed' && !el.closest('.md-sidebar, [hidden]');
  }).map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
  return {scrolls: document.documentElement.scrollWidth > width + 1, wide: [...new Set(wide)].slice(0, 8)};
}"""


@pytest.mark.parametrize("zoom", [1, 2], ids=["normal", "text-200"])
@pytest.mark.parametrize("name", ["station", "booking", "complaint", "tracking"])
def test_no_sideways_scrolling_at_320_px(browser, live, name, zoom):
    context = browser.new_context(**{**PHONE, "viewport": {"width": 320, "height": 640}})
    page = context.new_page()
    page.goto(pages(live)[name])
    if zoom != 1:  # text zoom, as a phone's font-size setting does: every rem and em doubles
        page.evaluate(f"document.documentElement.style.fontSize = "
                      f"(parseFloat(getComputedStyle(document.documentElement).fontSize) * {zoom}) + 'px'")
        page.wait_for_timeout(100)
    found = page.evaluate(OVERFLOW)
    context.close()
    assert not found["scrolls"], found


def test_first_visit_to_a_station_page_stays_home_and_light(browser, live, capsys):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    seen = []
    page.on("response", lambda response: seen.append(response))
    page.goto(pages(live)["station"], wait_until="networkidle")
    origin = live["site"].rstrip("/")
    off_origin = [r.url for r in seen if not r.url.startswith(origin)]
    assert off_origin == []
    total = 0
    for response in seen:
        body = response.body() if response.status < 300 else b""
        kind = response.headers.get("content-type", "")
        total += len(gzip.compress(body, 6)) if kind.startswith(COMPRESSIBLE) else len(body)
    context.close()
    with capsys.disabled():
        print(f"\n  station page, first visit: {len(seen)} requests, {total / 1024:.1f} KB compressed "
              f"(budget {BUDGET // 1024} KB)")
    assert total < BUDGET, total
