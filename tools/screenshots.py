"""Write PNGs of key pages under docs/screenshots/: `make screenshots` (the site must be built)."""
from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from pathlib import Path

from roster.schedule import TZ

from .browser import CHROMIUM_ARGS, WECHAT_UA, chromium_path, serve_directory

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES = [("home", ""), ("station", "stations/wenhua-lu/"), ("officer", "officers/he-jianguo/"),
         ("street", "streets/wenchang/")]


def _next_weekday_morning() -> datetime:
    day = datetime.now(TZ).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 30), tzinfo=TZ)


def _form_service_shots(browser) -> None:
    """The booking form, empty and sent wrong, from a form service on a scratch database."""
    import tempfile
    import threading

    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from forms_app import create_app

    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/shots.sqlite3",
                          "ROSTER_DIR": str(ROOT / "data")})
        with app.app_context():
            upgrade()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/"
        try:
            context = browser.new_context(viewport={"width": 360, "height": 740}, user_agent=WECHAT_UA,
                                          device_scale_factor=2)
            page = context.new_page()
            page.goto(base + "book?station=wenhua-lu")
            page.screenshot(path=str(OUT / "booking-phone.png"))
            page.fill("#name", "张三")
            page.fill("#phone", "138 1234")
            page.click("button.button--primary")
            page.screenshot(path=str(OUT / "booking-errors-phone.png"))
            page.goto(base + "complaint?station=wenhua-lu")
            page.screenshot(path=str(OUT / "complaint-phone.png"))
            page.goto(base + "book?station=wenhua-lu")
            page.click("[data-elder-toggle]")  # remembered for the rest of this context
            page.screenshot(path=str(OUT / "booking-phone-elder.png"))
            page.goto(base + "complaint?station=wenhua-lu")
            page.screenshot(path=str(OUT / "complaint-phone-elder.png"))
            print("wrote docs/screenshots/booking-phone.png, booking-errors-phone.png, complaint-phone.png, "
                  "booking-phone-elder.png, complaint-phone-elder.png")
            context.close()
            _picker_shots(browser, base)
            _staff_queue_shot(app, browser, base)
        finally:
            server.shutdown()


def _picker_shots(browser, base: str) -> None:
    """The slot picker of a station with monthly visitors and a duty table, at 360 px, plain and
    in elder mode: every closed day shows its triangle, its free slots and "点开选时间"."""
    for elder in (False, True):
        context = browser.new_context(viewport={"width": 360, "height": 740}, user_agent=WECHAT_UA,
                                      device_scale_factor=2)
        page = context.new_page()
        page.goto(base + "book?station=binjiang-yizhan")
        if elder:
            page.click("[data-elder-toggle]")
        page.locator("details.day").nth(1).scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -60)")
        target = OUT / f"booking-days-phone{'-elder' if elder else ''}.png"
        page.screenshot(path=str(target))
        print(f"wrote {target.relative_to(ROOT)}")
        context.close()


def _staff_queue_shot(app, browser, base: str) -> None:
    """The staff queue with two fictional cases, one of them overdue."""
    from datetime import timedelta

    from werkzeug.security import generate_password_hash

    from forms_app import clock
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff
    from forms_app.rosters import current_roster

    with app.app_context():
        roster = current_roster()
        db.session.add(Staff(username="demo", display_name="示例工作人员", role="station", stations="wenhua-lu",
                             password_hash=generate_password_hash("demo-password-123"), created_at=clock.now_naive()))
        for days, name, text in ((6, "张三", "楼上卫生间漏水，物业不处理"), (0, "李四", "工资拖欠两个月")):
            cases.register(roster, station="wenhua-lu", category="neighbours" if days else "labour", description=text,
                           location="", occurred="", name=name, phone="13812345678", contact_time="",
                           anonymous=False, sensitive_consent=False, now=clock.now() - timedelta(days=days))
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "staff/login")
    page.fill("#username", "demo")
    page.fill("#password", "demo-password-123")
    page.click("button.button--primary")
    page.screenshot(path=str(OUT / "staff-queue-desktop.png"))
    print("wrote docs/screenshots/staff-queue-desktop.png")
    context.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    browser_path = chromium_path()
    if not browser_path:
        print("没有找到 Chromium：apt-get install chromium / Chromium not found", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with serve_directory(ROOT / "site") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        for label, size, agent in (("phone", {"width": 360, "height": 740}, WECHAT_UA),
                                   ("desktop", {"width": 1280, "height": 900}, None)):
            for elder in (False, True):
                context = browser.new_context(viewport=size, user_agent=agent, device_scale_factor=2 if label == "phone" else 1)
                page = context.new_page()
                # A weekday morning in Beijing, so that "on duty now" has something to show.
                page.clock.set_fixed_time(_next_weekday_morning())
                for name, path in PAGES:
                    page.goto(base + path)
                    if elder and not page.evaluate("document.documentElement.classList.contains('sb-elder')"):
                        page.click("[data-elder-toggle]")
                    target = OUT / f"{name}-{label}{'-elder' if elder else ''}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(f"wrote {target.relative_to(ROOT)}")
                context.close()
        _form_service_shots(browser)
        page = browser.new_page()
        page.goto(base + "stations/wenhua-lu/poster.html")
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        browser.close()
    import pypdfium2 as pdfium

    image = pdfium.PdfDocument(pdf)[0].render(scale=1.5).to_pil()
    image.save(OUT / "poster-a4.png")
    print(f"wrote {(OUT / 'poster-a4.png').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
