"""The staff console: login, the permission matrix, working a case, masking and reveals."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from roster import TZ, load_roster
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def people(app, roster_dir):
    """Staff of every kind, a case at wenhua-lu (文昌街道) and one at jiangwan (滨江街道)."""
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    roster = load_roster(roster_dir)
    with app.app_context():
        made = {}
        for username, role, stations, street in (("wenhua", "station", "wenhua-lu", None),
                                                 ("jiangwan", "station", "jiangwan", None),
                                                 ("street", "supervisor", "", roster.station("wenhua-lu").street),
                                                 ("admin", "admin", "", None)):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role=role, stations=stations,
                                 street_id=street, password_hash=generate_password_hash(PASSWORD),
                                 created_at=NOW.replace(tzinfo=None)))
        for station in ("wenhua-lu", "jiangwan"):
            case = cases.register(roster, station=station, category="neighbours", description="楼上漏水", location="3 栋",
                                  occurred="昨天", name="张三丰", phone="13812345678", contact_time="晚上",
                                  anonymous=False, sensitive_consent=False, now=NOW)
            made[station] = case.number
        db.session.commit()
        return made


def login(client, username):
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                                 "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def act(client, number, action, **fields):
    """Post one action's form the way the case page names its fields: each action has its own prefix."""
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    token = csrf_token(page, f"{action}-") if f'name="{action}-csrf_token"' in page else csrf_token(page)
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(f"/staff/cases/{number}/act", data={f"{action}-csrf_token": token, "action": action, **data})


def test_console_needs_a_login(client, people):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.get(f"/staff/cases/{people['wenhua-lu']}").status_code == 302


def test_wrong_password_is_refused_in_words(client, people):
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": "wenhua",
                                                 "password": "wrong password"})
    assert response.status_code == 401 and "用户名或密码不对" in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited(client, people):
    page = client.get("/staff/login").get_data(as_text=True)
    codes = [client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": "wenhua",
                                               "password": "guess"}).status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    assert "操作太频繁" in client.post("/staff/login", data={"username": "wenhua"}).get_data(as_text=True)


@pytest.mark.parametrize("user, station, visible", [
    ("wenhua", "wenhua-lu", True), ("wenhua", "jiangwan", False),
    ("jiangwan", "wenhua-lu", False), ("jiangwan", "jiangwan", True),
    ("street", "wenhua-lu", True), ("street", "jiangwan", False),
    ("admin", "wenhua-lu", True), ("admin", "jiangwan", True),
])
def test_permission_matrix(client, people, user, station, visible):
    login(client, user)
    number = people[station]
    assert client.get(f"/staff/cases/{number}").status_code == (200 if visible else 404)
    page = client.get("/staff/?state=all").get_data(as_text=True)
    assert (number in page) == visible
    if not visible:
        token = csrf_token(client.get("/staff/").get_data(as_text=True))
        assert client.post(f"/staff/cases/{number}/act", data={"csrf_token": token, "action": "accept"}).status_code == 404
        assert client.post(f"/staff/cases/{number}/reveal", data={"csrf_token": token}).status_code == 404


def test_supervisor_reads_and_notes_but_does_not_work_cases(client, people):
    login(client, "street")
    number = people["wenhua-lu"]
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert 'value="accept"' not in page and 'value="note"' in page
    assert act(client, number, "accept").status_code == 403
    assert act(client, number, "note", note="请本周内受理").status_code == 303


def test_a_case_worked_to_the_archive(client, people, app):
    from forms_app.clock import now as now_local

    login(client, "wenhua")
    number = people["wenhua-lu"]
    minute = now_local().strftime("%Y-%m-%dT%H:%M")
    steps = [("accept", {}), ("dispatch", {"department": "司法所", "on_site": "y"}),
             ("arrive", {"arrived_at": minute}), ("handle", {"note": "约双方面谈"}),
             ("resolve", {"outcome": "resolved", "result": "达成调解协议"}),
             ("feedback", {"channel": "电话", "given_at": now_local().strftime("%Y-%m-%dT%H:%M")}),
             ("follow_up", {"note": "回访满意"}),
             ("archive", {})]
    for action, fields in steps:
        response = act(client, number, action, **fields)
        assert response.status_code == 303, (action, re.findall(r'class="error"[^>]*>([^<]+)', response.get_data(as_text=True)))
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "归档" in page and "达成调解协议" in page and "司法所" in page
    assert page.count("<tr><td>") == 1 + len(steps)  # the ledger: registration plus every step
    illegal = act(client, number, "accept")
    assert illegal.status_code == 422 and "不能受理" in illegal.get_data(as_text=True)


