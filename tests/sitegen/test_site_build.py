"""End-to-end build of the small fixture roster: pages, links, QR codes, calendars, JSON-LD, origin."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

import roster
from sitegen import BuildError, build_site
from tests.helpers import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small"
TODAY = date(2026, 11, 22)
BASE = "https://board.example.gov.cn/qinghe/"
FORMS = "https://forms.example.gov.cn"


@pytest.fixture(scope="module")
def model():
    return roster.load_roster(SMALL, today=TODAY)


@pytest.fixture(scope="module")
def site(tmp_path_factory, model):
    work = tmp_path_factory.mktemp("build")
    build_site(model, work / "site", BASE, FORMS, today=TODAY, src_dir=work / "src")
    return work / "site"


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


class Tags(HTMLParser):
    """Collects (tag, attrs) pairs and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = attrs
            self.scripts.append((attrs, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def links(html: str) -> list[str]:
    return [attrs["href"] for tag, attrs in parse(html).tags if tag == "a" and "href" in attrs]


# ---------------------------------------------------------------- pages

def test_every_page_is_built(site, model):
    assert (site / "index.html").is_file()
    for station in model.stations:
        for name in ("index.html", "poster.html", "cards.html", "duty.ics", "qr.svg", "complaint-qr.svg"):
            assert (site / "stations" / station.id / name).is_file(), (station.id, name)
    for officer in model.officers:
        assert (site / "officers" / officer.id / "index.html").is_file()
        assert (site / "officers" / officer.id / "duty.ics").is_file()
    for street in model.streets:
        assert (site / "streets" / street.id / "index.html").is_file()
    assert (site / "data" / "stations.json").is_file()
    assert (site / "data" / "search.json").is_file()


def test_station_page_shows_the_board(site, model):
    html = read(site, "stations/wenhua-lu/index.html")
    assert '<html lang="zh-CN"' in html
    assert "<h1>文化路社区</h1>" in html
    station = model.station("wenhua-lu")
    assert station.address in html
    officers = model.officers_at("wenhua-lu")
    assert {o.role for o in officers} >= {"judge", "prosecutor", "police", "lawyer"}
    hrefs = links(html)
    for officer in officers:
        assert officer.name in html
        assert officer.organisation in html
        assert f"../../officers/{officer.id}/" in hrefs
        assert "tel:" + officer.phone.replace("-", "") in hrefs or any(
            h.startswith("tel:" + officer.phone.split("-")[0]) for h in hrefs)
    for role in ("法官", "检察官", "警官", "律师"):
        assert 'class="sb-role sb-role--' in html and role in html
    assert "tel:110" in hrefs
    assert "每周值班表" in html and "<table class=\"sb-week\">" in html


def test_buttons_prefill_station_and_officer(site, model):
    hrefs = links(read(site, "stations/wenhua-lu/index.html"))
    bookings = [urlparse(h) for h in hrefs if h.startswith(FORMS + "/book")]
    queries = [parse_qs(u.query) for u in bookings]
    assert {"station": ["wenhua-lu"]} in queries
    officer_ids = {q["officer"][0] for q in queries if "officer" in q}
    assert officer_ids == {o.id for o in model.officers_at("wenhua-lu")}
    assert all(q["station"] == ["wenhua-lu"] for q in queries)
    assert f"{FORMS}/complaint?station=wenhua-lu" in hrefs


def test_without_forms_url_there_are_no_dead_buttons(tmp_path, model):
    build_site(model, tmp_path / "site", BASE, None, today=TODAY, src_dir=tmp_path / "src")
    html = read(tmp_path / "site", "stations/wenhua-lu/index.html")
    assert "/book?" not in html and "complaint?" not in html
    assert not (tmp_path / "site/stations/wenhua-lu/complaint-qr.svg").exists()


def test_station_page_does_not_carry_other_stations(site):
    """The navigation must not list every station: pages stay the same size as the roster grows."""
    html = read(site, "stations/wenhua-lu/index.html")
    assert "江湾社区" not in html
    assert "../../stations/jiangwan/" not in html


def test_officer_page(site, model):
    officer = model.officer("zhou-minghui")
    html = read(site, "officers/zhou-minghui/index.html")
    assert officer.name in html and officer.organisation in html
    assert "文化路社区" in html and "书院社区" in html
    assert "../../stations/wenhua-lu/" in links(html)
    assert "duty.ics" in links(html)


def test_street_and_home_pages_list_stations(site, model):
    home = read(site, "index.html")
    for station in model.stations:
        assert f'href="stations/{station.id}/"' in home
        assert station.name in home
    for street in model.streets:
        page = read(site, f"streets/{street.id}/index.html")
        for station in model.stations_of(street.id):
            assert f"../../stations/{station.id}/" in links(page)


def test_week_table_is_readable_without_javascript(site, model):
    html = read(site, "stations/wenhua-lu/index.html")
    table = html[html.index('<table class="sb-week">'):html.index("</table>")]
    for day in ("周一", "周二", "周三", "周四", "周五", "周六", "周日"):
        assert f'<th scope="row">{day}</th>' in table
    police = next(o for o in model.officers_at("wenhua-lu") if o.role == "police")
    assert police.name in table


def test_embedded_schedule_covers_the_coming_weeks(site, model):
    tags = parse(read(site, "stations/wenhua-lu/index.html"))
    data = json.loads(next(text for attrs, text in tags.scripts if attrs.get("id") == "duty-data"))
    assert data["from"] == TODAY.isoformat()
    expected = roster.occurrences(model, TODAY, date(2026, 12, 31), station="wenhua-lu")
    days = {(day, data["people"][e[0]][0], e[1], e[2]) for day, entries in data["days"].items() for e in entries}
    for occ in expected:
        assert (occ.start.date().isoformat(), model.officer(occ.officer).name, f"{occ.start:%H:%M}",
                f"{occ.end:%H:%M}") in days


# ---------------------------------------------------------------- QR codes

def decode_svg(path: Path) -> list[str]:
    """Rasterise the SVG as written (resvg) and read it with a real decoder (ZXing)."""
    import resvg_py
    import zxingcpp
    from PIL import Image

    png = bytes(resvg_py.svg_to_bytes(svg_path=str(path), width=600, height=600, background="#ffffff",
                                      skip_system_fonts=True))
    image = Image.open(io.BytesIO(png)).convert("L")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_station_qr_code_decodes_to_the_absolute_station_url(site, model):
    for station in model.stations:
        assert decode_svg(site / "stations" / station.id / "qr.svg") == [f"{BASE}stations/{station.id}/"]


def test_complaint_qr_code_decodes_to_the_complaint_form(site):
    assert decode_svg(site / "stations/wenhua-lu/complaint-qr.svg") == [f"{FORMS}/complaint?station=wenhua-lu"]


def test_qr_codes_have_quiet_zone_and_error_level_m_or_better(site):
    import segno

    svg = read(site, "stations/wenhua-lu/qr.svg")
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    url = f"{BASE}stations/wenhua-lu/"
    code = segno.make(url, error="m", boost_error=True, micro=False)
    assert code.error in ("M", "Q", "H")
    assert size == code.symbol_size(scale=1, border=4)[0]  # 4-module quiet zone on each side


def test_poster_and_cards_use_the_qr_codes(site):
    poster = parse(read(site, "stations/wenhua-lu/poster.html"))
    images = [attrs for tag, attrs in poster.tags if tag == "img"]
    assert {"qr.svg", "complaint-qr.svg"} <= {attrs["src"] for attrs in images}
    assert all(attrs.get("alt") for attrs in images)
    for image in images:
        if image["src"].endswith("qr.svg"):
            # The symbol itself, its 4-module quiet zone on each side not counted, prints at least 5 cm wide.
            svg = read(site, f"stations/wenhua-lu/{image['src']}")
            size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
            width = float(re.fullmatch(r"width: ([\d.]+)mm", image["style"]).group(1))
            assert width * (size - 8) / size >= 50, image
    css = (site / "assets/stylesheets/print.css").read_text(encoding="utf-8")
    assert "@page { size: A4" in css
    cards = read(site, "stations/wenhua-lu/cards.html")
    assert cards.count('class="card"') == 8
    assert cards.count('src="qr.svg"') == 8


def test_poster_carries_every_officer_and_the_roster_date(site, model):
    poster = read(site, "stations/wenhua-lu/poster.html")
    for officer in model.officers_at("wenhua-lu"):
        assert officer.name in poster
    assert f"名单日期：{model.updated.isoformat()}" in poster


# ---------------------------------------------------------------- calendars

def test_duty_calendars_parse_and_recur(site, model):
    from icalendar import Calendar

    cal = Calendar.from_ical((site / "stations/wenhua-lu/duty.ics").read_bytes())
    assert str(cal["version"]) == "2.0"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    assert events
    for event in events:
        start = event.decoded("dtstart")
        assert start.utcoffset().total_seconds() == 8 * 3600
        assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
        assert event.decoded("dtend") > start
    rules = [event.get("rrule") for event in events if event.get("rrule")]
    assert any(rule["FREQ"] == ["WEEKLY"] for rule in rules)
    uids = [str(event["uid"]) for event in events]
    assert len(uids) == len(set(uids))


def test_calendar_occurrences_match_the_roster(site, model):
    """Expanding the feed's RRULE/EXDATE gives exactly the roster's own occurrences."""
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    cal = Calendar.from_ical((site / "stations/wenhua-lu/duty.ics").read_bytes())
    start, end = date(2026, 11, 23), date(2027, 2, 28)
    found = set()
    for event in cal.walk("VEVENT"):
        first = event.decoded("dtstart")
        if event.get("rrule"):
            rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=first)
            exdates = set()
            for ex in (event.get("exdate") if isinstance(event.get("exdate"), list) else [event.get("exdate")]):
                if ex is not None:
                    exdates |= {d.dt for d in ex.dts}
            moments = [m for m in rule.between(*(x for x in _bounds(first, start, end)), inc=True) if m not in exdates]
        else:
            moments = [first]
        found |= {(m.date(), m.strftime("%H:%M")) for m in moments if start <= m.date() <= end}
    expected = {(o.start.date(), o.start.strftime("%H:%M"))
                for o in roster.occurrences(model, start, end, station="wenhua-lu")}
    assert found == expected


def _bounds(first, start, end):
    from datetime import datetime, time

    return (datetime.combine(start, time.min, tzinfo=first.tzinfo), datetime.combine(end, time.max, tzinfo=first.tzinfo))


def test_holiday_is_excluded_from_the_calendar(site, model):
    exc = model.exceptions[0]
    text = (site / "stations/wenhua-lu/duty.ics").read_text(encoding="utf-8")
    assert "EXDATE" in text, f"the holiday {exc.reason} must appear as EXDATE"


# ---------------------------------------------------------------- structured and open data

def jsonld(html: str) -> dict:
    tags = parse(html)
    return json.loads(next(text for attrs, text in tags.scripts if attrs.get("type") == "application/ld+json"))


def test_station_jsonld(site, model):
    data = jsonld(read(site, "stations/wenhua-lu/index.html"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentService"
    assert data["url"] == f"{BASE}stations/wenhua-lu/"
    people = {p["name"]: p for p in data["employee"]}
    for officer in model.officers_at("wenhua-lu"):
        assert people[officer.name]["@type"] == "Person"
        assert people[officer.name]["telephone"] == officer.phone


def test_officer_jsonld_has_office_phone_only(site, model):
    officer = model.officer("zhou-minghui")
    data = jsonld(read(site, "officers/zhou-minghui/index.html"))
    assert data["@type"] == "Person" and data["name"] == officer.name
    assert data["telephone"] == officer.phone
    phones = re.findall(r"1[3-9]\d{9}", json.dumps(data))
    assert not phones, "no mobile numbers in structured data"


def test_open_data(site, model):
    data = json.loads(read(site, "data/stations.json"))
    assert {s["id"] for s in data["stations"]} == {s.id for s in model.stations}
    station = next(s for s in data["stations"] if s["id"] == "wenhua-lu")
    assert station["url"] == f"{BASE}stations/wenhua-lu/"
    assert {o["id"] for o in station["officers"]} == {o.id for o in model.officers_at("wenhua-lu")}
    for officer in station["officers"]:
        assert officer["duties"], officer["id"]
        for duty in officer["duties"]:
            assert re.fullmatch(r"\d\d:\d\d", duty["opens_at"]) and duty["text"]


# ---------------------------------------------------------------- nothing loads from elsewhere

RESOURCE_ATTRS = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "frame": ["src"],
                  "source": ["src", "srcset"], "video": ["src", "poster"], "audio": ["src"], "embed": ["src"],
                  "object": ["data"], "track": ["src"], "input": ["src"]}
LOADING_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
                "manifest", "apple-touch-icon", "mask-icon"}
# The theme's minified bundles carry URLs of features we do not use; the browser test proves
# that no request leaves (issue 6). Everything we write ourselves is scanned.
THEME_BUNDLES = re.compile(r"assets/(javascripts/(bundle|workers/|lunr/)|stylesheets/(main|palette)\.)")


def off_origin(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https"):
        return not url.startswith(BASE)
    return False


def test_no_resource_loads_from_another_origin(site):
    problems = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or THEME_BUNDLES.match(rel):
            continue
        text = path.read_text(encoding="utf-8", errors="replace") if path.suffix in (
            ".html", ".css", ".js", ".json", ".svg", ".xml") else ""
        if path.suffix == ".html":
            for tag, attrs in parse(text).tags:
                for attr in RESOURCE_ATTRS.get(tag, []):
                    for value in (attrs.get(attr) or "").split(","):
                        if value and off_origin(value.split()[0]):
                            problems.append(f"{rel}: <{tag} {attr}={value}>")
                if tag == "link" and set((attrs.get("rel") or "").lower().split()) & LOADING_RELS:
                    if off_origin(attrs.get("href", "")):
                        problems.append(f"{rel}: <link {attrs}>")
                if "style" in attrs:
                    problems += [f"{rel}: style url({u})" for u in re.findall(r"url\(['\"]?([^)'\"]+)", attrs["style"])
                                 if off_origin(u)]
            for block in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S):
                problems += [f"{rel}: <style> url({u})" for u in re.findall(r"url\(['\"]?([^)'\"]+)", block) if off_origin(u)]
        elif path.suffix == ".css":
            problems += [f"{rel}: url({u})" for u in re.findall(r"url\(['\"]?([^)'\"]+)", text) if off_origin(u)]
            problems += [f"{rel}: @import {u}" for u in re.findall(r"@import\s+['\"]([^'\"]+)", text) if off_origin(u)]
        elif path.suffix == ".js":
            problems += [f"{rel}: {u}" for u in re.findall(r"https?://[^\s'\"`)]+", text) if off_origin(u)]
        elif path.suffix == ".svg":
            problems += [f"{rel}: {u}" for u in re.findall(r"(?:href|src)=\"(https?://[^\"]+)", text) if off_origin(u)]
    assert not problems, "\n".join(problems)


def test_no_google_fonts_and_system_cjk_fonts(site):
    html = read(site, "stations/wenhua-lu/index.html")
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    css = (site / "assets/stylesheets/board.css").read_text(encoding="utf-8")
    assert "PingFang SC" in css and "Microsoft YaHei" in css and "Noto Sans CJK SC" in css


def test_theme_search_plugin_is_off(site):
    assert not (site / "search" / "search_index.json").exists()


# ---------------------------------------------------------------- publishing safely

def run_build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_cli_build_then_failed_build_keeps_the_old_site(tmp_path):
    out = tmp_path / "site"
    good = run_build("--data", str(SMALL), "--out", str(out), "--today", "2026-11-22", "--base-url", BASE)
    assert good.returncode == 0, good.stderr
    assert "site built" in good.stdout
    before = (out / "stations/wenhua-lu/index.html").read_bytes()

    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("officers.yaml", "roster.yaml"):
        (broken / name).write_text((SMALL / name).read_text(encoding="utf-8"), encoding="utf-8")
    roster_yaml = broken / "roster.yaml"
    roster_yaml.write_text(roster_yaml.read_text(encoding="utf-8").replace("station: wenhua-lu", "station: nowhere", 1),
                           encoding="utf-8")
    bad = run_build("--data", str(broken), "--out", str(out), "--today", "2026-11-22")
    assert bad.returncode == 1
    assert "nowhere" in bad.stderr and "NOT published" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout
    assert (out / "stations/wenhua-lu/index.html").read_bytes() == before


def test_failure_inside_mkdocs_keeps_the_old_site(tmp_path, model, monkeypatch):
    out = tmp_path / "site"
    build_site(model, out, BASE, None, today=TODAY, src_dir=tmp_path / "src")
    marker = out / "index.html"
    before = marker.read_bytes()

    from mkdocs.exceptions import Abort

    import sitegen.publish

    def interrupted(config):
        Path(config["site_dir"], "index.html").parent.mkdir(parents=True, exist_ok=True)
        Path(config["site_dir"], "index.html").write_text("half a site")
        raise Abort("interrupted")

    monkeypatch.setattr(sitegen.publish, "mkdocs_build", interrupted)
    with pytest.raises(BuildError):
        build_site(model, out, BASE, None, today=TODAY, src_dir=tmp_path / "src")
    assert marker.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")] == []


def test_bad_base_url_is_refused_before_anything_is_written(tmp_path, model):
    with pytest.raises(BuildError, match="--base-url"):
        build_site(model, tmp_path / "site", "board.example.gov.cn", None, today=TODAY, src_dir=tmp_path / "src")
    assert not (tmp_path / "site").exists()


def test_holidays_are_named_in_the_embedded_schedule(tmp_path, model):
    build_site(model, tmp_path / "site", BASE, None, today=date(2026, 12, 20), src_dir=tmp_path / "src")
    tags = parse(read(tmp_path / "site", "stations/wenhua-lu/index.html"))
    data = json.loads(next(text for attrs, text in tags.scripts if attrs.get("id") == "duty-data"))
    holiday = next(e for e in model.exceptions if e.station is None and e.officer is None)
    assert data["closed"][holiday.from_.isoformat()] == holiday.reason
    assert holiday.from_.isoformat() not in data["days"]


def test_calendar_links_subscribe_and_download(site):
    hrefs = links(read(site, "stations/wenhua-lu/index.html"))
    assert "webcal://board.example.gov.cn/qinghe/stations/wenhua-lu/duty.ics" in hrefs
    assert "duty.ics" in hrefs


def test_no_booking_promised_without_the_form_service(tmp_path, model):
    build_site(model, tmp_path / "site", BASE, None, today=TODAY, src_dir=tmp_path / "src")
    for page in ("index.html", "stations/wenhua-lu/index.html", "stations/wenhua-lu/poster.html"):
        assert "预约" not in read(tmp_path / "site", page), page


def test_not_found_page_is_in_chinese_with_a_way_home(site):
    html = read(site, "404.html")
    assert "没有找到这个页面" in html and "回到首页" in html


def test_past_reception_days_are_not_shown_as_coming(tmp_path, model):
    build_site(model, tmp_path / "site", BASE, None, today=date(2027, 6, 1), src_dir=tmp_path / "src")
    html = read(tmp_path / "site", "stations/wenhua-lu/index.html")
    reception = [d for a in model.assignments if a.station == "wenhua-lu" for d in a.duties if d.system == "reception"]
    assert reception and all(max(d.dates) < date(2027, 6, 1) for d in reception)
    assert "（接访）" not in html


def test_a_vacancy_is_said_on_its_station_page_with_a_number_to_call(tmp_path):
    # shuyuan has no lawyer for now; jiangwan declares a police vacancy although it has a police officer
    vacant = roster.load_roster(ROOT / "tests" / "fixtures" / "bad" / "vacancy-declared", today=TODAY)
    build_site(vacant, tmp_path / "site", BASE, None, today=TODAY, src_dir=tmp_path / "src")
    shuyuan = parse(read(tmp_path / "site", "stations/shuyuan/index.html"))
    notices = [attrs for tag, attrs in shuyuan.tags if tag == "p" and "sb-vacancy" in attrs.get("class", "")]
    assert len(notices) == 1
    # shuyuan has no phone of its own: the street's hotline is the number to call
    html = read(tmp_path / "site", "stations/shuyuan/index.html")
    notice = re.search(r'<p class="sb-vacancy">(.*?)</p>', html, re.S).group(1)
    assert notice == '律师岗位暂缺，咨询请拨打文昌街道热线 <a class="sb-tel" href="tel:073128810000">0731-28810000</a>' 
    for other in ("wenhua-lu", "jiangwan"):
        assert "岗位暂缺" not in read(tmp_path / "site", f"stations/{other}/index.html")


def test_an_officers_and_a_duty_rooms_notification_contact_are_never_published(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    officers = data / "officers.yaml"
    text = officers.read_text(encoding="utf-8")
    first_id = roster.load_roster(SMALL, today=TODAY).officers[0].id
    text = text.replace(f"id: {first_id}\n", f"id: {first_id}\n    notify: secret-inbox@example.gov.cn\n", 1)
    officers.write_text(text, encoding="utf-8")
    stations = data / "roster.yaml"  # and the duty room's
    station_id = roster.load_roster(SMALL, today=TODAY).stations[0].id
    stations.write_text(stations.read_text(encoding="utf-8").replace(
        f"  - id: {station_id}\n", f"  - id: {station_id}\n    notify: secret-duty@example.gov.cn\n", 1), encoding="utf-8")
    model = roster.load_roster(data, today=TODAY)
    assert model.officer(first_id).notify == "secret-inbox@example.gov.cn"
    build_site(model, tmp_path / "site", BASE, FORMS, today=TODAY, src_dir=tmp_path / "src")
    assert model.station(station_id).notify == "secret-duty@example.gov.cn"
    leaks = [p for p in (tmp_path / "site").rglob("*") if p.is_file() and b"secret-" in p.read_bytes()]
    assert leaks == []
