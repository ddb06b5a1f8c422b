"""Printables in Chromium, as a clerk prints them: every example station's poster and contact-card
sheet, the small test roster's, and a synthetic worst case, printed to PDF, rasterised and read back.
On every printed page both QR codes decode to the right URLs and print at least 5 cm wide; nothing
is cut off (no page, card or person box holds more than it shows, and every name is in the PDF)."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

import roster
from sitegen import build_site
from sitegen.render import POSTER_LIMIT
from tests.helpers import ROOT
from tools.browser import serve_directory

TODAY = date(2026, 11, 22)
BASE = "https://board.example.gov.cn/"
FORMS = "https://forms.example.gov.cn"
SCALE = 3  # pixels per PDF point when rasterising
POSTER_QR_MM = 50
CARD_QR_MM = 18  # a household card is 9.7 × 7 cm and read from a hand's length: its code is 2.3 cm with the quiet zone
ROLES = ["judge", "prosecutor", "police", "lawyer", "mediator", "grid-worker", "counsellor"]


def crowded_roster(folder: Path, people: int) -> Path:
    """One station with many people on its board (三官一师 plus mediators and grid workers)."""
    folder.mkdir()
    roles = ["judge", "prosecutor", "police", "lawyer"] + ["mediator", "grid-worker", "counsellor"] * 4
    officers = ["officers:"] + [
        f"  - {{id: p{i}, name: 测试人员{i}, role: {roles[i]}, organisation: 青禾区某某单位第{i}科室, title: 工作人员, "
        f"phone: 0731-2881{i:04d}, specialties: [婚姻家庭, 邻里纠纷]}}" for i in range(people)]
    roster_yaml = ["districts: [{id: d, name: 测试区}]", "streets: [{id: s, name: 测试街道, district: d, hotline: 12345}]",
                   "stations: [{id: busy, name: 人员很多的社区, street: s, address: 测试路 1 号}]", "assignments:"]
    roster_yaml += [f"  - {{officer: p{i}, station: busy, duties: [{{system: resident, freq: weekly, byday: [MO, WE], "
                    f"opens_at: '09:00', closes_at: '11:30'}}, {{system: visiting, freq: monthly, byday: [1TH], "
                    f"opens_at: '14:00', closes_at: '17:00'}}]}}" for i in range(people)]
    (folder / "officers.yaml").write_text("\n".join(officers) + "\n", encoding="utf-8")
    (folder / "roster.yaml").write_text("\n".join(roster_yaml) + "\n", encoding="utf-8")
    return folder


def worst_case_roster(folder: Path, people: int = 12) -> Path:
    """One station with long names everywhere: long organisations and titles, phones with extensions,
    four duties each (with places, a fortnightly rotation and a list of reception days), two phones,
    three opening-hours rows and a long address."""
    folder.mkdir()
    officers = ["officers:"] + [
        f"  - {{id: w{i}, name: 欧阳某某{i}, role: {ROLES[i % len(ROLES)]}, "
        f"organisation: 青禾区滨江街道平安综合治理服务中心矛盾纠纷多元化解工作站第{i}工作室, "
        f"title: 四级高级专员兼社区矛盾纠纷调处工作组副组长（驻点联络员）, phone: 0731-2882{i:04d}-8{i:02d}}}"
        for i in range(people)]
    lines = ["districts: [{id: d, name: 青禾区, hotline: 12345}]",
             "streets: [{id: s, name: 滨江街道办事处, district: d, hotline: 0731-28820000}]",
             "stations:",
             "  - id: worst-case",
             "    name: 滨江街道江湾片区平安综合治理服务驿站",
             "    street: s",
             "    address: 青禾区滨江街道江湾路 166 号江湾片区党群服务中心二楼东侧综合治理服务大厅",
             "    opening_hours:",
             "      - {byday: [MO, TU, WE, TH, FR], opens_at: '08:30', closes_at: '12:00'}",
             "      - {byday: [MO, TU, WE, TH, FR], opens_at: '14:30', closes_at: '17:30'}",
             "      - {byday: [SA, SU], opens_at: '09:00', closes_at: '11:30'}",
             "    phones:",
             "      - {label: 值班电话, number: 0731-28821001}",
             "      - {label: 调解热线, number: 0731-28821002}",
             "assignments:"]
    for i in range(people):
        lines += [f"  - officer: w{i}", "    station: worst-case", "    duties:",
                  "      - {system: resident, freq: weekly, byday: [MO, WE, FR], opens_at: '08:30', closes_at: '12:00', "
                  f"place: 江湾片区综合治理服务大厅第{i}接待室}}",
                  "      - {system: rotation, freq: weekly, interval: 2, byday: [TU], opens_at: '14:30', "
                  "closes_at: '17:30', valid_from: 2026-01-05, place: 调解室}",
                  f"      - {{system: visiting, freq: monthly, byday: [{1 + i % 4}TH], opens_at: '14:30', closes_at: '17:00'}}",
                  "      - {system: reception, dates: [2026-12-10, 2027-01-14, 2027-02-11, 2027-03-11], "
                  "opens_at: '09:00', closes_at: '11:30', note: 负责人接访日}"]
    (folder / "officers.yaml").write_text("\n".join(officers) + "\n", encoding="utf-8")
    (folder / "roster.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """name → (built site, roster model)."""
    work = tmp_path_factory.mktemp("print")
    built = {}
    for name, data in (("data", ROOT / "data"), ("small", ROOT / "tests/fixtures/small"),
                       ("crowded", crowded_roster(work / "crowded", 14)),
                       ("worst", worst_case_roster(work / "worst", 12))):
        model = roster.load_roster(data, today=TODAY)
        build_site(model, work / f"site-{name}", BASE, FORMS, today=TODAY, src_dir=work / f"src-{name}")
        built[name] = (work / f"site-{name}", model)
    return built


def print_pdf(browser, site: Path, path: str) -> tuple[pdfium.PdfDocument, dict]:
    """The page printed as Chromium prints it, and what its boxes hold beyond what they show."""
    with serve_directory(site) as base:
        page = browser.new_page()
        page.goto(base + path)
        page.emulate_media(media="print")
        layout = page.evaluate("""() => {
            const over = el => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
            const pages = [...document.querySelectorAll('.page')];
            return {
                sheets: pages.length,
                growing: pages.filter(p => p.classList.contains('page--grow')).length,
                overfull: pages.filter(over).length,
                cut: [...document.querySelectorAll('.person, .card, .poster__people')].filter(over)
                    .map(el => el.textContent.trim().slice(0, 30)),
            };
        }""")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        page.close()
    return pdfium.PdfDocument(pdf), layout


def codes_on(page) -> list[tuple[str, float]]:
    """(text, width in mm) of every QR code on a printed page."""
    image = page.render(scale=SCALE).to_pil().convert("L")
    found = []
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        corners = result.position
        pixels = math.dist((corners.top_left.x, corners.top_left.y), (corners.top_right.x, corners.top_right.y))
        found.append((result.text, pixels / SCALE / 72 * 25.4))
    return sorted(found)


def text_on(document) -> str:
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def assert_a4(document) -> None:
    for i in range(len(document)):
        width, height = document[i].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def stations(sites):
    return [(name, station.id) for name, (_, model) in sites.items() for station in model.stations]


CASES = [("data", s) for s in ("wenhua-lu", "shuyuan", "guihua-yuan", "xinhua-li", "nanmen", "dongling-cun", "jiangwan",
                                "yugang", "wanghai", "liuan", "baisha-cun", "binjiang-yizhan")]
CASES += [("small", s) for s in ("wenhua-lu", "shuyuan", "jiangwan")] + [("crowded", "busy"), ("worst", "worst-case")]


def test_every_example_station_is_printed(sites):
    """CASES names every station of data/ and of the small roster: a station added there is printed too."""
    assert sorted(stations(sites)) == sorted(CASES)


@pytest.mark.parametrize("name, station", CASES)
def test_poster_pages_carry_everyone_and_both_qr_codes(browser, sites, name, station):
    site, model = sites[name]
    document, layout = print_pdf(browser, site, f"stations/{station}/poster.html")
    assert layout["cut"] == [] and layout["overfull"] == 0 and layout["growing"] == 0
    assert len(document) == layout["sheets"], "a poster page spilled onto another sheet"
    # The example boards fit one page; fourteen people, or a dozen with long titles and four duties each,
    # continue on a second page.
    assert len(document) == (2 if name in ("crowded", "worst") else 1)
    assert_a4(document)
    expected = sorted([f"{BASE}stations/{station}/", f"{FORMS}/complaint?station={station}"])
    for i in range(len(document)):
        codes = codes_on(document[i])
        assert [text for text, _ in codes] == expected, f"page {i + 1}"
        assert all(width >= POSTER_QR_MM for _, width in codes), f"page {i + 1}: {codes}"
    text = text_on(document)
    shown = model.officers_at(station)[:POSTER_LIMIT]  # the rest are behind the QR code
    for officer in shown:
        assert officer.name in text and officer.phone.split("-")[-1] in text
    assert text.count(f"名单日期：{model.updated.isoformat()}") == len(document)
    if len(document) > 1:
        assert f"第 {len(document)} 页，共 {len(document)} 页" in text


@pytest.mark.parametrize("name, station", CASES)
def test_contact_cards_are_one_a4_page_of_eight(browser, sites, name, station):
    site, model = sites[name]
    document, layout = print_pdf(browser, site, f"stations/{station}/cards.html")
    assert layout["cut"] == [] and layout["overfull"] == 0
    assert len(document) == 1
    assert_a4(document)
    codes = codes_on(document[0])
    assert [text for text, _ in codes] == [f"{BASE}stations/{station}/"] * 8
    assert all(width >= CARD_QR_MM for _, width in codes), codes
    text = text_on(document)
    # The title is a card's first line and 110 its last: all eight whole.
    assert text.count("便民联系卡") == text.count("紧急情况 110") == 8
    for officer in model.officers_at(station)[:4]:  # at least one of each required role is on a card
        if officer.role in model.settings.required_roles:
            assert text.count(officer.name) >= 8
