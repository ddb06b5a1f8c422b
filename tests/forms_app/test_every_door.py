"""Every door of the service under property-based attack, on SQLite and PostgreSQL: each route of
the URL map (forms, API, staff console, feeds), with its path, query and body filled by hypothesis
from the real form's own fields: arbitrary Unicode, control characters, NUL, lone surrogates, huge
and nested values, wrong types and content types, dates at the ends of the calendar.

Every answer is below 500, and a refused request (4xx) leaves every table of the database and the
upload folder exactly as they were (only the complaint form may keep a resident's photos for the
retry in the upload folder's pending area, on purpose: cases/pending.py). A route added later
without a door here fails ``test_every_route_has_a_door``, so nothing new escapes the attack."""
from __future__ import annotations

import html
import io
import json
import os
import re
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.test import stream_encode_multipart

from tests.helpers import csrf_token

PASSWORD = "door-test-password"
# per door and database: 40 doors × 2 databases, so the suite stays quick; DOOR_EXAMPLES=200 for a long hunt
EXAMPLES = int(os.environ.get("DOOR_EXAMPLES") or 12)

# ---------------------------------------------------------------- what is thrown at the doors

EDGES = ["", " ", "\x00", "a\x00b", "\ud800", "\u202e", "9999-12-31T23:59:00-12:00", "0001-01-01T00:00:00+14:00",
         "9999-12-31", "2026-02-30", "-1", "0", "99999999999999999999", "1e308", "NaN", "true", "null", "[]", "{}",
         "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "%00", "../../etc/passwd", "2611-AB", "０１２３"]
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Cf", "Zl", "Zp", "Co"]), max_size=10),
    st.sampled_from(EDGES),
    st.sampled_from(["长", "A", "\x01"]).map(lambda char: char * 30_000),  # far past every field's limit
)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
DEEP = st.integers(min_value=50, max_value=100_000).map(lambda depth: "[" * depth)
CONTENT_TYPES = ["application/json", "text/plain", "application/xml", "multipart/form-data", "",
                 "application/x-www-form-urlencoded; charset=latin-1", "application/json; charset=utf-16"]


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate arrives as the bytes a client would send


def _urlencode(pairs) -> bytes:
    return b"&".join(quote_from_bytes(_bytes(k)).encode() + b"=" + quote_from_bytes(_bytes(v)).encode() for k, v in pairs)


# ---------------------------------------------------------------- the world behind the doors

@dataclass
class World:
    resident: object  # a client that booked, complained and tracked its case
    clerk: object  # the station clerk of wenhua-lu, signed in
    admin: object  # an administrator, signed in
    values: dict = field(default_factory=dict)  # a real value for each path parameter


