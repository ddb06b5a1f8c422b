"""A frozen or stopped database: the resident gets a 503 in words with their input kept, the API a
JSON 503 with Retry-After, /readyz a prompt 503; never a 500 and never a hung worker."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from tests.forms_app.cases.test_complaints import file_complaint


@pytest.fixture
def frozen_server():
    """Accepts TCP connections and never answers, as PostgreSQL does under SIGSTOP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connection refused
    return port


def unavailable_urls(frozen_port, tmp_path):
    return {
        "frozen": f"postgresql+psycopg://app@127.0.0.1:{frozen_port}/forms",
        "stopped": f"postgresql+psycopg://app@127.0.0.1:{refused_port()}/forms",
        "sqlite-unopenable": f"sqlite:///{tmp_path / 'no-such-folder' / 'forms.sqlite3'}",
    }


@pytest.mark.parametrize("kind", ["frozen", "stopped", "sqlite-unopenable"])
def test_unavailable_database_answers_503_promptly(make_app, frozen_server, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "1")
    broken = make_app({"SQLALCHEMY_DATABASE_URI": unavailable_urls(frozen_server, tmp_path)[kind]})
    client = broken.test_client()

    started = time.monotonic()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["status"] == "not ready"

    api = client.get("/api/v1/cases/A-20261123-0001?phone_last4=1234")
    assert api.status_code == 503 and api.get_json()["error"] == "Service Unavailable"
    assert api.headers["Retry-After"].isdigit()

    response, sent = file_complaint(client, description="楼道灯坏了三天，晚上看不见台阶", location="3号楼2单元",
                                    photos=[("light.png", _png(40, 30))])
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert "系统暂时繁忙" in page and "还没有提交" in page and "服务出了点问题" not in page
    # the complaint form itself again, filled in as the resident left it, ready to press 提交 once more
    assert re.search(r'<textarea[^>]*name="description"[^>]*>\s*楼道灯坏了三天，晚上看不见台阶</textarea>', page)
    assert re.search(r'name="location"[^>]*value="3号楼2单元"', page)
    assert 'name="csrf_token"' in page and "重新提交" not in page
    # the photo too: files on disk need no database, so it waits for the retry (cases/pending.py)
    assert "已保留您选的 1 张照片" in page and 'name="photo_token"' in page and "light.png" in page

    # the booking form needs the database to draw its times: its fields come back as a resubmit button
    booking = client.post("/book?station=wenhua-lu", data={"csrf_token": sent["csrf_token"], "station": "wenhua-lu",
                                                             "name": "王五", "phone": "13912345678"})
    assert booking.status_code == 503 and "重新提交" in booking.get_data(as_text=True)
    assert 'value="王五"' in booking.get_data(as_text=True)
    assert time.monotonic() - started < 20  # five requests, each bounded by the 1 s connect timeout


@pytest.mark.parametrize("kind", ["stopped", "sqlite-unopenable"])
def test_error_pages_draw_for_a_signed_in_clerk_while_the_database_is_down(make_app, frozen_server, tmp_path,
                                                                          monkeypatch, kind):
    """Found trying it as a person: a browser holding a staff session got a bare 500 for every page,
    the 503 and 404 pages included, because drawing them loaded the clerk's account."""
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "1")
    broken = make_app({"SQLALCHEMY_DATABASE_URI": unavailable_urls(frozen_server, tmp_path)[kind]})
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
    for path, status, words in (("/staff/", 503, "系统暂时繁忙"), ("/no-such-page", 404, "这个页面不存在"),
                                ("/complaint?station=wenhua-lu", 503, "系统暂时繁忙")):
        answer = client.get(path)
        assert answer.status_code == status and words in answer.get_data(as_text=True), path
    posted = client.post("/complaint?station=wenhua-lu", data={"description": "楼道灯坏了三天", "name": "王五"})
    assert posted.status_code == 503 and "楼道灯坏了三天" in posted.get_data(as_text=True)


