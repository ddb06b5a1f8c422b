"""Shared fixtures. Browser tests use Debian's Chromium: skipped with a reason when it is
missing, a failure under CI=true (where .ci/run installs it).

Every test that uses a browser is marked ``browser`` and every PostgreSQL run ``postgresql``
(pyproject.toml registers them), so ``pytest -m "not browser"`` runs the fast part."""
from __future__ import annotations

import shutil

import pytest

from tests.helpers import PHONE, SMALL_ROSTER, STAFF_PASSWORD, fresh_schema, missing, postgresql_url
from tools.browser import CHROMIUM_ARGS, chromium_path, serve_directory

BROWSER_FIXTURES = {"browser", "phone", "live"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("database_url") == "postgresql" or item.get_closest_marker("needs_postgresql"):
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        missing("Chromium not found: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# ---------------------------------------------------------------- form service

@pytest.fixture
def roster_dir(tmp_path):
    """A private copy of the small roster, so that a test may edit it."""
    folder = tmp_path / "roster"
    shutil.copytree(SMALL_ROSTER, folder)
    return folder


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

@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The form service (SQLite) and the built site, each on its own loopback port."""
    import threading

    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash
    from werkzeug.serving import make_server

    import roster
    from forms_app import clock, create_app
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


