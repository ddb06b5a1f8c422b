"""A department's report-in link (报到): it works for its case and its dispatch only, each action
lands in the ledger as the department and counts in 到场率, and a dead link is a 404 that changes
nothing (after revocation, a new dispatch, resolution, expiry; a wrong token)."""
from __future__ import annotations

from datetime import timedelta
from hashlib import sha256
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.forms_app.test_private_logs import captured  # noqa: F401 - a fixture
from forms_app.inputs import NUMBER_ALPHABET
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
NAME, PHONE = "欧阳娜娜", "13812345678"


@pytest.fixture
def desk(app):
    """Two clerks of wenhua-lu (``wang`` will own the cases, ``li`` is a colleague); the limits off."""
    from forms_app import clock
    from forms_app.extensions import db
    from forms_app.models import Staff

    app.config.update(RATELIMIT_ENABLED=False)
    with app.app_context():
        for username in ("wang", "li"):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role="station",
                                 stations="wenhua-lu", password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1"),
                                 created_at=clock.now_naive()))
        db.session.commit()
    return app


def _clerk(username="wang"):
    from forms_app.extensions import db
    from forms_app.models import Staff

    return db.session.scalar(select(Staff).where(Staff.username == username))


def dispatched(app, *, on_site=True, department="城管", description="楼道堆放杂物堵住消防通道") -> tuple[str, str]:
    """A case accepted by wang and dispatched to ``department``: (its number, the link's path)."""
    from forms_app import clock
    from forms_app.cases import report_in, service as cases
    from forms_app.extensions import db
    from forms_app.rosters import current_roster

    with app.app_context():
        roster = current_roster()
        case = cases.register(roster, station="wenhua-lu", category="neighbours", description=description,
                              location="文化路 3 栋 2 单元", occurred="今天上午", name=NAME, phone=PHONE,
                              contact_time="晚上", anonymous=False, sensitive_consent=False, now=clock.now())
        cases.act(roster, case, "accept", {}, _clerk())
        cases.act(roster, case, "dispatch", {"department": department, "on_site": on_site}, _clerk())
        url = report_in.link_for(case)
        db.session.commit()
        return case.number, urlsplit(url).path


def redispatch(app, number, department="派出所") -> str:
    from forms_app.cases import report_in, service as cases
    from forms_app.extensions import db
    from forms_app.rosters import current_roster

    with app.app_context():
        case = cases.by_number(number)
        cases.act(current_roster(), case, "dispatch", {"department": department, "on_site": True}, _clerk())
        path = urlsplit(report_in.link_for(case)).path
        db.session.commit()
        return path


def staff_act(app, number, action, payload):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.rosters import current_roster

    with app.app_context():
        cases.act(current_roster(), cases.by_number(number), action, payload, _clerk())
        db.session.commit()


def post(client, path, action, **fields):
    page = client.get(path)
    token = csrf_token(page.get_data(as_text=True)) if page.status_code == 200 else "no-page"
    return client.post(path, data={"csrf_token": token, "action": action, **fields})


def case_facts(app, number):
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    with app.app_context():
        case = cases.by_number(number)
        ledger = [(e.actor, e.actor_id, e.action, e.note) for e in case.ledger]
        facts = (case.state, case.arrived_at, ledger)
        db.session.remove()
        return facts


def login(app, username="wang"):
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    answer = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username,
                                               "password": PASSWORD})
    assert answer.status_code == 303
    return client


# ---------------------------------------------------------------- the link itself