@pytest.fixture
def world(app, make_app, tmp_path):
    """An appointment, a resolved case with a photo, a clerk and an administrator, on a service
    without rate limits (they are tested on their own; here they would only hide the answers)."""
    from werkzeug.security import generate_password_hash

    from forms_app import clock
    from forms_app.api.appointments import booking_example
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Appointment, Case, Staff
    from forms_app.rosters import current_roster

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    service = make_app({"RATELIMIT_ENABLED": False, "UPLOAD_DIR": str(uploads)})
    resident = service.test_client()
    with service.app_context():
        for username, role, stations in (("clerk", "station", "wenhua-lu"), ("boss", "admin", "")):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role=role, stations=stations,
                                 password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1"), created_at=clock.naive(clock.now())))
        db.session.commit()
        example = booking_example(current_roster())
    assert example is not None, "the small roster publishes a slot to book"
    booked = resident.post("/api/v1/appointments", json=example)
    assert booked.status_code == 201, booked.get_data(as_text=True)
    page = resident.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    sent = resident.post("/complaint", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水",
        "name": "王五", "phone": "13912345678", "consent": "y", "photos": (io.BytesIO(_png()), "leak.png")})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    with service.app_context():
        case = db.session.scalar(select(Case))
        clerk_row = db.session.scalar(select(Staff).where(Staff.username == "clerk"))
        for action, payload in (("accept", {}), ("resolve", {"outcome": "resolved", "result": "修好了"})):
            cases.act(current_roster(), case, action, payload, clerk_row, now=clock.now())
        db.session.commit()
        appointment = db.session.scalar(select(Appointment))
        values = {"token": appointment.manage_token, "appointment": appointment.number, "case": case.number,
                  "appointment_id": str(appointment.id), "staff_id": str(clerk_row.id), "outcome": "attended",
                  "photo_id": str(case.photos[0].id), "officer": appointment.officer_id, "station_id": "wenhua-lu",
                  "month": clock.now().strftime("%Y-%m"), "fmt": "xlsx", "filename": "forms.css"}
        from forms_app.booking.feeds import feed_token
        values["feed_token"] = feed_token(appointment.officer_id)
        # a second case, dispatched on site, whose department's report-in link is open
        from forms_app.cases import report_in
        dispatched = cases.register(current_roster(), station="wenhua-lu", category="neighbours", description="路灯坏了",
                                    location="3 栋", occurred="", name="王五", phone="13912345678", contact_time="",
                                    anonymous=False, sensitive_consent=False)
        cases.act(current_roster(), dispatched, "accept", {}, clerk_row)
        cases.act(current_roster(), dispatched, "dispatch", {"department": "城管", "on_site": True}, clerk_row)
        values["report_token"] = report_in.link_for(dispatched).rsplit("/", 1)[1]
        values["dispatched"] = dispatched.number
        # a message the senders gave up on, for the console's page of notifications and its retry
        from forms_app.models import Notification
        failed = db.session.scalar(select(Notification).where(Notification.case_number == case.number).limit(1))
        failed.status, failed.attempts, failed.last_error = "failed", 8, "webhook answered 503"
        values["notification_id"] = str(failed.id)
        db.session.commit()
    tracked = resident.post("/track", data={"number": values["case"], "phone_last4": "5678"})
    assert tracked.status_code == 303
    return service, World(resident, _signed_in(service, "clerk"), _signed_in(service, "boss"), values), uploads


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _signed_in(service, username):
    client = service.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    answer = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username, "password": PASSWORD})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


# ---------------------------------------------------------------- the doors

@dataclass(frozen=True)
class Door:
    who: str  # resident, clerk or admin: whose client knocks
    page: str = ""  # the page whose form this door receives (its fields and CSRF token), "" for none
    query: str = ""  # the query a real request carries
    number: str = ""  # which number a <number> in the path is: appointment or case
    json: dict | None = None  # a real JSON body (the API's POSTs)
    # what a refused request may still change, on purpose: a failed login is counted and audited
    may_change: tuple[str, ...] = ()


CASE_BODY = {"station": "wenhua-lu", "category": "labour", "description": "工资拖欠两个月", "name": "王五",
             "phone": "13912345679", "consent": True, "sensitive_consent": False}
LOGIN_RECORDS = ("audit_log", "staff.failed_logins", "staff.failed_since", "staff.locked_until")

