"""Per-account lockout: password guesses for one account spread over many addresses are counted
together; at the limit the account refuses even the right password for a while, says so in
Chinese, and the administrator sees it and can unlock it."""
from __future__ import annotations

import logging
from datetime import timedelta

from .conftest import NOW, PASSWORD, post_login, signed_in
from tests.helpers import csrf_token

LOCKED = "已暂时锁定"


def at(monkeypatch, moment):
    monkeypatch.setattr("forms_app.clock.now", lambda: moment)


def guesses(client, username, count, first_address=0):
    """``count`` wrong passwords for ``username``, each from its own address."""
    return [post_login(client, username, f"guess {n}", address=f"10.0.{(first_address + n) // 250}.{(first_address + n) % 250 + 1}")
            for n in range(count)]


def locked_list(page: str) -> str:
    return page.split("<h2>已锁定的账号</h2>")[1].split("<h2>全部账号</h2>")[0]


def test_guesses_from_a_hundred_addresses_lock_the_account(accounts, monkeypatch):
    at(monkeypatch, NOW)
    client = accounts.test_client()
    answers = guesses(client, "wenhua", 100)
    assert [a.status_code for a in answers[:10]] == [401] * 9 + [429]
    assert all(a.status_code == 429 and LOCKED in a.get_data(as_text=True) for a in answers[10:])
    # the right password from yet another address is refused while the lock lasts
    right = post_login(client, "wenhua", PASSWORD, address="192.0.2.7")
    assert right.status_code == 429 and LOCKED in right.get_data(as_text=True)
    assert 15 * 60 - 5 <= int(right.headers["Retry-After"]) <= 15 * 60
    assert "15 分钟" in right.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    at(monkeypatch, NOW + timedelta(minutes=14, seconds=59))
    assert post_login(client, "wenhua", PASSWORD, address="192.0.2.8").status_code == 429
    at(monkeypatch, NOW + timedelta(minutes=15, seconds=1))
    assert post_login(client, "wenhua", PASSWORD, address="192.0.2.9").status_code == 303


def test_the_lock_is_kept_in_the_database_for_every_worker(accounts, make_app, monkeypatch):
    at(monkeypatch, NOW)
    other_worker = make_app({"RATELIMIT_LOGIN": "10000 per minute", "RATELIMIT_LOGIN_ADDRESS": "10000 per minute"})
    guesses(accounts.test_client(), "wenhua", 5)
    guesses(other_worker.test_client(), "wenhua", 5, first_address=5)
    assert post_login(other_worker.test_client(), "wenhua", PASSWORD).status_code == 429
    assert post_login(accounts.test_client(), "wenhua", PASSWORD).status_code == 429


def test_before_the_lock_an_unknown_account_gets_the_same_answer(accounts, monkeypatch):
    at(monkeypatch, NOW)
    client = accounts.test_client()
    known = [(a.status_code, a.get_data(as_text=True).replace("wenhua", "NAME")) for a in guesses(client, "wenhua", 9)]
    unknown = [(a.status_code, a.get_data(as_text=True).replace("nosuchuser", "NAME"))
               for a in guesses(client, "nosuchuser", 9)]
    strip = lambda html: [(code, html.split('name="csrf_token"')[0]) for code, html in html]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert all(code == 401 and "用户名或密码不对" in page for code, page in known)


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
    assert [a.status_code for a in answers] == [401, 401, 429] and "60 分钟" in answers[-1].get_data(as_text=True)
    at(monkeypatch, NOW + timedelta(minutes=59))
    locked = post_login(client, "wenhua", PASSWORD)
    assert locked.status_code == 429 and "1 分钟" in locked.get_data(as_text=True)


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