def test_a_dispatch_issues_a_link_kept_only_as_its_hash(desk):
    from forms_app.cases import report_in, service as cases
    from forms_app.extensions import db
    from forms_app.models import ReportLink

    number, path = dispatched(desk)
    token = path.rsplit("/", 1)[1]
    assert path == f"/r/{token}" and len(token) == 15 and set(token) <= set(NUMBER_ALPHABET.lower())
    # read out over the phone and typed in capitals, it still opens the page
    assert desk.test_client().get("/r/" + token.upper()).status_code == 200
    with desk.app_context():
        links = db.session.scalars(select(ReportLink)).all()
        assert [(link.department, link.token_hash) for link in links] == [("城管", sha256(token.encode()).hexdigest())]
        # nowhere but in the dispatch message that carries it to the department
        holding = {(table.name, column) for table in db.metadata.sorted_tables
                   for row in db.session.execute(select(table)) for column, value in row._mapping.items()
                   if token in repr(value)}
        assert holding == {("notifications", "text"), ("notifications", "detail")}
        # the raw token cannot be worked out again: a case loaded anew has no link to give
        assert report_in.link_for(cases.by_number(number)) is None


def test_the_link_carries_forms_url(desk):
    desk.config["FORMS_URL"] = "https://forms.example.org/board/"
    from forms_app.cases import report_in, service as cases
    from forms_app.rosters import current_roster

    with desk.app_context():
        case = cases.register(current_roster(), station="wenhua-lu", category="neighbours", description="漏水",
                              location="", occurred="", name=NAME, phone=PHONE, contact_time="", anonymous=False,
                              sensitive_consent=False)
        cases.act(current_roster(), case, "accept", {}, _clerk())
        cases.act(current_roster(), case, "dispatch", {"department": "城管"}, _clerk())
        assert report_in.link_for(case).startswith("https://forms.example.org/board/r/")


def test_the_page_shows_what_the_department_needs_and_not_who_the_resident_is(desk, client):
    number, path = dispatched(desk)
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for shown in (number, "城管", "文化路 3 栋 2 单元", "楼道堆放杂物堵住消防通道", "欧***", "138****5678", "已到场"):
        assert shown in html, shown
    assert NAME not in html and PHONE not in html


def test_an_anonymous_resident_is_not_named_to_the_department(desk, client):
    from forms_app.extensions import db
    from forms_app.models import Case

    number, path = dispatched(desk)
    with desk.app_context():
        db.session.scalar(select(Case).where(Case.number == number)).anonymous = True
        db.session.commit()
    html = client.get(path).get_data(as_text=True)
    assert "反映人要求不透露姓名" in html and "欧" not in html and "5678" not in html.split("站点")[0]


# ---------------------------------------------------------------- what the department does

def test_each_action_lands_in_the_ledger_as_the_department_and_counts_in_the_arrival_rate(desk, client):
    from forms_app.cases import service as cases
    from forms_app.staff.reports import arrived_in_time

    number, path = dispatched(desk)
    arrived = post(client, path, "arrive")
    assert arrived.status_code == 303 and arrived.headers["Location"].endswith(path)
    assert "已记录到场时间" in client.get(path).get_data(as_text=True)
    state, arrived_at, ledger = case_facts(desk, number)
    assert arrived_at is not None and ledger[-1][:3] == ("城管", None, "arrive")
    with desk.app_context():
        assert arrived_in_time(cases.by_number(number), 30) is True
    # once arrived, the button is gone and a second tap changes nothing
    assert "已到场（记为现在）" not in client.get(path).get_data(as_text=True)
    assert post(client, path, "arrive").status_code == 422 and case_facts(desk, number) == (state, arrived_at, ledger)

    assert post(client, path, "handle", note="已到现场，正在清理").status_code == 303
    assert post(client, path, "report_done", result="杂物已清走，通道畅通").status_code == 303
    state, _, ledger = case_facts(desk, number)
    assert state == "handling"
    assert ledger[-2:] == [("城管", None, "handle", "已到现场，正在清理"),
                           ("城管", None, "report_done", "杂物已清走，通道畅通")]
    assert "处置完毕：杂物已清走，通道畅通" in client.get(path).get_data(as_text=True)  # a reload shows it was sent

    console = login(desk).get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "部门报告处置完毕" in console and "杂物已清走，通道畅通" in console and "报到链接" in console