def test_bad_details_are_shown_beside_the_field_in_chinese(client, people):
    login(client, "wenhua")
    number = people["wenhua-lu"]
    assert act(client, number, "accept").status_code == 303
    made_up = act(client, number, "dispatch", department="不存在的部门")
    assert made_up.status_code == 422 and "请从名单里选择部门" in made_up.get_data(as_text=True)
    assert act(client, number, "dispatch", department="司法所", on_site="y").status_code == 303
    for arrived, message in (("2026-13-01T09:00", "请按“年-月-日 时:分”填写"), ("2099-01-01T09:00", "到场时间不能晚于现在"),
                             ("2020-01-01T09:00", "到场时间不能早于吹哨时间"), ("", "请填写：到场时间")):
        page = act(client, number, "arrive", arrived_at=arrived)
        html = page.get_data(as_text=True)
        assert page.status_code == 422 and message in html, (arrived, re.findall(r'class="error"[^>]*>([^<]+)', html))
        assert 'id="arrive-arrived_at-error"' in html and 'href="#arrive-arrived_at"' in html  # beside the field, linked
        assert '<details class="action" id="do-arrive" open>' in html
        assert f'value="{arrived}"' in html or not arrived  # what the clerk typed is kept
    assert "arrived_at" not in re.sub(r'[\w-]+="[^"]*"', "", html)  # no field codes in the words


def test_lists_mask_and_reveal_is_written_to_the_ledger(client, people, app):
    login(client, "wenhua")
    number = people["wenhua-lu"]
    queue = client.get("/staff/").get_data(as_text=True)
    assert "张**" in queue and "138****5678" in queue and "13812345678" not in queue
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "13812345678" not in page
    revealed = client.post(f"/staff/cases/{number}/reveal", data={"csrf_token": csrf_token(page)})
    assert revealed.status_code == 303  # POST-redirect-GET: a reload does not write a second ledger row
    assert "13812345678" in client.get(revealed.headers["Location"]).get_data(as_text=True)
    assert "13812345678" not in client.get(revealed.headers["Location"]).get_data(as_text=True)  # once only
    from forms_app.extensions import db
    from forms_app.models import LedgerEntry

    with app.app_context():
        entry = db.session.query(LedgerEntry).filter_by(action="reveal").one()
        assert entry.actor == "wenhua工作人员"


def test_overdue_cases_come_first_and_stand_out(client, people, app, monkeypatch):
    import forms_app.clock

    late = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)  # past the one-working-day deadline
    monkeypatch.setattr(forms_app.clock, "now", lambda: late)
    login(client, "admin")
    page = client.get("/staff/?due=overdue").get_data(as_text=True)
    assert page.count('<tr class="overdue">') == 2 and "已超期" in page


def test_create_staff_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "li", "--name", "李工作人员", "--role", "station", "--station",
                                 "wenhua-lu", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["create-staff", "zhao", "--name", "赵", "--role", "station", "--station", "nowhere",
                              "--password", "a-long-password"])
    assert bad.exit_code != 0 and "unknown stations: nowhere" in bad.output
    from forms_app.extensions import db
    from forms_app.models import Staff

    with app.app_context():
        staff = db.session.query(Staff).filter_by(username="li").one()
        assert staff.password_hash != "a-long-password" and staff.password_hash.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.parametrize("given, kept", [("138 0013 8000", "13800138000"), ("li@example.gov.cn", "li@example.gov.cn"),
                                         ("https://hooks.example.cn/li", "https://hooks.example.cn/li")])
