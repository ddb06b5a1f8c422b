"""Per-account lockout: password guesses for one account spread over many addresses are counted
together; at the limit the account refuses even the right password for a while, answering exactly
as it answers a wrong password or an unknown name (the login page says that ten wrong tries lock an
account), and the administrator sees it and can unlock it."""
from __future__ import annotations

import logging
from datetime import timedelta

from .conftest import NOW, PASSWORD, post_login, signed_in
from tests.helpers import csrf_token

WRONG = "用户名或密码不对"


def at(monkeypatch, moment):
    monkeypatch.setattr("forms_app.clock.now", lambda: moment)


def guesses(client, username, count, first_address=0):
    """``count`` wrong passwords for ``username``, each from its own address."""
    return [post_login(client, username, f"guess {n}", address=f"10.0.{(first_address + n) // 250}.{(first_address + n) % 250 + 1}")
            for n in range(count)]


def locked_names(app) -> list[str]:
    from forms_app import clock
    from forms_app.staff import lockout
    with app.app_context():
        return [staff.username for staff in lockout.locked_accounts(clock.now())]


def locked_list(page: str) -> str:
    return page.split("<h2>已锁定的账号</h2>")[1].split("<h2>全部账号</h2>")[0]


def test_guesses_from_a_hundred_addresses_lock_the_account(accounts, monkeypatch):
    at(monkeypatch, NOW)
    client = accounts.test_client()
    answers = guesses(client, "wenhua", 100)
    assert all(a.status_code == 401 and WRONG in a.get_data(as_text=True) for a in answers)
    assert locked_names(accounts) == ["wenhua"]
    # the right password from yet another address is refused while the lock lasts
    right = post_login(client, "wenhua", PASSWORD, address="192.0.2.7")
    assert right.status_code == 401 and WRONG in right.get_data(as_text=True)
    assert "锁定 15 分钟" in right.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    at(monkeypatch, NOW + timedelta(minutes=14, seconds=59))
    assert post_login(client, "wenhua", PASSWORD, address="192.0.2.8").status_code == 401
    at(monkeypatch, NOW + timedelta(minutes=15, seconds=1))
    assert post_login(client, "wenhua", PASSWORD, address="192.0.2.9").status_code == 303


def test_the_lock_is_kept_in_the_database_for_every_worker(accounts, make_app, monkeypatch):
    at(monkeypatch, NOW)
    other_worker = make_app({"RATELIMIT_LOGIN": "10000 per minute", "RATELIMIT_LOGIN_ADDRESS": "10000 per minute"})
    guesses(accounts.test_client(), "wenhua", 5)
    guesses(other_worker.test_client(), "wenhua", 5, first_address=5)
    assert post_login(other_worker.test_client(), "wenhua", PASSWORD).status_code == 401
    assert post_login(accounts.test_client(), "wenhua", PASSWORD).status_code == 401
    assert locked_names(accounts) == ["wenhua"]


def test_before_and_after_the_lock_an_unknown_account_gets_the_same_answer(accounts, monkeypatch):
    """Found probing as an attacker: a locked account used to answer 429 「已暂时锁定」 and an
    unknown name 「用户名或密码不对」, so eleven guesses told which names exist."""
    at(monkeypatch, NOW)
    client = accounts.test_client()
    known = [answer(a, "wenhua") for a in guesses(client, "wenhua", 30)]
    unknown = [answer(a, "nosuchuser") for a in guesses(client, "nosuchuser", 30)]
    assert known == unknown
    assert all(code == 401 and WRONG in page for code, page, _ in known)
    assert locked_names(accounts) == ["wenhua"]


def answer(response, username):
    page = response.get_data(as_text=True).replace(username, "NAME")
    after_token = page.split('name="csrf_token"')[1].split(">", 1)[1]
    headers = sorted(k for k in response.headers.keys() if k.lower() not in ("content-length",))
    return response.status_code, page.split('name="csrf_token"')[0] + after_token, headers


def test_a_successful_login_starts_the_count_again(accounts, monkeypatch):
    at(monkeypatch, NOW)
    client = accounts.test_client()
    guesses(client, "wenhua", 9)
    assert post_login(client, "wenhua", PASSWORD).status_code == 303
    assert [a.status_code for a in guesses(accounts.test_client(), "wenhua", 9)] == [401] * 9
    assert post_login(accounts.test_client(), "wenhua", PASSWORD).status_code == 303


def test_failures_older_than_the_window_do_not_count(accounts, monkeypatch):
    at(monkeypatch, NOW)
    client = accounts.test_client()
    guesses(client, "wenhua", 9)
    at(monkeypatch, NOW + timedelta(minutes=15))
    assert [a.status_code for a in guesses(client, "wenhua", 9)] == [401] * 9
    assert post_login(client, "wenhua", PASSWORD).status_code == 303


def test_the_limits_are_settings(accounts, make_app, monkeypatch):
    at(monkeypatch, NOW)
    monkeypatch.setenv("LOGIN_LOCKOUT_FAILURES", "3")
    monkeypatch.setenv("LOGIN_LOCKOUT_MINUTES", "60")
    strict = make_app({"RATELIMIT_LOGIN": "10000 per minute", "RATELIMIT_LOGIN_ADDRESS": "10000 per minute"})
    client = strict.test_client()
    answers = guesses(client, "wenhua", 3)
    assert [a.status_code for a in answers] == [401] * 3 and "连续输错 3 次，账号会锁定 60 分钟" in answers[-1].get_data(as_text=True)
    assert locked_names(strict) == ["wenhua"]
    at(monkeypatch, NOW + timedelta(minutes=59))
    assert post_login(client, "wenhua", PASSWORD).status_code == 401
    at(monkeypatch, NOW + timedelta(minutes=60, seconds=1))
    assert post_login(client, "wenhua", PASSWORD).status_code == 303


def test_the_administrator_sees_the_locked_account_and_unlocks_it(accounts, monkeypatch, caplog):
    from forms_app.models import Staff
    at(monkeypatch, NOW)
    with caplog.at_level(logging.INFO):
        guesses(accounts.test_client(), "wenhua", 10)
    notices = [r.getMessage() for r in caplog.records if "locked" in r.getMessage()]
    assert len(notices) == 1 and "wenhua" in notices[0]
    assert not any("guess" in r.getMessage() for r in caplog.records)  # no typed password in any log line
    admin = signed_in(accounts, "admin")
    page = admin.get("/staff/accounts").get_data(as_text=True)
    assert "已锁定" in page and "wenhua" in locked_list(page)
    with accounts.app_context():
        staff_id = Staff.query.filter_by(username="wenhua").one().id
    response = admin.post(f"/staff/accounts/{staff_id}/unlock", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert "wenhua" not in locked_list(admin.get("/staff/accounts").get_data(as_text=True))
    assert post_login(accounts.test_client(), "wenhua", PASSWORD).status_code == 303