class FreezableProxy:
    """A TCP relay in front of the test PostgreSQL that can stop relaying at once: every pooled
    connection then meets a server that takes its packets and never answers, which is what
    SIGSTOP of all of PostgreSQL's processes does (the shared test server itself is not stopped)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.frozen, self.closed = upstream, threading.Event(), threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed.is_set():
            try:
                client = self.listener.accept()[0]
            except OSError:
                continue
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._relay, args=(source, target), daemon=True).start()

    def _relay(self, source, target):
        source.settimeout(0.05)
        while not self.closed.is_set():
            if self.frozen.is_set():
                time.sleep(0.05)  # unread: the kernel still acknowledges, nothing answers
                continue
            try:
                chunk = source.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            try:
                target.sendall(chunk)
            except OSError:
                return

    def close(self):
        self.closed.set()
        for sock in self.sockets + [self.listener]:
            sock.close()


@pytest.fixture
def freezable(app):
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = FreezableProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def within(seconds: float, request):
    """The answer of ``request()`` if it comes within ``seconds``; the test fails, not hangs, otherwise."""
    answers = []
    worker = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(seconds)
    assert answers, f"no answer within {seconds} s"
    return answers[0], time.monotonic() - started


@pytest.mark.needs_postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_server_frozen_under_pooled_connections_answers_503_within_seconds(make_app, freezable, monkeypatch):
    """Found with a real SIGSTOP of every PostgreSQL process: a connection already in the pool is
    not bounded by the connect timeout, and the server enforces no statement timeout while frozen;
    /readyz and every request waited until gunicorn killed the worker."""
    from forms_app.web.health import READY_TIMEOUT

    proxy, url = freezable
    monkeypatch.setenv("DB_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "1")  # so every round trip is bounded at 3 s
    service = make_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    client = service.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/cases/2611-AAAA?phone_last4=1234").status_code == 404  # the pool holds a connection
    proxy.frozen.set()

    ready, took = within(15, lambda: client.get("/readyz"))
    assert ready.status_code == 503 and ready.get_json()["database"].startswith("error")
    assert took < READY_TIMEOUT + 1.5, f"/readyz took {took:.1f} s"

    other = make_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    warm = other.test_client()
    proxy.frozen.clear()
    assert warm.get("/api/v1/cases/2611-AAAA?phone_last4=1234").status_code == 404
    proxy.frozen.set()
    api, took = within(15, lambda: warm.post("/api/v1/cases", json={
        "station": "wenhua-lu", "category": "labour", "description": "工资拖欠", "name": "王五",
        "phone": "13912345678", "consent": True, "sensitive_consent": False}))
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert took < 3 + 1 + 2, f"the API took {took:.1f} s"  # one round trip, then a new connection's timeout

    proxy.frozen.clear()  # the server wakes: the service serves again with fresh connections
    assert warm.get("/readyz").status_code == 200


def test_engine_options_bound_every_wait_and_follow_the_environment():
    from forms_app.config import engine_options

    defaults = engine_options("postgresql+psycopg://app@db/forms", environ={})
    assert defaults["pool_pre_ping"] and defaults["pool_timeout"] == 5
    assert defaults["connect_args"]["connect_timeout"] == 3
    assert "statement_timeout=5000" in defaults["connect_args"]["options"]
    assert "lock_timeout=3000" in defaults["connect_args"]["options"]
    chosen = engine_options("postgresql+psycopg://app@db/forms", environ={
        "DB_CONNECT_TIMEOUT": "2", "DB_STATEMENT_TIMEOUT": "1.5", "DB_LOCK_TIMEOUT": "0.5", "DB_POOL_TIMEOUT": "7"})
    assert chosen["connect_args"]["connect_timeout"] == 2 and chosen["pool_timeout"] == 7
    assert "statement_timeout=1500" in chosen["connect_args"]["options"]
    assert "lock_timeout=500" in chosen["connect_args"]["options"]


@pytest.mark.needs_postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_statement_over_the_timeout_is_cancelled_on_postgresql(make_app, app, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from forms_app.extensions import db

    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "0.5")
    timed = make_app()
    with timed.app_context():
        started = time.monotonic()
        with pytest.raises(OperationalError):
            db.session.execute(text("SELECT pg_sleep(10)"))
        assert time.monotonic() - started < 5


# ---------------------------------------------------------------- photos: a bounded pixel budget

def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_huge_png_is_refused_from_its_header_with_the_form_re_shown(client):
    from forms_app.cases import photos

    side = int((photos.MAX_PNG_PIXELS + 1) ** 0.5) + 1  # a few hundred KB that would unpack to ~50 MB
    response, _ = file_complaint(client, photos=[("大图.png", _png(side, side))])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "尺寸太大" in page and "请重新选择照片" in page and "楼上漏水三个月，协商不成" in page


def test_large_jpeg_is_kept_reduced_and_without_exif():
    import io

    from PIL import Image

    from forms_app.cases import photos
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    Image.radial_gradient("L").resize((6000, 4000)).convert("RGB").save(out, "JPEG", exif=exif.tobytes())
    kept = photos.clean(out.getvalue(), "现场")
    with Image.open(io.BytesIO(kept.data)) as image:
        assert max(image.size) == photos.MAX_SIDE and image.size[0] > image.size[1]
        assert not image.getexif()


def test_timeouts_keep_the_options_the_url_gives():
    from forms_app.config import engine_options

    options = engine_options("postgresql+psycopg://app@db/forms?options=-csearch_path%3Dboard", environ={})
    assert options["connect_args"]["options"].startswith("-csearch_path=board ")
    assert "statement_timeout=5000" in options["connect_args"]["options"]



def test_the_log_names_the_route_of_a_post_only_path(app):
    from forms_app.web.requestlog import route_pattern

    with app.test_request_context("/api/v1/cases", method="POST"):
        assert route_pattern(app, "/api/v1/cases") == "/api/v1/cases"  # was "(no route)"
    assert route_pattern(app, "/api/v1/cases", "POST") == "/api/v1/cases"  # the demo server, outside a request
    with app.test_request_context("/staff/cases/2611-AAAA/act", method="POST"):
        assert route_pattern(app, "/staff/cases/2611-AAAA/act") == "/staff/cases/<number>/act"