def test_create_staff_keeps_the_contact_the_notices_go_to(app, given, kept):
    from forms_app.extensions import db
    from forms_app.models import Staff

    result = app.test_cli_runner().invoke(args=[
        "create-staff", "li", "--name", "李督办", "--role", "supervisor", "--street", "wenchang",
        "--contact", given, "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(Staff).filter_by(username="li").one().contact == kept


def test_create_staff_refuses_a_contact_that_reaches_nobody(app):
    from forms_app.extensions import db
    from forms_app.models import Staff

    result = app.test_cli_runner().invoke(args=[
        "create-staff", "li", "--name", "李督办", "--role", "supervisor", "--street", "wenchang",
        "--contact", "找李主任", "--password", "a-long-password"])
    assert result.exit_code != 0 and "联系方式有误" in result.output and "--contact" in result.output
    with app.app_context():
        assert db.session.query(Staff).filter_by(username="li").first() is None


def test_photos_are_shown_to_the_stations_staff_only(client, people, app, tmp_path):
    from forms_app.extensions import db
    from forms_app.models import Case, CasePhoto

    app.config["UPLOAD_DIR"] = str(tmp_path)
    (tmp_path / "abc.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with app.app_context():
        case = db.session.query(Case).filter_by(number=people["wenhua-lu"]).one()
        db.session.add(CasePhoto(case_id=case.id, filename="abc.jpg", content_type="image/jpeg", size=20))
        db.session.commit()
        photo_id = case.photos[0].id
    login(client, "wenhua")
    page = client.get(f"/staff/cases/{people['wenhua-lu']}").get_data(as_text=True)
    url = f"/staff/cases/{people['wenhua-lu']}/photos/{photo_id}"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg" and response.data.startswith(b"\xff\xd8")
    client.post("/staff/logout", data={"csrf_token": csrf_token(page)})
    login(client, "jiangwan")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("user, expected", [("wenhua", 303), ("jiangwan", 404), ("street", 400), ("admin", 303)])
def test_todays_appointments_matrix_and_turning_one_into_a_case(client, people, app, monkeypatch, user, expected):
    import forms_app.clock
    from forms_app.extensions import db
    from forms_app.models import Appointment, Case

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    with app.app_context():
        booking = Appointment(number="AAAA-CCCC", manage_token="t" * 20, station_id="wenhua-lu", officer_id="zhou-minghui",
                              starts_at=datetime(2026, 11, 23, 10, 0), ends_at=datetime(2026, 11, 23, 10, 30),
                              name="孙八", phone="13312345678", topic="legal-advice", description="咨询继承",
                              status="booked", consent_at=NOW.replace(tzinfo=None), created_at=NOW.replace(tzinfo=None))
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
    login(client, user)
    queue = client.get("/staff/").get_data(as_text=True)
    assert ("孙*" in queue) == (user != "jiangwan")
    response = client.post(f"/staff/appointments/{booking_id}/case", data={"csrf_token": csrf_token(queue)})
    assert response.status_code == expected
    with app.app_context():
        made = db.session.query(Case).filter_by(description="咨询继承").all()
        assert len(made) == (1 if expected == 303 else 0)
        if made:
            assert made[0].category == "legal-advice" and db.session.get(Appointment, booking_id).status == "attended"


def a_booking(app, status="booked", number="AAAA-DDDD") -> int:
    from forms_app.extensions import db
    from forms_app.models import Appointment

    with app.app_context():
        booking = Appointment(number=number, manage_token="m" * 20 + number, station_id="wenhua-lu",
                              officer_id="zhou-minghui", starts_at=datetime(2026, 11, 23, 10, 0),
                              ends_at=datetime(2026, 11, 23, 10, 30), name="孙八", phone="13312345678",
                              topic="legal-advice", description=f"咨询继承 {number}", status=status,
                              consent_at=NOW.replace(tzinfo=None), created_at=NOW.replace(tzinfo=None))
        db.session.add(booking)
        db.session.commit()
        return booking.id


def meeting_state(app, booking_id) -> tuple[str, int]:
    from forms_app.extensions import db
    from forms_app.models import Appointment, Case

    with app.app_context():
        booking = db.session.get(Appointment, booking_id)
        made = db.session.query(Case).filter(Case.description == booking.description).count()
        return booking.status, made


def test_a_meeting_becomes_one_case_however_often_it_is_converted(client, people, app, monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    booking_id = a_booking(app)
    login(client, "wenhua")
    token = csrf_token(client.get("/staff/").get_data(as_text=True))
    first = client.post(f"/staff/appointments/{booking_id}/case", data={"csrf_token": token})
    again = client.post(f"/staff/appointments/{booking_id}/case", data={"csrf_token": token})
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]  # the second tap opens the same case
    assert meeting_state(app, booking_id) == ("attended", 1)
    queue = client.get("/staff/").get_data(as_text=True)
    assert "已转为案件" in queue and first.headers["Location"].rsplit("/", 1)[1] in queue
    # once it is a case, the meeting's outcome stands
    refused = client.post(f"/staff/appointments/{booking_id}/no_show", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "已经转为案件" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert meeting_state(app, booking_id) == ("attended", 1)


@pytest.mark.parametrize("status, outcome", [("cancelled", "case"), ("cancelled", "attended"),
                                             ("cancelled", "no_show"), ("no_show", "case")])
def test_a_cancelled_or_missed_meeting_is_not_converted(client, people, app, monkeypatch, status, outcome):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    booking_id = a_booking(app, status=status)
    login(client, "wenhua")
    token = csrf_token(client.get("/staff/").get_data(as_text=True))
    response = client.post(f"/staff/appointments/{booking_id}/{outcome}", data={"csrf_token": token})
    assert response.status_code == 303
    message = "已经取消" if status == "cancelled" else "记为未到"
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert meeting_state(app, booking_id) == (status, 0)


def test_two_clerks_converting_one_meeting_at_once_make_one_case(people, app, monkeypatch):
    import threading

    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    app.config.update(RATELIMIT_LOGIN="100 per minute", RATELIMIT_LOGIN_ADDRESS="100 per minute")
    for trial in range(3):
        booking_id = a_booking(app, number=f"AAAA-E{trial}E{trial}")
        clerks = [login(app.test_client(), "wenhua") for _ in range(4)]
        tokens = [csrf_token(c.get("/staff/").get_data(as_text=True)) for c in clerks]
        barrier, answers = threading.Barrier(len(clerks)), []

        def convert(client, token):
            barrier.wait(timeout=20)
            answers.append(client.post(f"/staff/appointments/{booking_id}/case", data={"csrf_token": token}))

        threads = [threading.Thread(target=convert, args=pair) for pair in zip(clerks, tokens)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [a.status_code for a in answers] == [303] * len(clerks)
        assert len({a.headers["Location"] for a in answers}) == 1
        assert meeting_state(app, booking_id) == ("attended", 1)


def test_logout_needs_the_csrf_token_and_offers_a_button(client, people):
    login(client, "wenhua")
    refused = client.post("/staff/logout", data={})
    assert refused.status_code == 200 and "退出" in refused.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200  # still signed in
    button = client.get("/staff/logout")
    assert button.status_code == 200
    done = client.post("/staff/logout", data={"csrf_token": csrf_token(button.get_data(as_text=True))})
    assert done.status_code == 303
    assert client.get("/staff/").status_code == 302  # to the login page


def _ledger_rows(html: str) -> list[list[str]]:
    body = html.split('id="ledger-title"', 1)[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", body)]


def test_an_on_site_dispatch_is_not_resolved_without_its_arrival_and_the_ledger_names_the_department(client, people):
    login(client, "wenhua")
    number = people["wenhua-lu"]
    for action, fields in (("accept", {}), ("dispatch", {"department": "司法所", "on_site": "y"}),
                           ("handle", {"note": "约双方面谈"})):
        assert act(client, number, action, **fields).status_code == 303, action
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert 'value="resolve"' not in page and 'id="wait-resolve"' in page
    assert "办结前请先“记录到场”时间，或记录“未到场”并写明原因" in page
    assert 'value="arrive"' in page and 'value="no_arrival"' in page  # arrival can still be recorded from 处置
    refused = act(client, number, "resolve", outcome="resolved", result="达成调解协议")
    assert refused.status_code == 422 and "记录“未到场”并写明原因" in refused.get_data(as_text=True)
    no_reason = act(client, number, "no_arrival", reason="")
    assert no_reason.status_code == 422 and "请填写：原因" in no_reason.get_data(as_text=True)
    assert act(client, number, "no_arrival", reason="改为电话调解").status_code == 303
    assert act(client, number, "resolve", outcome="resolved", result="达成调解协议").status_code == 303
    rows = _ledger_rows(client.get(f"/staff/cases/{number}").get_data(as_text=True))
    said = {row[2]: row[3] for row in rows}
    assert said["吹哨（派给部门）"] == "派给司法所，需到场"
    assert said["未到场"] == "改为电话调解"


def test_a_second_dispatch_to_the_same_department_still_names_it(client, people):
    login(client, "wenhua")
    number = people["wenhua-lu"]
    for action, fields in (("accept", {}), ("dispatch", {"department": "司法所"}), ("handle", {"note": "部门退回"}),
                           ("dispatch", {"department": "司法所"})):
        assert act(client, number, action, **fields).status_code == 303, action
    rows = _ledger_rows(client.get(f"/staff/cases/{number}").get_data(as_text=True))
    assert [row[3] for row in rows if row[2] == "吹哨（派给部门）"] == ["派给司法所", "派给司法所"]


def test_arrival_and_feedback_times_start_at_now_say_their_range_and_take_just_now(client, people, monkeypatch, app):
    import forms_app.clock
    from forms_app.extensions import db
    from forms_app.models import Case

    dispatched = datetime(2026, 11, 24, 9, 20, 45, tzinfo=TZ)
    monkeypatch.setattr(forms_app.clock, "now", lambda: dispatched)
    login(client, "wenhua")
    number = people["wenhua-lu"]
    assert act(client, number, "accept").status_code == 303
    assert act(client, number, "dispatch", department="司法所", on_site="y").status_code == 303
    later = datetime(2026, 11, 24, 10, 7, 33, tzinfo=TZ)
    monkeypatch.setattr(forms_app.clock, "now", lambda: later)
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="arrive-arrived_at"[^>]*>', page)[0]
    assert 'value="2026-11-24T10:07"' in field and 'min="2026-11-24T09:20"' in field and 'max="2026-11-24T10:07"' in field
    hint = re.search(r'id="arrive-arrived_at-hint">([^<]*)<', page)[1]
    assert "不能早于吹哨时间（2026-11-24 09:20），不能晚于现在" in hint  # before anyone gets it wrong
    form = re.search(r'<details class="action" id="do-arrive".*?</form>', page, re.S)[0]
    buttons = re.findall(r'<button type="submit"[^>]*>', form)
    # Enter in the field submits the first button: it must be the one that sends what was typed
    assert 'name="arrive-arrived_at" value="刚才"' in buttons[1] and "name=" not in buttons[0]
    # the one tap: the button sends "刚才" beside whatever the field holds, and means the time of the tap
    tapped = datetime(2026, 11, 24, 10, 12, 5, tzinfo=TZ)
    monkeypatch.setattr(forms_app.clock, "now", lambda: tapped)
    assert act(client, number, "arrive", arrived_at=["2026-11-24T09:00", "刚才"]).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(Case.arrived_at).where(Case.number == number)) == datetime(2026, 11, 24, 10, 12)
    assert act(client, number, "resolve", outcome="resolved", result="修好了").status_code == 303
    page = client.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "不能早于办结时间（2026-11-24 10:12），不能晚于现在" in page
    monkeypatch.setattr(forms_app.clock, "now", lambda: datetime(2026, 11, 24, 10, 30, tzinfo=TZ))
    for typed, stored in (("2026-11-24 10:15", datetime(2026, 11, 24, 10, 15)),  # as the example in the message
                          ("１０：２０", datetime(2026, 11, 24, 10, 20)),  # a time alone is today, full-width too
                          ("刚才", datetime(2026, 11, 24, 10, 30))):
        with app.app_context():
            row = db.session.scalar(db.select(Case).where(Case.number == number))
            row.feedback_at = None
            db.session.commit()
        answer = act(client, number, "feedback", channel="电话", given_at=typed)
        assert answer.status_code == 303, (typed, re.findall(r'class="error"[^>]*>([^<]+)', answer.get_data(as_text=True)))
        with app.app_context():
            assert db.session.scalar(db.select(Case.feedback_at).where(Case.number == number)) == stored, typed
    wrong = act(client, number, "feedback", channel="电话", given_at="昨天下午")
    assert wrong.status_code == 422 and "刚刚发生的可以点“刚才”" in wrong.get_data(as_text=True)


def test_the_clerk_who_dispatches_is_told_whether_the_department_gets_the_message(client, people, roster_dir, app,
                                                                                  monkeypatch):
    from forms_app.notify import channels

    login(client, "wenhua")
    number = people["wenhua-lu"]
    assert act(client, number, "accept").status_code == 303
    # the small roster has no department contacts: the clerk gets the link, this once, to pass on
    page = client.get(act(client, number, "dispatch", department="司法所").headers["Location"]).get_data(as_text=True)
    assert "名单里没有司法所的联系方式，收不到通知" in page
    link = re.search(r"只显示这一次.*?：(https?://[^\s<。]+)", page).group(1)
    assert "/r/" in link and channels.shorten_tokens(link) != link
    assert client.get(urlsplit(link).path).status_code == 200  # it opens the report-in page
    assert "只显示这一次" not in client.get(f"/staff/cases/{number}").get_data(as_text=True)

    path = roster_dir / "roster.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "settings:\n", "settings:\n  department_contacts:\n    派出所:\n      wenchang: pcs@example.gov.cn\n", 1),
        encoding="utf-8")
    # the service reads the edited roster at the next request: now the police station gets it by e-mail
    monkeypatch.setenv("SMTP_HOST", "mail.example.gov.cn")
    assert act(client, number, "handle", note="司法所说要派出所处理").status_code == 303
    page = client.get(act(client, number, "dispatch", department="派出所").headers["Location"]).get_data(as_text=True)
    assert "吹哨通知和报到链接会发给派出所（pcs@example.gov.cn）" in page and "只显示这一次" not in page


def test_a_clerk_sets_where_their_notices_go_and_a_wrong_contact_is_shown_kept(client, people, app, monkeypatch):
    from forms_app.audit import ACTIONS
    from forms_app.extensions import db
    from forms_app.models import AuditEntry, Staff

    login(client, "wenhua")
    page = client.get("/staff/contact").get_data(as_text=True)
    assert "还没有填写，提醒不会发给您" in page
    wrong = client.post("/staff/contact", data={"csrf_token": csrf_token(page), "contact": "值班室座机"})
    assert wrong.status_code == 422 and "联系方式有误" in wrong.get_data(as_text=True)
    assert 'value="值班室座机"' in wrong.get_data(as_text=True)  # the input kept
    saved = client.post("/staff/contact", data={"csrf_token": csrf_token(page), "contact": "138 0000 0000"})
    assert saved.status_code == 303
    page = client.get("/staff/contact").get_data(as_text=True)
    # a phone on the log channel (the small roster sets no gateway) reaches nobody, and the page says so
    assert "通知方式已保存" in page and "13800000000" in page and "短信网关或邮件还没有接通" in page
    hook = client.post("/staff/contact", data={"csrf_token": csrf_token(page), "contact": "http://127.0.0.1:8099/x"})
    assert hook.status_code == 422 and "只能填手机号或电子邮箱" in hook.get_data(as_text=True)  # no URL from the console
    assert client.post("/staff/contact", data={"csrf_token": csrf_token(page), "contact": "wang@example.gov.cn"}
                       ).status_code == 303
    assert "还没有接通" in client.get("/staff/contact").get_data(as_text=True)  # no mail server set up
    monkeypatch.setenv("SMTP_HOST", "mail.example.gov.cn")
    assert "还没有接通" not in client.get("/staff/contact").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Staff.contact).where(Staff.username == "wenhua")) == "wang@example.gov.cn"
        assert [a.action for a in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "contact_changed"))] == ["contact_changed"] * 2
    assert "contact_changed" in ACTIONS
