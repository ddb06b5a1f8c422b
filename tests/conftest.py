"""Shared fixtures. Browser tests use Debian's Chromium: skipped with a reason when it is
missing, a failure under CI=true (where .ci/run installs it)."""
from __future__ import annotations

import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tools.browser import CHROMIUM_ARGS, WECHAT_UA, chromium_path, serve_directory


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        _missing("Chromium not found: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# ---------------------------------------------------------------- form service

SMALL_ROSTER = Path(__file__).parent / "fixtures" / "small"


@pytest.fixture
def roster_dir(tmp_path):
    """A private copy of the small roster, so that a test may edit it."""
    folder = tmp_path / "roster"
    shutil.copytree(SMALL_ROSTER, folder)
    return folder


def postgresql_url() -> str:
    """TEST_DATABASE_URL as SQLAlchemy's psycopg 3 URL; skips (fails under CI=true) without it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        _missing("TEST_DATABASE_URL is not set: the PostgreSQL run of the form-service tests is skipped "
                 "(set it to e.g. postgresql://postgres@127.0.0.1:5432/test)")
    from forms_app.config import driver_url

    return driver_url(url)


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        _missing("TEST_REDIS_URL is not set: the Redis rate-limit tests are skipped "
                 "(set it to e.g. redis://127.0.0.1:6379/0)")
    return url


@contextmanager
def fresh_schema(url: str):
    """A schema of its own for one test on the shared PostgreSQL: clean, and dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every form-service test runs on SQLite and again on PostgreSQL, each on a clean schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'forms.sqlite3'}"
        return
    with fresh_schema(postgresql_url()) as url:
        yield url


@pytest.fixture
def app(database_url, roster_dir):
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db

    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ROSTER_DIR": str(roster_dir),
        "SITE_URL": "https://board.example.gov.cn/",
    })
    with application.app_context():
        upgrade()  # the real migrations, not create_all: they are what production runs
    yield application
    with application.app_context():
        db.engine.dispose()  # before the schema is dropped


@pytest.fixture
def make_app(app):
    """More apps on the ``app`` fixture's database (another process, another environment);
    their connections are closed afterwards."""
    from forms_app import create_app
    from forms_app.extensions import db

    made = []

    def make(config: dict | None = None):
        base = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "ROSTER_DIR": app.config["ROSTER_DIR"]}
        made.append(create_app({**base, **(config or {})}))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# ---------------------------------------------------------------- browser: live servers

STAFF_PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 360, "height": 740}, "user_agent": WECHAT_UA, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The form service (SQLite) and the built site, each on its own loopback port."""
    import threading
    from forms_app import clock

    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash
    from werkzeug.serving import make_server

    import roster
    from forms_app import create_app
    from forms_app.extensions import db
    from forms_app.models import Staff
    from sitegen import build_site

    work = tmp_path_factory.mktemp("live")
    data = work / "roster"
    shutil.copytree(SMALL_ROSTER, data)
    site = work / "site"
    site.mkdir()
    with serve_directory(site) as site_url:
        app = create_app({"TESTING": True, "SECRET_KEY": "browser-secret", "ROSTER_DIR": str(data),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'forms.sqlite3'}", "SITE_URL": site_url,
                          "REQUEST_LOG": False, "UPLOAD_DIR": str(work / "uploads")})
        with app.app_context():
            upgrade()
            db.session.add(Staff(username="wenhua", display_name="文化路工作人员", role="station", stations="wenhua-lu",
                                 password_hash=generate_password_hash(STAFF_PASSWORD), created_at=clock.now_naive()))
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        forms_url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        build_site(roster.load_roster(data), site, site_url, forms_url, src_dir=work / "src")
        try:
            yield {"site": site_url, "forms": forms_url, "app": app}
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def csrf_token(html: str, prefix: str = "") -> str:
    tag = re.search(rf'<input[^>]*name="{prefix}csrf_token"[^>]*>', html)
    assert tag, "the form carries no CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)
