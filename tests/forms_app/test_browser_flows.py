"""Residents and staff in a real browser (Debian's Chromium through Playwright): a phone-sized
window with WeChat's user agent, the built site and the form service on live loopback ports,
clicking through as a person would."""
from __future__ import annotations

import re
from datetime import datetime

from roster import TZ
from tests.helpers import STAFF_PASSWORD as PASSWORD


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def signed_in(browser, live, width: int, height: int = 900):
    """A new window of ``width`` px with the wenhua-lu clerk signed in, on the queue."""
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.goto(live["forms"] + "/staff/login")
    page.get_by_label("用户名").fill("wenhua")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    return page


def test_a_resident_books_from_the_qr_code_and_cancels(live, phone):
    page = phone
    page.goto(live["site"] + "stations/wenhua-lu/")  # where the QR code on the board points
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_text("今日值班").first.is_visible()
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="预约见面").first.click()
    page.wait_for_url(re.compile(r"/book\?station=wenhua-lu"))
    assert no_horizontal_scroll(page)

    # Submitting without a time or details: every error in words, nothing typed is lost.
    page.get_by_label("您的姓名").fill("王小明")
    page.get_by_role("button", name="确认预约").click()
    page.locator(".error-summary").wait_for()  # the POST's answer, not the page before it
    assert page.locator(".error-summary").is_visible()
    assert page.get_by_label("您的姓名").input_value() == "王小明"

    page.locator("details.day").first.locator("summary").click() if not page.locator(
        "input[name=slot]").first.is_visible() else None
    page.locator("input[name=slot]").first.check()
    page.get_by_role("textbox", name="手机号", exact=True).fill("１３８ ００１３ ８０００")  # full-width digits, as some keyboards type
    page.get_by_label("想咨询的事情").select_option(index=1)
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="确认预约").click()
    page.wait_for_url(re.compile(r"/booked/"))
    number = page.locator(".number strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", number), number
    ics = page.get_by_role("link", name=re.compile(r"加入手机日历"))
    assert ics.is_visible()
    response = page.request.get(ics.get_attribute("href") if ics.get_attribute("href").startswith("http")
                                else live["forms"] + ics.get_attribute("href"))
    assert response.status == 200 and b"BEGIN:VCALENDAR" in response.body()

    page.locator(".manage-url a").click()
    page.wait_for_url(re.compile(r"/manage/"))
    page.get_by_label("取消原因").fill("临时有事")
    page.get_by_role("button", name="取消这个预约").click()
    assert page.get_by_text("预约已取消").is_visible()


def test_a_resident_files_a_complaint_and_staff_work_it_to_the_archive(live, browser, phone):
    page = phone
    page.goto(live["site"] + "stations/wenhua-lu/")
    page.get_by_role("link", name="反映诉求").first.click()
    page.wait_for_url(re.compile(r"/complaint\?station=wenhua-lu"))
    assert page.get_by_role("link", name="110").first.get_attribute("href") == "tel:110"
    page.get_by_label("事情的类别").select_option(index=1)
    page.get_by_label(re.compile("发生了什么")).fill("楼上住户每天夜里十二点以后还在装修，多次沟通没有结果。")
    page.get_by_label("您的姓名").fill("李阿姨")
    page.get_by_role("textbox", name="手机号", exact=True).fill("13912345678")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_url(re.compile(r"/complaint/received"))
    number = page.locator(".number strong").inner_text()

    def tracked() -> str:
        page.goto(live["forms"] + "/track")
        page.get_by_label("诉求编号").fill(number)
        page.get_by_label(re.compile("手机号.*后四位|后四位")).fill("5678")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url(re.compile(rf"/track/{number}"))
        return page.locator("main").inner_text()

    assert "登记" in tracked()

    staff = signed_in(browser, live, 1280)
    staff.get_by_role("link", name=number).click()

    def do(action: str, name: str, fill=None) -> None:
        section = staff.locator(f"#do-{action}")
        section.locator("summary").click()
        if fill:
            fill(section)
        with staff.expect_navigation():
            section.get_by_role("button", name=name).click()
        flash = staff.locator("main > .success, main > .error")
        assert flash.count() and flash.first.inner_text().startswith("已"), staff.locator("main").inner_text()[:400]

    do("accept", "受理")
    do("dispatch", "吹哨（派给部门）", lambda s: s.get_by_label("派给哪个部门").select_option("司法所"))
    do("resolve", "办结", lambda s: (s.get_by_label("已化解").check(), s.get_by_label(re.compile("处理结果")).fill("双方达成协议")))
    now = datetime.now(TZ).strftime("%Y-%m-%dT%H:%M")  # the service keeps Beijing time
    do("feedback", "反馈给群众", lambda s: (s.get_by_label("反馈方式").select_option("电话"),
                                         s.get_by_label("反馈时间").fill(now)))
    do("follow_up", "回访", lambda s: s.get_by_label("记录").fill("回访满意"))
    do("archive", "归档")
    staff.context.close()

    timeline = tracked()
    for step in ("登记", "受理", "司法所", "双方达成协议", "归档"):
        assert step in timeline, (step, timeline)
    assert "文化路工作人员" not in timeline  # never a staff member's name