def test_the_page_says_when_to_arrive_lists_the_departments_notes_and_offers_done_once(desk, client):
    import re
    from datetime import timedelta

    from forms_app.extensions import db
    from forms_app.models import ReportLink

    number, path = dispatched(desk)
    with desk.app_context():
        sent = db.session.scalar(select(ReportLink.dispatched_at))
        from forms_app.rosters import current_roster

        minutes = current_roster().settings.arrival_minutes
    first = client.get(path).get_data(as_text=True)
    due = (sent + timedelta(minutes=minutes)).strftime("%H:%M")
    assert re.search(f"吹哨时间 {sent:%H:%M}，请在 (<strong>)?{due}(</strong>)? 前到场", first)
    assert "本部门这次已报" not in first
    staff_act(desk, number, "handle", {"note": "站点的记录，不是部门的"})  # the station's own entry stays out
    assert post(client, path, "arrive").status_code == 303
    arrived = client.get(path).get_data(as_text=True)
    assert f"吹哨时间 {sent:%H:%M}" in arrived and "前到场</p>" not in arrived  # arrived: no deadline to meet
    assert post(client, path, "handle", note="已到现场，正在清理").status_code == 303
    assert post(client, path, "report_done", result="杂物已清走").status_code == 303
    page = client.get(path).get_data(as_text=True)
    notes = re.search(r'<section class="notes">.*?</section>', page, re.S)[0]
    names = [name for name, _ in re.findall(r"<li>\d\d-\d\d \d\d:\d\d ([^<：]*)(：[^<]*)?</li>", notes)]
    assert len(names) == 3 and re.findall(r"：([^<]*)</li>", notes) == ["已到现场，正在清理", "杂物已清走"]
    assert "站点的记录" not in notes
    assert 'id="do-report_done"' not in page and "站点会办结这件案件并答复群众" in page


def test_done_needs_the_arrival_first_on_an_on_site_dispatch(desk, client):
    number, path = dispatched(desk)
    before = case_facts(desk, number)
    answer = post(client, path, "report_done", result="已处理")
    assert answer.status_code == 422 and "请先点“已到场”" in answer.get_data(as_text=True)
    assert case_facts(desk, number) == before


def test_a_dispatch_without_arrival_offers_no_arrival_and_done_needs_its_result(desk, client):
    number, path = dispatched(desk, on_site=False)
    html = client.get(path).get_data(as_text=True)
    assert "已到场（记为现在）" not in html and "处置完毕" in html
    before = case_facts(desk, number)
    assert post(client, path, "arrive").status_code == 422
    answer = post(client, path, "report_done", result="  ")
    assert answer.status_code == 422 and "请填写：处理结果" in answer.get_data(as_text=True)
    assert case_facts(desk, number) == before


def test_the_department_cannot_take_the_owners_actions(desk, client):
    from forms_app.cases import flow, report_in, service as cases
    from forms_app.extensions import db
    from forms_app.models import ReportLink
    from forms_app.rosters import current_roster

    number, path = dispatched(desk, on_site=False)
    before = case_facts(desk, number)
    for action in ("resolve", "dispatch", "extend", "note"):
        assert post(client, path, action, result="x", note="x").status_code == 400
    assert case_facts(desk, number) == before
    with desk.app_context():
        link = db.session.scalar(select(ReportLink))
        with pytest.raises(flow.IllegalAction):
            cases.act(current_roster(), cases.by_number(number), "resolve", {"outcome": "resolved", "result": "x"},
                      report_in.actor(link))
    # and the console does not offer the department's own report
    console = login(desk)
    page = console.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert console.post(f"/staff/cases/{number}/act", data={"csrf_token": csrf_token(page),
                                                            "action": "report_done"}).status_code == 400


# ---------------------------------------------------------------- when the link does nothing

GONE = "这个报到链接已失效：可能案件已办结、重新派给了别的部门、首问责任人收回了链接，或超过了有效期。请打电话给派单的站点。"


