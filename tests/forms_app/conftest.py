"""Fixtures of the form-service tests beside those of tests/conftest.py."""
from __future__ import annotations

import pytest

from roster import load_roster


@pytest.fixture
def roster(roster_dir):
    """The small roster as the service reads it."""
    return load_roster(roster_dir)


@pytest.fixture
def ctx(app):
    """An app context: service functions read and write the database through it."""
    with app.app_context():
        yield app
