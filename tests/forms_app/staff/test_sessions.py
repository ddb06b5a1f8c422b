"""A staff session ends on the server: a cookie saved before logout, a password change or an
administrator's "sign out everywhere" no longer opens the console when replayed."""
from __future__ import annotations

import pytest

from tests.helpers import csrf_token

from .conftest import PASSWORD, post_login, signed_in

NEW_PASSWORD = "a much longer new secret"


def replay(app, cookie: str):
    """A fresh client (another browser, a thief) that carries only the saved cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/staff/")


def saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def post_with_token(client, page_url: str, url: str, data=None):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def logout(app, client):
    assert post_with_token(client, "/staff/logout", "/staff/logout").status_code == 303


def change_password(app, client):
    response = post_with_token(client, "/staff/password", "/staff/password", {
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_again": NEW_PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200  # the session that changed it goes on


def admin_button(app, client):
    from forms_app.models import Staff
    with app.app_context():
        staff_id = Staff.query.filter_by(username="wenhua").one().id
    admin = signed_in(app, "admin")
    response = post_with_token(admin, "/staff/accounts", f"/staff/accounts/{staff_id}/sign-out-everywhere")
    assert response.status_code == 303
    assert admin.get("/staff/accounts").status_code == 200  # the administrator's own session is untouched


def admin_command(app, client):
    result = app.test_cli_runner().invoke(args=["sign-out-everywhere", "wenhua"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("end", [logout, change_password, admin_button, admin_command])
def test_a_cookie_saved_before_the_session_ended_does_not_open_the_console(accounts, end):
    client = signed_in(accounts, "wenhua")
    cookie = saved_cookie(client)
    assert replay(accounts, cookie).status_code == 200  # the saved cookie works while the session lasts
    end(accounts, client)
    response = replay(accounts, cookie)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_logout_ends_the_session_on_every_device(accounts):
    phone, desk = signed_in(accounts, "wenhua"), signed_in(accounts, "wenhua")
    logout(accounts, phone)
    assert desk.get("/staff/").status_code == 302
    assert signed_in(accounts, "wenhua").get("/staff/").status_code == 200  # and a new login works


def test_the_new_password_is_the_one_that_logs_in(accounts):
    change_password(accounts, signed_in(accounts, "wenhua"))
    assert post_login(accounts.test_client(), "wenhua", PASSWORD).status_code == 401
    assert post_login(accounts.test_client(), "wenhua", NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize("old, new, again, field_error", [
    ("wrong old password", NEW_PASSWORD, NEW_PASSWORD, "原密码不对"),
    (PASSWORD, "short", "short", "密码至少 10 位"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的新密码不一样"),
    (PASSWORD, "", "", "请填写新密码"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(accounts, old, new, again, field_error):
    from forms_app.models import Staff
    client = signed_in(accounts, "wenhua")
    cookie = saved_cookie(client)
    with accounts.app_context():
        before = Staff.query.filter_by(username="wenhua").one()
        before = (before.password_hash, before.session_version)
    response = post_with_token(client, "/staff/password", "/staff/password",
                               {"old_password": old, "new_password": new, "new_again": again})
    assert response.status_code == 422 and field_error in response.get_data(as_text=True)
    with accounts.app_context():
        after = Staff.query.filter_by(username="wenhua").one()
        assert (after.password_hash, after.session_version) == before
    assert replay(accounts, cookie).status_code == 200


def test_only_an_administrator_reaches_the_accounts_page(accounts):
    from forms_app.models import Staff
    with accounts.app_context():
        admin_id = Staff.query.filter_by(username="admin").one().id
    station = signed_in(accounts, "wenhua")
    assert station.get("/staff/accounts").status_code == 404
    token = csrf_token(station.get("/staff/password").get_data(as_text=True))
    assert station.post(f"/staff/accounts/{admin_id}/sign-out-everywhere",
                        data={"csrf_token": token}).status_code == 404
    admin = signed_in(accounts, "admin")
    assert "wenhua" in admin.get("/staff/accounts").get_data(as_text=True)
    # without the CSRF token another site cannot sign anyone out
    assert admin.post(f"/staff/accounts/{admin_id}/sign-out-everywhere").status_code == 400
    assert admin.get("/staff/accounts").status_code == 200


def test_the_command_names_an_unknown_account(accounts):
    result = accounts.test_cli_runner().invoke(args=["sign-out-everywhere", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


def test_every_console_page_has_its_navigation_once(accounts):
    """Found on a 360 px phone: the accounts and password pages drew the console's links twice."""
    admin = signed_in(accounts, "admin")
    pages = [rule.rule for rule in accounts.url_map.iter_rules()
             if rule.rule.startswith("/staff") and "GET" in rule.methods and not rule.arguments
             and rule.rule not in ("/staff/login", "/staff/logout")]
    assert {"/staff/", "/staff/accounts", "/staff/audit", "/staff/password", "/staff/dashboard"} <= set(pages)
    for path in pages:
        assert admin.get(path).get_data(as_text=True).count('class="staff-nav"') == 1, path
