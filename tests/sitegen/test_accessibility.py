"""Accessibility in Chromium: axe-core (WCAG 2.0/2.1 A and AA) finds nothing on the pages residents
and staff use, and the checks axe does not make hold too: lang="zh-CN", a visible label for every
input, autocomplete on name and phone, alt text on images, a viewport that allows zooming."""
from __future__ import annotations

import pytest

from tests.helpers import PHONE, STAFF_PASSWORD

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

SITE_PAGES = ["", "streets/wenchang/", "stations/wenhua-lu/", "officers/chen-hao/", "stations/wenhua-lu/poster.html",
              "stations/wenhua-lu/cards.html"]


def axe_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    return results.generate_report() if results.violations_count else ""


def what_axe_misses(page) -> list[str]:
    return page.evaluate("""() => {
        const problems = [];
        if (document.documentElement.lang !== 'zh-CN') problems.push('lang is ' + document.documentElement.lang);
        const viewport = document.querySelector('meta[name=viewport]');
        const content = viewport ? viewport.content.replace(/\\s/g, '') : '';
        if (/user-scalable=(no|0)/.test(content) || /maximum-scale=(0|1)(\\.0*)?(,|$)/.test(content))
            problems.push('viewport blocks zoom: ' + content);
        const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
            return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
        for (const input of document.querySelectorAll('input, select, textarea')) {
            if (['hidden', 'submit', 'button'].includes(input.type) || !visible(input)) continue;
            const labels = [...(input.labels || [])].filter(l => visible(l) && l.textContent.trim());
            if (!labels.length) problems.push('no visible label: ' + (input.name || input.id));
        }
        for (const input of document.querySelectorAll('input[name=name], input[name=phone], input[name$="-name"]')) {
            if (input.type !== 'hidden' && !input.getAttribute('autocomplete')) problems.push('no autocomplete: ' + input.name);
        }
        for (const img of document.querySelectorAll('img')) {
            if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src.slice(-40));
        }
        return problems;
    }""")


def check(page, what: str) -> None:
    report = axe_violations(page)
    assert not report, f"{what}:\n{report}"
    assert what_axe_misses(page) == [], what


@pytest.mark.parametrize("path", SITE_PAGES)
def test_site_pages(browser, live, path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    assert page.goto(live["site"] + path).status == 200
    check(page, path or "home")
    context.close()


def test_resident_forms(browser, live):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live["forms"] + "/book?station=wenhua-lu")
    check(page, "booking form")
    page.get_by_role("button", name="确认预约").click()
    page.locator(".error-summary").wait_for()  # the POST's answer, not the page before it
    assert page.locator(".error-summary").is_visible()
    check(page, "booking form with errors")

    slot = page.request.get(live["forms"] + "/api/v1/stations/wenhua-lu/slots").json()[-1]
    made = page.request.post(live["forms"] + "/api/v1/appointments", data={
        "station": "wenhua-lu", "officer": slot["officer"], "start": slot["start"], "name": "张三",
        "phone": "13700001111", "topic": "legal-advice", "description": "", "consent": True}).json()
    page.goto(live["forms"] + f"/booked/{made['manage_token']}")
    check(page, "confirmation")
    page.goto(live["forms"] + f"/manage/{made['manage_token']}")
    check(page, "change or cancel")

    page.goto(live["forms"] + "/complaint?station=wenhua-lu")
    check(page, "complaint form")
    case = page.request.post(live["forms"] + "/api/v1/cases", data={
        "station": "wenhua-lu", "category": "neighbours", "description": "楼道堆放杂物", "location": "", "name": "赵六",
        "phone": "13600002222", "consent": True, "sensitive_consent": False}).json()
    page.goto(live["forms"] + "/track")
    check(page, "tracking form")
    page.get_by_label("诉求编号").fill(case["number"])
    page.get_by_label(__import__("re").compile("后四位")).fill("2222")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/track/{case['number']}")
    check(page, "tracking page")
    context.close()


def test_staff_console(browser, live):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live["forms"] + "/staff/login")
    check(page, "staff login")
    page.get_by_label("用户名").fill("wenhua")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/")
    check(page, "queue")
    page.request.post(live["forms"] + "/api/v1/cases", data={
        "station": "wenhua-lu", "category": "neighbours", "description": "噪音扰民", "location": "", "name": "钱七",
        "phone": "13500003333", "consent": True, "sensitive_consent": False})
    page.reload()
    page.locator("table.queue a").first.click()
    page.wait_for_load_state()
    check(page, "case page")
    page.goto(live["forms"] + "/staff/dashboard")
    check(page, "dashboard")
    context.close()
