"""The retention purge keeps the consent text's promise on every path a case can take: after it,
no text column of any table holds a personal value of a purged case, and its photos are gone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import String, Text, select

from roster import TZ

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)  # Friday evening
LATER = NOW + timedelta(days=400)


def _register(roster, n: int):
    """A case whose every personal value is unique to it, and the list of those values."""
    from forms_app.cases import service as cases

    values = dict(description=f"楼上漏水{n}号，邻居李四{n}身份证43010419800101{n:04d}", location=f"文化路{n}栋{n}室",
                  occurred=f"上周{n}日夜里", name=f"张三{n}", phone=f"1381234{n:04d}", contact_time=f"晚上{n}点以后")
    case = cases.register(roster, station="wenhua-lu", category="neighbours", anonymous=False,
                          sensitive_consent=False, now=NOW, **values)
    return case, list(values.values())


def _walk(roster, case, staff, steps):
    from forms_app.cases import service as cases

    for action, payload in steps:
        cases.act(roster, case, action, payload, staff, now=NOW)


def _fill_every_path(roster, staff, upload_dir):
    """Cases along every path (never handled, rejected, open, resolved, followed up, archived, reopened,
    from a booking) with notes, results, reasons and comments that name the person."""
    from forms_app.booking import outcomes
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Appointment, CasePhoto

    personal = []
    paths = {
        "registered": [],
        "rejected": [("reject", {"reason": "不予受理：张三{n} 13600000{n:03d}"})],
        "accepted": [("accept", {}), ("note", {"note": "电话联系张三{n}"})],
        "extended": [("accept", {}), ("extend", {"reason": "张三{n}住院，延后处理", "days": 5})],
        "handling": [("accept", {}), ("dispatch", {"department": "司法所", "on_site": True}),
                     ("arrive", {"arrived_at": NOW}), ("handle", {"note": "约张三{n}和李四{n}面谈"})],
        "resolved": [("accept", {}), ("resolve", {"outcome": "resolved", "result": "张三{n}与李四{n}达成协议"})],
        "followed_up": [("accept", {}), ("resolve", {"outcome": "unresolved", "result": "张三{n}不同意"}),
                        ("feedback", {"channel": "电话", "given_at": NOW}),
                        ("follow_up", {"note": "回访王C{n} 13600000{n:03d}"})],
        "archived": [("accept", {}), ("resolve", {"outcome": "resolved", "result": "修好了张三{n}家的水管"}),
                     ("feedback", {"channel": "电话", "given_at": NOW}),
                     ("follow_up", {"note": "回访王C{n} 13600000{n:03d}"}), ("archive", {})],
        "reopened": [("accept", {}), ("resolve", {"outcome": "resolved", "result": "张三{n}说好了"}),
                     ("reopen", {"reason": "张三{n}说又漏了"})],
    }
    for n, steps in enumerate(paths.values(), start=1):
        case, values = _register(roster, n)
        filled = [(a, {k: v.format(n=n) if isinstance(v, str) else v for k, v in p.items()}) for a, p in steps]
        _walk(roster, case, staff, filled)
        values += [v for _, p in filled for v in p.values() if isinstance(v, str) and v not in ("司法所", "电话",
                                                                                               "resolved", "unresolved")]
        if case.state in ("resolved", "followed_up", "archived"):
            cases.record_satisfaction(roster, case, 2, f"张三{n}觉得太慢", now=NOW)
            values.append(f"张三{n}觉得太慢")
        photo = f"photo{n}.jpg"
        (upload_dir / photo).write_bytes(b"\xff\xd8jpeg")
        db.session.add(CasePhoto(case_id=case.id, filename=photo, content_type="image/jpeg", size=6))
        personal.append((case, values, upload_dir / photo))
    # booking → case: the meeting's matter registered as a case with the resident's details
    appointment = Appointment(number="7KQX-M3TA", manage_token="t" * 43, station_id="wenhua-lu",
                              officer_id="chen-hao", starts_at=NOW.replace(tzinfo=None),
                              ends_at=(NOW + timedelta(minutes=30)).replace(tzinfo=None), name="赵六预约",
                              phone="13987650000", topic="legal-advice", description="赵六想问租房合同押金",
                              status="booked", cancel_reason=None, created_at=NOW.replace(tzinfo=None),
                              consent_at=NOW.replace(tzinfo=None))
    db.session.add(appointment)
    db.session.flush()
    case = outcomes.open_case(roster, appointment)
    personal.append((case, ["赵六预约", "13987650000", "赵六想问租房合同押金", "t" * 43], None))
    db.session.commit()
    return personal


def _text_columns(db):
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                yield table, column


def _hits(db, values):
    found = []
    for table, column in _text_columns(db):
        for stored in db.session.execute(select(column)).scalars():
            if not stored:
                continue
            digits = re.sub(r"\D", "", stored)
            for value in values:
                if value in stored or (value.isdigit() and value in digits):
                    found.append(f"{table.name}.{column.name}: {value}")
    return found


@pytest.mark.parametrize("batch", [500, 2], ids=["one-batch", "batches-of-two"])
def test_purge_leaves_no_personal_value_of_a_purged_case_anywhere(roster, staff, app, tmp_path, monkeypatch, batch):
    from forms_app.booking import service as appointments
    from forms_app.cases import service as cases
    from forms_app.cases.photos import remove_photo
    from forms_app.extensions import db
    from forms_app.models import Case, LedgerEntry

    monkeypatch.setattr(cases, "PURGE_BATCH", batch)
    app.config["UPLOAD_DIR"] = str(tmp_path)
    personal = _fill_every_path(roster, staff, tmp_path)
    every_value = [v for _, values, _ in personal for v in values]
    assert len(_hits(db, every_value)) > len(every_value), "the values are stored before the purge"
    ledger_rows = db.session.query(LedgerEntry).count()

    assert appointments.purge_expired(180, now=LATER) == 1
    assert cases.purge_expired(180, remove_photo, now=LATER) == len(personal)
    db.session.commit()

    assert _hits(db, every_value) == []
    assert [path for _, _, path in personal if path is not None and path.exists()] == []
    # what the reports count stays; the ledger keeps its rows, one more per purged case
    assert db.session.query(LedgerEntry).count() == ledger_rows + len(personal)
    kept = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert all(c.station_id == "wenhua-lu" and c.category and c.state and c.created_at for c in kept)
    assert [c.satisfaction for c in kept if c.satisfaction] == [2, 2, 2]
    assert cases.purge_expired(180, remove_photo, now=LATER) == 0


def test_each_path_waits_for_its_own_clock(roster, staff, app, tmp_path):
    """Closed cases from closed_at, resolved ones from resolved_at, open ones from their last move."""
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    app.config["UPLOAD_DIR"] = str(tmp_path)
    open_case, _ = _register(roster, 1)
    resolved, _ = _register(roster, 2)
    _walk(roster, resolved, staff, [("accept", {}), ("resolve", {"outcome": "resolved", "result": "好了"})])
    later = NOW + timedelta(days=30)
    cases.act(roster, open_case, "accept", {}, staff, now=later)  # moved a month after it came in
    db.session.commit()
    assert cases.purge_expired(180, remove_photo_never, now=NOW + timedelta(days=179)) == 0
    assert cases.purge_expired(180, remove_photo_never, now=NOW + timedelta(days=190)) == 1
    assert resolved.name == "（已删除）" and open_case.name == "张三1"
    assert cases.purge_expired(180, remove_photo_never, now=later + timedelta(days=190)) == 1
    assert open_case.name == "（已删除）"


def remove_photo_never(filename):
    raise AssertionError(f"no photo to remove: {filename}")


def test_the_ledger_takes_the_purge_and_no_other_change(roster, staff, app):
    from forms_app.cases.ledger import ERASED, LedgerIsAppendOnly
    from forms_app.extensions import db
    from forms_app.models import LedgerEntry

    case, _ = _register(roster, 1)
    db.session.commit()
    entry = db.session.get(LedgerEntry, case.ledger[0].id)
    for change in ({"note": "（已删除）", "action": "purged"}, {"note": "别的"}, {"after": "{}", "note": "改了"},
                   {"actor": "系统"}):
        for name, value in change.items():
            setattr(entry, name, value)
        with pytest.raises(LedgerIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        entry = db.session.get(LedgerEntry, case.ledger[0].id)
    for name, value in ERASED.items():
        setattr(entry, name, value)
    db.session.flush()  # the purge's erasure, and only it, goes through