DOORS = {
    "booking.index": Door("resident"),
    "booking.book": Door("resident", page="/book?station=wenhua-lu", query="station=wenhua-lu"),
    "booking.booked": Door("resident"),
    "booking.booked_ics": Door("resident"),
    "booking.manage": Door("resident", page="/manage/{token}"),
    "booking.short_link": Door("resident", number="appointment"),
    "booking.find": Door("resident", page="/manage", query="number={appointment}"),
    "complaints.complaint": Door("resident", page="/complaint?station=wenhua-lu", may_change=("uploads.pending",)),
    "complaints.received": Door("resident"),
    "complaints.track": Door("resident", page="/track"),
    "complaints.tracked": Door("resident", number="case"),
    "complaints.short_link": Door("resident", number="case"),
    "complaints.satisfaction": Door("resident", page="/track/{case}", number="case"),
    "complaints.quiet": Door("resident", page="/track/{case}", number="case"),
    "feeds.officer_feed": Door("resident"),
    "health.healthz": Door("resident"),
    "health.readyz": Door("resident"),
    "static": Door("resident"),
    "api.create_appointment": Door("resident", json={"station": "wenhua-lu", "officer": "{officer}", "name": "张三",
                                                     "start": "2026-12-07T09:00:00+08:00", "phone": "13812340000",
                                                     "topic": "legal-advice", "consent": True}),
    "api.get_appointment": Door("resident", query="token={token}&phone_last4=0000", number="appointment"),
    "api.delete_appointment": Door("resident", query="token={token}", number="appointment"),
    "api.create_case": Door("resident", json=CASE_BODY),
    "api.get_case": Door("resident", query="phone_last4=5678", number="case"),
    "api.categories": Door("resident"),
    "api.openapi": Door("resident"),
    "api.stations": Door("resident"),
    "api.station": Door("resident"),
    "api.slots": Door("resident", query="from=2026-12-07&days=3"),
    "staff.login": Door("resident", page="/staff/login", may_change=LOGIN_RECORDS),
    "staff.logout": Door("clerk", page="/staff/"),
    "staff.password": Door("clerk", page="/staff/password"),
    "staff.contact": Door("clerk", page="/staff/contact"),
    "staff.queue": Door("clerk", query="state=open"),
    "staff.case_page": Door("clerk", number="case"),
    "staff.act": Door("clerk", page="/staff/cases/{case}", number="case"),
    "staff.reveal": Door("clerk", page="/staff/cases/{case}", number="case"),
    "staff.photo": Door("clerk", number="case"),
    "staff.revoke_report_link": Door("clerk", page="/staff/cases/{dispatched}", number="dispatched"),
    "report_in.page": Door("resident", page="/r/{report_token}"),
    "staff.appointment_outcome": Door("clerk", page="/staff/"),
    "staff.accounts_page": Door("admin"),
    "staff.sign_out_everywhere": Door("admin", page="/staff/accounts"),
    "staff.unlock": Door("admin", page="/staff/accounts"),
    "staff.audit_log": Door("admin", query="page=1"),
    "staff.notifications_page": Door("clerk", query="page=1"),
    "staff.retry_notification": Door("clerk", page="/staff/notifications"),
    "dashboard.dashboard": Door("clerk", query="month=2026-12"),
    "dashboard.download": Door("clerk"),
    "officers.officers_page": Door("clerk", query="month=2026-12&station=wenhua-lu"),
    "officers.officer_page": Door("clerk", query="month=2026-12"),
    "intake.register": Door("clerk", page="/staff/register", query="station=wenhua-lu"),
    "intake.slip": Door("clerk", number="case", query="size=receipt"),
    "supervision.act": Door("admin", page="/staff/cases/{case}", number="case"),
    "supervision.list_page": Door("admin", query="street=wenchang"),
    "supervision.street_page": Door("admin", query="street=wenchang&month=2026-12"),
    "register_filings.filings_list": Door("clerk", query="month={month}&street=wenchang"),
    "register_filings.filing_page": Door("clerk", page="/staff/register-filings/{station_id}/{month}"),
    "register_filings.withdraw": Door("clerk", page="/staff/register-filings/{station_id}/{month}"),
}