def test_the_queue_reads_on_a_phone_and_its_filters_are_whole_on_a_desktop(live, browser):
    """Found by a station clerk: on a phone the six columns left station and category one character
    per line; on a desktop the station filter cut off its own choice."""
    import urllib.request

    body = ('{"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水", "name": "王五",'
            ' "phone": "13912345670", "consent": true, "sensitive_consent": false}').encode("utf-8")
    request = urllib.request.Request(live["forms"] + "/api/v1/cases", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as made:
        assert made.status == 201
    for width in (360, 1280):
        page = signed_in(browser, live, width)
        lines = page.evaluate("""() => [...document.querySelectorAll('table.queue td')].map(td => {
            const style = getComputedStyle(td); const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
            return [td.textContent.trim(), Math.round(td.getBoundingClientRect().height / line)]; })""")
        squeezed = [(text, count) for text, count in lines if text and count > 2]
        assert lines and not squeezed, (width, squeezed)
        cut = page.evaluate("""() => [...document.querySelectorAll('.filter select')]
            .filter(s => s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().width < 0.9 * s.scrollWidth)
            .map(s => s.id)""")
        choice_fits = page.evaluate("""() => { const s = document.querySelector('#f-station');
            const probe = document.createElement('span'); probe.style.font = getComputedStyle(s).font;
            probe.textContent = s.options[s.selectedIndex].text; document.body.appendChild(probe);
            const fits = probe.getBoundingClientRect().width + 40 <= s.getBoundingClientRect().width; probe.remove(); return fits; }""")
        assert not cut and choice_fits, (width, cut)
        assert no_horizontal_scroll(page), width
        page.context.close()


def test_a_department_reports_in_from_its_link_on_a_phone(live, phone, tmp_path):
    """The dispatch message's link opened at 360 px: the case as the department needs it, the
    arrival, a note and "处置完毕", each at once in the owner's ledger."""
    from urllib.parse import urlsplit

    from sqlalchemy import select

    from forms_app import clock
    from forms_app.cases import report_in, service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff
    from forms_app.rosters import current_roster

    app = live["app"]
    with app.app_context():
        roster, clerk = current_roster(), db.session.scalar(select(Staff).where(Staff.username == "wenhua"))
        case = cases.register(roster, station="wenhua-lu", category="neighbours", location="文化路 12 号 3 栋楼道",
                              description="楼道里堆满纸箱和旧家具，堵住了消防通道，物业一直没有清理。",
                              occurred="今天上午", name="欧阳娜娜", phone="13812345678", contact_time="",
                              anonymous=False, sensitive_consent=False, now=clock.now())
        cases.act(roster, case, "accept", {}, clerk)
        cases.act(roster, case, "dispatch", {"department": "城管", "on_site": True}, clerk)
        path, number = urlsplit(report_in.link_for(case)).path, case.number
        db.session.commit()

    page = phone
    page.goto(live["forms"] + path)
    main = page.locator("main").inner_text()
    assert number in main and "文化路 12 号 3 栋楼道" in main and "欧***" in main and "欧阳娜娜" not in main
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "report-in-phone.png"), full_page=True)
    page.get_by_role("button", name="已到场（记为现在）").click()
    page.get_by_text("已记录到场时间").wait_for()
    assert page.get_by_role("button", name="已到场（记为现在）").count() == 0
    page.get_by_label("处置情况").fill("已到现场，正在联系物业清理")
    page.get_by_role("button", name="记下处置情况").click()
    page.get_by_text("已记下处置情况").wait_for()
    page.get_by_label(re.compile("处置结果")).fill("杂物已全部清走，消防通道畅通")
    page.get_by_role("button", name="处置完毕").click()
    page.get_by_text("已报告处置完毕").wait_for()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "report-in-done-phone.png"), full_page=True)

    with app.app_context():
        ledger = [(e.actor, e.action) for e in cases.by_number(number).ledger]
        assert ledger[-3:] == [("城管", "arrive"), ("城管", "handle"), ("城管", "report_done")]
        assert cases.by_number(number).arrived_at is not None


def test_a_clerk_sees_a_failed_message_on_a_phone_sends_it_again_and_sets_their_contact(live, browser, tmp_path):
    """The console's page of notifications and the clerk's own contact, at 360 px."""
    from sqlalchemy import select

    from forms_app import clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Notification
    from forms_app.rosters import current_roster

    app = live["app"]
    with app.app_context():
        case = cases.register(current_roster(), station="wenhua-lu", category="neighbours", location="",
                              description="楼上漏水", occurred="", name="欧阳娜娜", phone="13812345678",
                              contact_time="", anonymous=False, sensitive_consent=False, now=clock.now())
        db.session.commit()
        note = db.session.scalar(select(Notification).where(Notification.case_number == case.number))
        note.status, note.attempts, note.last_error = "failed", 8, "webhook answered 503"
        db.session.commit()
        number = case.number
    page = signed_in(browser, live, 360, 800)
    page.get_by_role("link", name=re.compile("通知")).first.click()
    main = page.locator("main").inner_text()
    assert number in main and "发送失败" in main and "webhook answered 503" in main and "13812345678" not in main
    page.screenshot(path=str(tmp_path / "notifications-phone.png"), full_page=True)
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="重新发送").click()
    page.wait_for_load_state()
    with app.app_context():
        assert db.session.get(Notification, note.id).status == "pending"
    page.get_by_role("link", name="通知方式").click()
    page.get_by_label(re.compile("手机号、电子邮箱")).fill("138 0000 0000")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("通知方式已保存").wait_for()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / "contact-phone.png"), full_page=True)
    page.context.close()
