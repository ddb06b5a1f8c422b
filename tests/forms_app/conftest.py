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


@pytest.fixture
def staff(ctx):
    """A station clerk of wenhua-lu, in the database, for service-level tests of the flow."""
    from datetime import datetime

    from forms_app.extensions import db
    from forms_app.models import Staff

    person = Staff(username="wang", display_name="王工作人员", password_hash="x", role="station", stations="wenhua-lu",
                   created_at=datetime(2026, 11, 20, 18, 0))
    db.session.add(person)
    db.session.commit()
    return person