def test_every_route_has_a_door(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(DOORS)


def _rules(app):
    return [(rule, method) for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _fill(template: str, values: dict) -> str:
    return template.format(**{k: v for k, v in values.items()}) if "{" in template else template


FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
ATTR = re.compile(r'([a-zA-Z_-]+)="([^"]*)"')


def _fields(page: str) -> list[tuple[str, str]]:
    """The name and first value of every field of every form on the page, as a browser would send them."""
    found, seen = [], set()
    for tag, attributes in FIELD.findall(page):
        attrs = {k: html.unescape(v) for k, v in ATTR.findall(attributes)}
        name = attrs.get("name")
        if not name or (name, tag) in seen or attrs.get("type") == "file":
            continue
        seen.add((name, tag))
        value = attrs.get("value", "")
        if tag == "select":
            option = re.search(r'<option[^>]*value="([^"]*)"', page[page.index(attributes):])
            value = html.unescape(option[1]) if option else ""
        elif attrs.get("type") == "checkbox":
            value = value or "y"
        found.append((name, value))
    return found


# ---------------------------------------------------------------- the state a refusal must not touch

def _state(service, uploads) -> dict:
    from forms_app.extensions import db

    with service.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            columns = [column.name for column in table.columns]
            rows = db.session.execute(select(table)).all()
            for column in columns:
                state[f"{table.name}.{column}"] = sorted(repr(row._mapping[column]) for row in rows)
            state[table.name] = len(rows)
        db.session.remove()
    # The complaint form keeps a resident's photos for the retry after a mistake (cases/pending.py):
    # on purpose, a refused complaint writes there, so that area is its own entry, which only the
    # complaint door may change; the stored photos of cases are the other entry, which none may.
    pending = uploads / "pending"
    state["uploads"] = sorted(path.name for path in uploads.rglob("*") if pending not in path.parents and path != pending)
    state["uploads.pending"] = sorted(str(path.relative_to(pending)) for path in pending.rglob("*"))
    return state


def _changed(before: dict, after: dict, allowed: tuple[str, ...]) -> list[str]:
    return [key for key in before if before[key] != after[key]
            and key not in allowed and key.split(".")[0] not in allowed]


# ---------------------------------------------------------------- the attack

@st.composite
def knocks(draw, rule, method, door: Door, values: dict, fields: list):
    """One request at the door: every part either real or hostile."""
    path = rule.rule
    for name in rule.arguments:
        real = values[door.number] if name == "number" else values["feed_token" if name == "token" and
                                                                     rule.endpoint == "feeds.officer_feed" else name]
        value = draw(st.one_of(st.just(real), TEXT.filter(bool)) if name != "filename" else st.just(real))
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote_from_bytes(_bytes(value), safe=""), path)
    query = [pair.split("=", 1) for pair in _fill(door.query, values).split("&") if pair]
    query = [(k, draw(st.one_of(st.just(v), TEXT))) for k, v in query]
    query += draw(st.lists(st.tuples(st.sampled_from([k for k, _ in query] + ["station", "x"]), TEXT), max_size=2))
    url = path + ("?" + _urlencode(query).decode() if query else "")
    body = {"method": method}
    if method in ("GET", "DELETE"):
        return url, body
    kind = draw(st.sampled_from(["form", "form", "multipart", "json", "raw"]))
    if kind in ("form", "multipart"):
        pairs = [(k, draw(st.one_of(st.just(v), TEXT)) if draw(st.booleans()) else v) for k, v in fields
                 if draw(st.integers(0, 9))]  # a field now and then left out
        extra = [k for k, _ in fields] + ["x", "photos", "photo_token", "drop_photo"]
        pairs += draw(st.lists(st.tuples(st.sampled_from(extra), TEXT), max_size=2))
        if kind == "form":
            body.update(data=_urlencode(pairs), content_type="application/x-www-form-urlencoded")
        else:
            data = [(k, _bytes(v).decode("utf-8", "replace")) for k, v in pairs]
            if draw(st.booleans()):
                content = draw(st.one_of(st.binary(max_size=200), st.just(_png())))  # a real one is kept on a 422
                data.append(("photos", (io.BytesIO(content or b"\x89PNG"), draw(TEXT) or "x.png")))
            stream, length, boundary = stream_encode_multipart(_multidict(data), use_tempfile=False, boundary="door-boundary")
            body.update(data=stream.read(), content_type=f"multipart/form-data; boundary={boundary}")
    elif kind == "json":
        real = {k: _fill(v, values) if isinstance(v, str) else v for k, v in (door.json or {}).items()}
        document = draw(st.one_of(JSON, st.just(real).flatmap(lambda r: st.fixed_dictionaries(
            {k: st.one_of(st.just(v), JSON) for k, v in r.items()}))))
        raw = draw(st.one_of(st.just(json.dumps(document)), DEEP)) if door.json else json.dumps(document)
        body.update(data=raw.encode("utf-8", "surrogatepass"), content_type="application/json")
    else:
        raw = draw(st.one_of(st.binary(max_size=300), st.just(b"x=" + b"A" * 3_000_000)))  # bigger than any form
        body.update(data=raw, content_type=draw(st.sampled_from(CONTENT_TYPES)))
    return url, body


def _multidict(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


@pytest.mark.parametrize("endpoint", sorted(DOORS))
def test_no_door_answers_500_and_a_refusal_changes_nothing(world, endpoint):
    service, people, uploads = world
    door = DOORS[endpoint]
    client = getattr(people, door.who)
    page = client.get(_fill(door.page, people.values)).get_data(as_text=True) if door.page else ""
    fields = _fields(page)  # with the page's own CSRF token(s) as their values
    rules = [(rule, method) for rule, method in _rules(service) if rule.endpoint == endpoint]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(data=st.data())
    def attack(data):
        rule, method = data.draw(st.sampled_from(rules))
        url, body = data.draw(knocks(rule, method, door, people.values, fields))
        before = _state(service, uploads)
        method = body.pop("method")
        answer = client.open(url, method=method, **body)
        answer.close()  # a file sent whole (static, .ics, photo) is closed as a server would
        assert answer.status_code < 500, f"{method} {url!r}: {answer.status_code}\n{answer.get_data(as_text=True)[:2000]}"
        if 400 <= answer.status_code < 500:
            changed = _changed(before, _state(service, uploads), door.may_change)
            assert not changed, f"{method} {url!r} answered {answer.status_code} but changed {changed}"

    attack()
