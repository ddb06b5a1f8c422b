"""Printables in Chromium: the poster and the contact-card sheet each fill exactly one A4 page,
nothing is cut off, and the QR codes on the printed page decode to the right URLs."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import roster
from sitegen import build_site
from tests.helpers import ROOT
from tools.browser import serve_directory

TODAY = date(2026, 11, 22)
BASE = "https://board.example.gov.cn/"
FORMS = "https://forms.example.gov.cn"


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


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    work = tmp_path_factory.mktemp("print")
    built = {}
    for name, data in (("small", ROOT / "tests/fixtures/small"), ("crowded", crowded_roster(work / "crowded", 14))):
        model = roster.load_roster(data, today=TODAY)
        build_site(model, work / f"site-{name}", BASE, FORMS, today=TODAY, src_dir=work / f"src-{name}")
        built[name] = work / f"site-{name}"
    return built


def print_pdf(browser, site: Path, path: str) -> tuple[bytes, dict]:
    with serve_directory(site) as base:
        page = browser.new_page()
        page.goto(base + path)
        page.emulate_media(media="print")
        fits = page.evaluate("""() => {
            const page = document.querySelector('.page');
            const box = page.getBoundingClientRect();
            const cut = [...page.querySelectorAll('article, figure, .poster__contacts')]
                .filter(el => { const r = el.getBoundingClientRect(); return r.bottom > box.bottom + 1 || r.right > box.right + 1; })
                .map(el => el.textContent.trim().slice(0, 30));
            const overflowing = [...page.querySelectorAll('.person, .card')]
                .filter(el => el.scrollHeight > el.clientHeight + 1).map(el => el.textContent.trim().slice(0, 30));
            return {cut, overflowing};
        }""")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        page.close()
    return pdf, fits


def pdf_pages(pdf: bytes):
    pdfium = pytest.importorskip("pypdfium2")
    return pdfium.PdfDocument(pdf)


def decode_page(document) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = document[0].render(scale=3).to_pil().convert("L")
    return sorted({result.text for result in zxingcpp.read_barcodes(image)})


@pytest.mark.parametrize("station_site, station", [("small", "wenhua-lu"), ("crowded", "busy")])
def test_poster_is_one_a4_page_with_everyone_on_it(browser, sites, station_site, station):
    pdf, fits = print_pdf(browser, sites[station_site], f"stations/{station}/poster.html")
    assert fits == {"cut": [], "overflowing": []}
    document = pdf_pages(pdf)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert decode_page(document) == sorted([f"{BASE}stations/{station}/", f"{FORMS}/complaint?station={station}"])


def test_contact_cards_are_one_a4_page_of_eight(browser, sites):
    pdf, fits = print_pdf(browser, sites["small"], "stations/wenhua-lu/cards.html")
    assert fits == {"cut": [], "overflowing": []}
    document = pdf_pages(pdf)
    assert len(document) == 1
    zxingcpp = pytest.importorskip("zxingcpp")
    image = document[0].render(scale=4).to_pil().convert("L")
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [f"{BASE}stations/wenhua-lu/"] * 8