def assert_dead(app, client, number, path):
    """A dead link: its own 404 page, the same words whatever the reason, and not cached."""
    before = case_facts(app, number)
    answer = client.get(path)
    assert answer.status_code == 404 and GONE in answer.get_data(as_text=True)
    assert "回到预约首页" not in answer.get_data(as_text=True) and "no-store" in answer.headers["Cache-Control"]
    page = client.get("/complaint").get_data(as_text=True)  # a valid CSRF token of this client
    for action, fields in (("arrive", {}), ("handle", {"note": "来过"}), ("report_done", {"result": "好了"})):
        answer = client.post(path, data={"csrf_token": csrf_token(page), "action": action, **fields})
        assert answer.status_code == 404 and GONE in answer.get_data(as_text=True)
    assert case_facts(app, number) == before


def test_a_wrong_token_is_a_404(desk, client):
    number, path = dispatched(desk)
    for wrong in (path[:-1] + ("b" if path[-1] != "b" else "c"), "/r/x", "/r/%00", "/r/" + "长" * 40):
        assert_dead(desk, client, number, wrong)


def test_a_link_works_for_its_own_case_only(desk, client):
    first, first_path = dispatched(desk)
    second, second_path = dispatched(desk, description="路灯坏了")
    untouched = case_facts(desk, second)
    assert post(client, first_path, "arrive", number=second).status_code == 303
    assert case_facts(desk, first)[1] is not None and case_facts(desk, second) == untouched
    assert "路灯坏了" not in client.get(first_path).get_data(as_text=True)
    assert "路灯坏了" in client.get(second_path).get_data(as_text=True)


def test_a_new_dispatch_ends_the_old_link(desk, client):
    number, old = dispatched(desk)
    staff_act(desk, number, "handle", {"note": "城管说不归他们管，改派"})  # the flow re-dispatches from 处置
    new = redispatch(desk, number)
    assert new != old
    assert_dead(desk, client, number, old)
    assert "派出所" in client.get(new).get_data(as_text=True)
    assert post(client, new, "arrive").status_code == 303
    assert case_facts(desk, number)[2][-1][:3] == ("派出所", None, "arrive")


def test_the_owner_revokes_the_link_and_a_colleague_cannot(desk, client):
    number, path = dispatched(desk)
    colleague = login(desk, "li")
    page = colleague.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "让链接失效" not in page
    assert colleague.post(f"/staff/cases/{number}/report-link/revoke",
                          data={"csrf_token": csrf_token(page)}).status_code == 403
    assert client.get(path).status_code == 200

    owner = login(desk)
    page = owner.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "让链接失效" in page
    answer = owner.post(f"/staff/cases/{number}/report-link/revoke", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    assert case_facts(desk, number)[2][-1][:3] == ("wang工作人员", _owner_id(desk), "report_link_revoked")
    assert_dead(desk, client, number, path)
    page = owner.get(f"/staff/cases/{number}").get_data(as_text=True)
    assert "收回报到链接" in page and "让链接失效" not in page


def _owner_id(app):
    with app.app_context():
        return _clerk().id


def test_resolution_ends_the_link_also_after_a_reopen(desk, client):
    number, path = dispatched(desk, on_site=False)
    staff_act(desk, number, "resolve", {"outcome": "resolved", "result": "已清理"})
    assert_dead(desk, client, number, path)
    staff_act(desk, number, "reopen", {"reason": "群众说又堆上了"})
    assert_dead(desk, client, number, path)


def test_the_link_expires_after_its_lifetime(desk, client, monkeypatch):
    import forms_app.clock
    from forms_app.cases import report_in

    number, path = dispatched(desk)
    now = forms_app.clock.now()
    monkeypatch.setattr(forms_app.clock, "now", lambda: now + report_in.LIFETIME - timedelta(minutes=1))
    assert client.get(path).status_code == 200
    monkeypatch.setattr(forms_app.clock, "now", lambda: now + report_in.LIFETIME + timedelta(seconds=1))
    assert_dead(desk, client, number, path)


def test_no_log_line_holds_the_token(desk, client, captured):  # noqa: F811 - the fixture
    number, path = dispatched(desk)
    token = path.rsplit("/", 1)[1]
    client.get(path)
    post(client, path, "arrive")
    client.get(path + "x")
    lines = "\n".join(captured.lines)
    assert "/r/<report_token>" in lines and token not in lines
