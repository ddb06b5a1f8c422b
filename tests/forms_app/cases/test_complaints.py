"""Residents' complaints, tracking and satisfaction, through the pages (with real CSRF tokens)
and the JSON API: what a resident types, sees and may never see."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import ExifTags, Image, PngImagePlugin
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from roster import TZ
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)  # Friday evening: the first response is due on Monday
STAFF_NAME = "李保密"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch, app, tmp_path):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")



def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]+)</p>', html))


DEFAULTS = {"category": "neighbours", "description": "楼上漏水三个月，协商不成", "location": "幸福小区 3 栋",
            "occurred": "上个月开始", "name": "张三", "phone": "13812345678", "contact_time": "工作日晚上",
            "consent": "y"}


def file_complaint(client, query="wenhua-lu", photos=(), **fields):
    """Open the form (from a station's button unless ``query`` is None), fill it in like a
    resident, submit. ``None`` removes a field."""
    query = f"?station={query}" if query else ""
    html = client.get(f"/complaint{query}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "station": "wenhua-lu", **DEFAULTS}
    data.update({k: v for k, v in fields.items() if v is not None})
    for key in [k for k, v in fields.items() if v is None]:
        data.pop(key, None)
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    body = MultiDict(data)
    for name, content in photos:
        body.add("photos", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, payload = encode_multipart(body)
    response = client.post(f"/complaint{query}", data=payload, content_type=f"multipart/form-data; boundary={boundary}")
    return response, data


def number_of(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r"诉求编号 <strong>([A-Z0-9-]+)</strong>", html).group(1)


def the_case(app, number):
    from sqlalchemy import select

    from forms_app.extensions import db
    from forms_app.models import Case

    return db.session.scalar(select(Case).where(Case.number == number))


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (28.0, 12.0, 37.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (112.0, 59.0, 6.25)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo carries GPS"
    return data


# ---------------------------------------------------------------- the form

def test_form_page_prefilled_from_the_station(client, app):
    html = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    assert "本表不受理紧急求助" in html and 'href="tel:110"' in html
    assert html.index('href="tel:110"') < html.index("<form")
    assert '<input type="hidden" name="station" value="wenhua-lu">' in html and "文化路社区" in html
    assert 'enctype="multipart/form-data"' in html and 'accept="image/jpeg,image/png"' in html
    for box in ("consent", "sensitive_consent", "sensitive", "anonymous"):
        tag = re.search(rf'<input id="{box}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in tag and "checked" not in tag, box
    assert f"办结或不予受理后 {app.config['RETENTION_DAYS']} 天删除" in html
    assert "不要向对方透露我的姓名" in html and "内容涉及健康、未成年人等敏感信息" in html
    assert 'href="tel:073128811001"' in html  # the station's own phone stays one tap away
    for code, name in (("neighbours", "邻里纠纷"), ("labour", "劳资纠纷"), ("other", "其他")):
        assert f'<option value="{code}">{name}</option>' in html


def test_without_a_station_the_resident_chooses_one(client):
    html = client.get("/complaint").get_data(as_text=True)
    assert re.search(r'<select [^>]*id="station" name="station"', html) and '<option value="jiangwan">' in html
    response, _ = file_complaint(client, query=None, station="jiangwan")
    with client.application.app_context():
        assert the_case(client.application, number_of(client, response)).station_id == "jiangwan"


def test_round_trip_gives_the_number_and_the_first_response_time(client, app):
    response, _ = file_complaint(client, phone="１３８ １２３４ ５６７８", anonymous="y")
    assert response.status_code == 303 and response.headers["Location"].endswith("/complaint/received")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"诉求编号 <strong>([A-Z0-9-]+)</strong>", html).group(1)
    assert re.fullmatch(r"2611-[34679ACDEFGHJKMNPQRTUVWXY]{4}", number)
    assert "11月23日（周一）前" in html  # one working day from Friday evening
    assert f"/track?number={number}" in html
    with app.app_context():
        case = the_case(app, number)
        assert case.phone == "13812345678" and case.anonymous and case.station_id == "wenhua-lu"
        assert case.sensitive_consent_at is None and case.state == "registered"
        assert [e.action for e in case.ledger] == ["registered"]


def test_a_double_tap_on_submit_makes_one_case(client, app):
    first = number_of(client, file_complaint(client)[0])
    second = number_of(client, file_complaint(client)[0])
    assert first == second
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        assert db.session.query(Case).count() == 1


@pytest.mark.parametrize("change, field, message", [
    ({"category": ""}, "category", "请选择事情的类别"),
    ({"category": "no-such"}, "category", "请从列表中选择"),
    ({"station": "no-such"}, "station", "没有这个站点"),
    ({"description": ""}, "description", "请写一下发生了什么"),
    ({"description": "字" * 2001}, "description", "最多 2000 字"),
    ({"location": "地" * 201}, "location", "最多 200 字"),
    ({"name": ""}, "name", "请填写姓名"),
    ({"phone": "138 1234"}, "phone", "位数不对"),
    ({"phone": "0731-28811001"}, "phone", "请填 11 位手机号"),
    ({"consent": None}, "consent", "需要您同意"),
    ({"sensitive": "y"}, "sensitive_consent", "需要您另外勾选"),
])
def test_invalid_input_is_shown_with_everything_kept(client, change, field, message):
    response, data = file_complaint(client, query=None, **change)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = errors(html)
    assert field in found and message in found[field], found
    assert "还有" in html and f'href="#{field}"' in html
    for name in ("name", "location", "occurred", "contact_time"):
        if data.get(name) and name != field:
            assert f'value="{data[name]}"' in html, name
    if field != "description":
        assert data["description"] in html
    if field not in ("category",):
        assert f'<option selected value="{data["category"]}">' in html
    if data.get("sensitive"):
        assert re.search(r'<input checked id="sensitive"', html)
    if "consent" in data:
        assert re.search(r'<input checked id="consent"', html)


def test_sensitive_information_needs_its_own_consent(client, app):
    refused, _ = file_complaint(client, sensitive="y")
    assert refused.status_code == 422 and "sensitive_consent" in errors(refused.get_data(as_text=True))
    accepted, _ = file_complaint(client, sensitive="y", sensitive_consent="y", description="孩子在学校受伤")
    number = number_of(client, accepted)
    with app.app_context():
        assert the_case(app, number).sensitive_consent_at == NOW.replace(tzinfo=None)


def test_stale_form_keeps_the_input(client):
    response, data = file_complaint(client, csrf_token="stale")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "页面打开太久已过期" in html and data["description"] in html


# ---------------------------------------------------------------- photos

def test_photos_are_re_encoded_without_exif(client, app, tmp_path):
    png = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 28.21 112.98")
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(png, "PNG", pnginfo=info)
    response, _ = file_complaint(client, photos=[("现场.jpg", jpeg_with_gps()), ("单据.png", png.getvalue())])
    number = number_of(client, response)
    with app.app_context():
        stored = the_case(app, number).photos
        assert sorted(p.content_type for p in stored) == ["image/jpeg", "image/png"]
        for photo in stored:
            assert re.fullmatch(r"[0-9a-f]{32}\.(jpg|png)", photo.filename)  # not the resident's file name
            path = tmp_path / "uploads" / photo.filename
            data = path.read_bytes()
            assert photo.size == len(data)
            assert b"Exif" not in data and b"PhoneMaker" not in data and b"GPS" not in data
            with Image.open(path) as image:
                assert not image.getexif() and "exif" not in image.info and "Comment" not in image.info
                image.load()
                assert image.size == ((64, 48) if photo.content_type == "image/jpeg" else (20, 10))
                if photo.content_type == "image/png":
                    assert image.mode == "RGBA"


def test_upload_folder_defaults_to_the_instance_folder(app):
    from forms_app.cases import photos

    app.config.pop("UPLOAD_DIR")
    with app.test_request_context():
        assert str(photos.upload_dir()).startswith(app.instance_path)
        assert photos.upload_dir().name == "uploads"


@pytest.mark.parametrize("name, content, message", [
    ("dongtu.gif", None, "不是 JPG 或 PNG"),
    ("fake.jpg", b"this is not a picture" * 10, "不是 JPG 或 PNG"),
    ("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "超过 5 MB"),
])
def test_other_types_and_oversize_photos_are_refused(client, app, name, content, message):
    if content is None:
        gif = io.BytesIO()
        Image.new("P", (4, 4)).save(gif, "GIF")
        content = gif.getvalue()
    response, data = file_complaint(client, photos=[(name, content)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = errors(html)
    assert message in found["photos"] and "请重新选择照片" in found["photos"], found
    assert name in found["photos"]
    assert data["description"] in html  # everything typed is kept
    from forms_app.extensions import db
    from forms_app.models import Case

    with app.app_context():
        assert db.session.query(Case).count() == 0


def test_at_most_three_photos(client):
    photo = jpeg_with_gps()
    response, _ = file_complaint(client, photos=[(f"{i}.jpg", photo) for i in range(4)])
    assert response.status_code == 422 and "最多 3 张照片" in errors(response.get_data(as_text=True))["photos"]


def _form_fields(html: str) -> MultiDict:
    """What the re-shown form sends back as it stands: its hidden fields and the typed values."""
    found = MultiDict()
    for attributes in re.findall(r"<input\b([^>]*)>", html):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        if attrs.get("type") in ("checkbox", "file", "radio") or "name" not in attrs:
            continue
        found.add(attrs["name"], attrs.get("value", ""))
    return found


def retry(client, html: str, photos=(), query="wenhua-lu", **fields):
    """Press 提交 again on a re-shown form, with ``fields`` changed or added (lists for repeats)."""
    body = _form_fields(html)
    body.update({"station": "wenhua-lu", **DEFAULTS})
    for name, value in fields.items():
        body.setlist(name, value if isinstance(value, list) else [value])
    for name, content in photos:
        body.add("photos", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, payload = encode_multipart(body)
    return client.post(f"/complaint?station={query}", data=payload,
                       content_type=f"multipart/form-data; boundary={boundary}")


def pending_files(tmp_path) -> list[str]:
    area = tmp_path / "uploads" / "pending"
    return sorted(str(p.relative_to(area)) for p in area.rglob("*") if p.is_file()) if area.exists() else []


def test_good_photos_are_kept_for_the_retry_after_another_error(client, app, tmp_path):
    response, _ = file_complaint(client, name="", photos=[("现场.jpg", jpeg_with_gps())])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = errors(html)
    assert "name" in found and "photos" not in found
    assert "已保留您选的 1 张照片" in html and "现场.jpg" in html
    assert re.search(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]+" alt="已保留的第 1 张照片：现场.jpg"', html)
    token = re.search(r'name="photo_token" value="([0-9a-f]{32})"', html)[1]
    kept = pending_files(tmp_path)
    assert len(kept) == 3 and all(name.startswith(token) for name in kept)  # photo, thumbnail, manifest
    photo = next(tmp_path / "uploads" / "pending" / n for n in kept if n.endswith("1.jpg"))
    cleaned = photo.read_bytes()
    assert b"GPS" not in cleaned and b"Exif" not in cleaned  # kept already cleaned
    from forms_app.extensions import db
    from forms_app.models import Case, CasePhoto

    with app.app_context():
        assert db.session.query(Case).count() == 0 and db.session.query(CasePhoto).count() == 0
    number = number_of(client, retry(client, html, name="张三"))  # not chosen again
    with app.app_context():
        stored = the_case(app, number).photos
        assert [p.content_type for p in stored] == ["image/jpeg"]
        assert (tmp_path / "uploads" / stored[0].filename).read_bytes() == cleaned
    assert pending_files(tmp_path) == []  # taken by the case, deleted on use


def test_a_kept_photo_can_be_removed_and_kept_ones_count_towards_three(client, app, tmp_path):
    response, _ = file_complaint(client, name="", photos=[("一.jpg", jpeg_with_gps()), ("二.jpg", jpeg_with_gps())])
    html = response.get_data(as_text=True)
    assert html.count('name="drop_photo"') == 2 and "还可以再选 1 张" in html
    too_many = retry(client, html, photos=[("三.jpg", jpeg_with_gps()), ("四.jpg", jpeg_with_gps())])
    assert too_many.status_code == 422
    assert "最多 3 张照片，已保留 2 张，您又选了 2 张" in errors(too_many.get_data(as_text=True))["photos"]
    html = too_many.get_data(as_text=True)
    assert "已保留您选的 2 张照片" in html  # the two kept still wait
    first = re.search(r'name="drop_photo" value="(\d+)"', html)[1]
    number = number_of(client, retry(client, html, name="张三", drop_photo=first))
    with app.app_context():
        assert len(the_case(app, number).photos) == 1
    assert pending_files(tmp_path) == []


def test_kept_photos_belong_to_the_session_that_chose_them(client, app, tmp_path):
    response, _ = file_complaint(client, name="", photos=[("现场.jpg", jpeg_with_gps())])
    html = response.get_data(as_text=True)
    stranger = app.test_client()
    page = stranger.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    own = csrf_token(page)  # the stranger's own form, with the owner's photo token copied in
    number = number_of(stranger, retry(stranger, html, csrf_token=own, name="李四", phone="13900001111"))
    with app.app_context():
        assert the_case(app, number).photos == []  # the token alone claims nothing
    assert len(pending_files(tmp_path)) == 3  # still the owner's
    for token in ("../../etc", "0" * 32, ""):
        answer = retry(stranger, html, csrf_token=own, name="", photo_token=token)
        assert answer.status_code == 422 and "已保留您选的" not in answer.get_data(as_text=True)


def test_kept_photos_expire_after_an_hour(client, app, tmp_path, monkeypatch):
    import forms_app.clock

    response, _ = file_complaint(client, name="", photos=[("现场.jpg", jpeg_with_gps())])
    html = response.get_data(as_text=True)
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW + timedelta(minutes=61))
    answer = retry(client, html, name="")
    assert answer.status_code == 422 and "已保留您选的" not in answer.get_data(as_text=True)
    assert pending_files(tmp_path) == []  # deleted on use
    # and those nobody comes back for: flask purge-expired
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)
    file_complaint(client, name="", photos=[("现场.jpg", jpeg_with_gps())])
    assert pending_files(tmp_path)
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW + timedelta(minutes=59))
    assert "0 份等待重新提交的照片" in app.test_cli_runner().invoke(args=["purge-expired"]).output
    assert pending_files(tmp_path)
    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW + timedelta(minutes=61))
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "1 份等待重新提交的照片" in result.output, result.output
    assert pending_files(tmp_path) == []


# ---------------------------------------------------------------- tracking

@pytest.fixture
def worked_case(app, client, roster):
    """A complaint filed through the form, then worked by a staff member whose name residents must not see."""
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    number = number_of(client, file_complaint(client)[0])
    with app.app_context():
        staff = Staff(username="li", display_name=STAFF_NAME, password_hash="x", role="station", stations="wenhua-lu",
                      created_at=NOW.replace(tzinfo=None))
        db.session.add(staff)
        db.session.flush()
        case = the_case(app, number)
        cases.act(roster, case, "accept", {}, staff, now=NOW)
        cases.act(roster, case, "dispatch", {"department": "司法所", "on_site": False}, staff, now=NOW)
        cases.act(roster, case, "handle", {"note": f"{STAFF_NAME}已约双方，电话 13900001111"}, staff, now=NOW)
        cases.act(roster, case, "extend", {"days": 3, "reason": "需要等待房屋鉴定结果"}, staff, now=NOW)
        cases.record_reveal(case, staff, "phone", now=NOW)
        db.session.commit()
    return number


def look_up(client, number, digits):
    return client.post("/track", data={"number": number, "phone_last4": digits})


def test_tracking_shows_the_timeline_and_department_but_no_staff(client, worked_case):
    response = look_up(client, worked_case.lower().replace("-", ""), "5678")  # typed loosely
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert worked_case in html and "正在处置" in html and "文化路社区" in html and "邻里纠纷" in html
    assert "承办部门" in html and "司法所" in html and "已交给司法所办理" in html
    assert "办理期限延长 3 个工作日" in html and "需要等待房屋鉴定结果" in html
    assert "11月20日（周五） 18:00" in html and "已登记" in html and "已受理" in html
    assert STAFF_NAME not in html and "13900001111" not in html and "13812345678" not in html
    assert "张三" not in html  # the resident's own details are not shown either
    assert "您对这次办理满意吗" not in html  # not closed yet


def test_wrong_digits_look_exactly_like_an_unknown_number(client, worked_case):
    wrong = look_up(client, worked_case, "0000")
    unknown = look_up(client, "2611-XXXX", "5678")
    assert wrong.status_code == unknown.status_code == 404
    wrong_html, unknown_html = wrong.get_data(as_text=True), unknown.get_data(as_text=True)
    # the number typed is kept so the resident can correct it; otherwise the pages are the same
    assert f'value="{worked_case}"' in wrong_html and 'value="2611-XXXX"' in unknown_html
    assert wrong_html.replace(worked_case, "N") == unknown_html.replace("2611-XXXX", "N")
    assert "没有找到" in wrong_html and 'value="0000"' not in wrong_html
    assert "tel:" in wrong_html  # someone to call
    # and the case page cannot be opened without a lookup in this browser
    other = client.application.test_client()
    response = other.get(f"/track/{worked_case}")
    assert response.status_code == 303 and "/track?number=" in response.headers["Location"]


def test_lookup_form_errors(client):
    response = look_up(client, "", "12")
    assert response.status_code == 422
    found = errors(response.get_data(as_text=True))
    assert "请填写诉求编号" in found["number"] and "最后 4 位" in found["phone_last4"]
    assert 'value="2611-7KQX"' in client.get("/track?number=2611-7kqx").get_data(as_text=True)


def test_lookups_are_rate_limited(client, app, worked_case):
    app.config["RATELIMIT_TRACK"] = "3 per minute"
    statuses = [look_up(client, worked_case, "0000").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def close(app, roster, number):
    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.models import Staff

    with app.app_context():
        staff = db.session.query(Staff).filter_by(display_name=STAFF_NAME).one()
        case = the_case(app, number)
        cases.act(roster, case, "resolve", {"outcome": "resolved", "result": "楼上已修好水管"}, staff, now=NOW)
        db.session.commit()


def test_satisfaction_once_only(client, app, roster, worked_case):
    page = client.get(client.post("/track", data={"number": worked_case, "phone_last4": "5678"}).headers["Location"])
    assert "您对这次办理满意吗" not in page.get_data(as_text=True)
    early = client.post(f"/track/{worked_case}/satisfaction", data={"score": "5"})
    assert early.status_code == 409

    close(app, roster, worked_case)
    html = client.get(f"/track/{worked_case}").get_data(as_text=True)
    assert "已办结（已化解）。结果：楼上已修好水管" in html and "您对这次办理满意吗" in html
    for score in range(1, 6):
        assert re.search(rf'<input id="score-\d" name="score"[^>]* type="radio" value="{score}">', html)
    token = csrf_token(html)
    missing = client.post(f"/track/{worked_case}/satisfaction", data={"csrf_token": token})
    assert missing.status_code == 422 and "请选一个分数" in missing.get_data(as_text=True)
    too_long = client.post(f"/track/{worked_case}/satisfaction", data={"csrf_token": token, "score": "4",
                                                                       "comment": "好" * 501})
    assert too_long.status_code == 422
    done = client.post(f"/track/{worked_case}/satisfaction", data={"csrf_token": token, "score": "4",
                                                                   "comment": "处理及时"})
    assert done.status_code == 303
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "谢谢您的评价" in html and "您的评价：4 分" in html and "您对这次办理满意吗" not in html
    again = client.post(f"/track/{worked_case}/satisfaction", data={"csrf_token": token, "score": "1"})
    assert again.status_code == 409
    with app.app_context():
        case = the_case(app, worked_case)
        assert case.satisfaction == 4 and case.satisfaction_comment == "处理及时"
        rows = [e for e in case.ledger if e.action == "satisfaction"]
        assert len(rows) == 1 and rows[0].actor == "群众" and rows[0].actor_id is None


# ---------------------------------------------------------------- JSON API

BODY = {"station": "wenhua-lu", "category": "labour", "description": "工资拖欠两个月", "location": "工地",
        "name": "王五", "phone": "13912345678", "consent": True, "sensitive_consent": False}


def test_api_categories(client, roster):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    assert response.json == [{"code": c.code, "name": c.name} for c in roster.settings.categories]


def test_api_files_a_case(client, app):
    response = client.post("/api/v1/cases", json=BODY)
    assert response.status_code == 201, response.json
    assert response.json["expected_response"] == "2026-11-23T23:59:59+08:00"
    with app.app_context():
        case = the_case(app, response.json["number"])
        assert case.category == "labour" and case.phone == "13912345678" and case.sensitive_consent_at is None


@pytest.mark.parametrize("change, fields", [
    ({"consent": False}, {"consent"}),
    ({"consent": "yes"}, {"consent"}),
    ({"phone": "12345"}, {"phone"}),
    ({"station": "nowhere", "category": "nothing"}, {"station", "category"}),
    ({"description": "字" * 2001}, {"description"}),
    ({"name": 42}, {"name"}),
    ({"sensitive": True}, {"sensitive_consent"}),
])
def test_api_refuses_invalid_input_per_field(client, change, fields):
    response = client.post("/api/v1/cases", json={**BODY, **change})
    assert response.status_code == 422
    assert response.json["error"] and set(response.json["fields"]) == fields


def test_api_refuses_a_body_that_is_not_an_object(client):
    response = client.post("/api/v1/cases", json=["no"])
    assert response.status_code == 422 and "body" in response.json["fields"]


def test_api_tracking(client, worked_case):
    response = client.get(f"/api/v1/cases/{worked_case}?phone_last4=5678")
    assert response.status_code == 200
    body = response.json
    assert body["number"] == worked_case and body["state"] == "handling" and body["department"] == "司法所"
    assert body["expected_response"] == "2026-11-23T23:59:59+08:00" and body["due"].endswith("+08:00")
    assert [s["action"] for s in body["timeline"]] == ["registered", "accept", "dispatch", "handle", "extend"]
    assert body["timeline"][2]["state"] == "dispatched" and body["timeline"][0]["at"] == "2026-11-20T18:00:00+08:00"
    assert "需要等待房屋鉴定结果" in body["timeline"][-1]["text"]
    text = response.get_data(as_text=True)
    assert STAFF_NAME not in text and "13900001111" not in text and "13812345678" not in text


def test_api_wrong_digits_look_like_an_unknown_number(client, worked_case):
    wrong = client.get(f"/api/v1/cases/{worked_case}?phone_last4=0000")
    unknown = client.get("/api/v1/cases/2611-XXXX?phone_last4=5678")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_data() == unknown.get_data() and "error" in wrong.json
    malformed = client.get(f"/api/v1/cases/{worked_case}?phone_last4=56")
    assert malformed.status_code == 422 and "phone_last4" in malformed.json["fields"]


def test_one_case_number_gets_its_tries_across_the_page_and_the_api(client, app, worked_case):
    """30 per hour per case number means 30 in all: before, the page and the API counted apart,
    and from many addresses a number got twice the documented tries."""
    app.config.update(RATELIMIT_TRACK_NUMBER="4 per hour", RATELIMIT_TRACK="1000 per minute")
    statuses = []
    for attempt in range(6):
        address = {"REMOTE_ADDR": f"10.0.0.{attempt}"}
        if attempt % 2:
            statuses.append(client.get(f"/api/v1/cases/{worked_case}?phone_last4=0000",
                                       environ_overrides=address).status_code)
        else:
            statuses.append(client.post("/track", data={"number": worked_case, "phone_last4": "0000"},
                                        environ_overrides=address).status_code)
    assert statuses == [404, 404, 404, 404, 429, 429]
    # the form page itself is not a try at any number
    assert all(client.get("/track", environ_overrides={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code == 200
               for i in range(6))
