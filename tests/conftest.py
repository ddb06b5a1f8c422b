"""Shared fixtures. Browser tests use Debian's Chromium: skipped with a reason when it is
missing, a failure under CI=true (where .ci/run installs it)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tools.browser import CHROMIUM_ARGS, chromium_path


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


@pytest.fixture
def app(tmp_path, roster_dir):
    from flask_migrate import upgrade

    from forms_app import create_app

    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forms.sqlite3'}",
        "ROSTER_DIR": str(roster_dir),
        "SITE_URL": "https://board.example.gov.cn/",
    })
    with application.app_context():
        upgrade()  # the real migrations, not create_all: they are what production runs
    yield application


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str, prefix: str = "") -> str:
    tag = re.search(rf'<input[^>]*name="{prefix}csrf_token"[^>]*>', html)
    assert tag, "the form carries no CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)
