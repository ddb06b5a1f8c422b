"""The API's case JSON names the roster officers who handled it, with public names only."""
from __future__ import annotations

from datetime import datetime

from roster import TZ, load_roster

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def test_the_case_json_lists_its_officers_as_the_board_names_them(app, client, roster_dir, staff):
    from forms_app.api.cases import SCHEMAS
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    roster = load_roster(roster_dir)
    case = cases.register(roster, station="wenhua-lu", category="neighbours", description="楼上漏水", location="",
                          occurred="", name="张三", phone="13812345678", contact_time="", anonymous=False,
                          sensitive_consent=False, now=NOW)
    number = case.number
    assert client.get(f"/api/v1/cases/{number}?phone_last4=5678").json["officers"] == []
    cases.act(roster, case, "accept", {}, staff, NOW)
    cases.act(roster, case, "name_officer", {"officer": "zhou-minghui"}, staff, NOW)
    cases.act(roster, case, "name_officer", {"officer": "chen-hao"}, staff, NOW)
    db.session.commit()
    body = client.get(f"/api/v1/cases/{number}?phone_last4=5678").json
    assert body["officers"] == [
        {"id": "zhou-minghui", "name": "周明辉", "role": "judge", "role_name": "法官"},
        {"id": "chen-hao", "name": "陈浩", "role": "police", "role_name": "警官"}]
    assert "0731-2881" not in str(body)  # public names, not the officers' phones
    assert set(SCHEMAS["CaseOfficer"]["required"]) == set(body["officers"][0])
    assert "officers" in SCHEMAS["CaseStatus"]["properties"]
