"""Scale from day one: a station page must not grow with the number of stations."""
from __future__ import annotations

from datetime import date

import roster
from sitegen import build_site
from tools.synthetic_roster import write_roster

TODAY = date(2026, 11, 22)


def build(tmp_path, stations: int):
    data = write_roster(tmp_path / f"data-{stations}", stations)
    model = roster.load_roster(data, today=TODAY)
    out = tmp_path / f"site-{stations}"
    build_site(model, out, "https://board.example.gov.cn/", "https://forms.example.gov.cn/", today=TODAY,
               src_dir=tmp_path / f"src-{stations}")
    return out


def test_station_page_size_is_constant_as_stations_grow(tmp_path):
    small, large = build(tmp_path, 4), build(tmp_path, 60)
    for page in ("stations/st-1/index.html", "officers/p-1/index.html"):
        a, b = (small / page).stat().st_size, (large / page).stat().st_size
        assert abs(b - a) / a < 0.02, f"{page}: {a} bytes with 4 stations, {b} with 60"
    html = (large / "stations/st-1/index.html").read_text(encoding="utf-8")
    assert "第40社区" not in html  # no list of all stations in the navigation


def test_search_index_stays_small(tmp_path):
    out = build(tmp_path, 60)
    size = (out / "data/search.json").stat().st_size
    entries = 60 + 60 * 4 + 3
    assert size / entries < 150, f"{size / entries:.0f} bytes per entry"
