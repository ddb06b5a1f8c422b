"""Render the whole site source in memory: path → content. Nothing touches the disk here."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from roster.domain import Roster

from . import links
from .avatar import avatar_svg
from .ics import duty_calendar
from .jsonld import officer_jsonld, station_jsonld
from .opendata import search_index, stations_json
from .qr import qr_image
from .views import district_views, officer_view, station_view

SITE_TITLE = "三官一师公示栏"
# More people than this do not fit one A4 poster legibly; the rest are behind the QR code.
POSTER_LIMIT = 16


@dataclass(frozen=True)
class SiteOptions:
    base_url: str
    forms_url: str | None
    today: date


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("sitegen", "templates"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    # JSON strings are valid YAML scalars: safe for names with colons or quotes in front matter.
    env.filters["yaml"] = lambda text: Markup(json.dumps(str(text), ensure_ascii=False))
    return env


def _photo_name(officer) -> str:
    return "photo" + Path(officer.photo).suffix.lower() if officer.photo else "avatar.svg"


def _photo_exists(roster: Roster, officer) -> bool:
    return bool(officer.photo) and (roster.data_dir / officer.photo).is_file()


def render_site(roster: Roster, options: SiteOptions) -> dict[str, str | bytes]:
    env = _environment()
    today, base = options.today, options.base_url
    updated = roster.updated.isoformat()
    board_title = "".join(roster.role_name(r)[:1] for r in roster.settings.required_roles)
    board_title = "三官一师" if roster.settings.required_roles == ("judge", "prosecutor", "police", "lawyer") else board_title
    photos = {o.id: (_photo_name(o) if _photo_exists(roster, o) else "avatar.svg") for o in roster.officers}
    officer_paths = {o.id: links.officer_dir(o.id) for o in roster.officers}
    files: dict[str, str | bytes] = {}
    alts = {o.id: (f"{roster.role_name(o.role)}{o.name}的照片" if _photo_exists(roster, o) else f"{o.name}的头像")
            for o in roster.officers}
    common = {"updated": updated, "board_title": board_title, "photos": photos, "officer_paths": officer_paths,
              "site_title": SITE_TITLE, "alts": alts, "poster_limit": POSTER_LIMIT,
              "has_forms": bool(options.forms_url)}

    for station in roster.stations:
        view = station_view(roster, station, today, options.forms_url)
        folder = links.station_dir(station.id)
        abs_url = links.absolute(base, folder)
        context = dict(common, v=view, root="../../", abs_url=abs_url, street_path=links.street_dir(view.street_id),
                       webcal=links.webcal(abs_url + "duty.ics"),
                       jsonld=station_jsonld(roster, station, base))
        qr = qr_image(abs_url, f"{station.name}：{abs_url}")
        complaint_qr = qr_image(view.complaint_url, f"{station.name}反映诉求") if view.complaint_url else None
        context.update(qr_mm=qr.poster_mm, complaint_qr_mm=complaint_qr.poster_mm if complaint_qr else None)
        files[folder + "index.md"] = env.get_template("station.md.j2").render(context)
        files[folder + "poster.html"] = env.get_template("poster.html.j2").render(context)
        required = [c for c in view.cards if c.officer.role in roster.settings.required_roles]
        seen_roles: set[str] = set()
        card_people = [c for c in required if not (c.officer.role in seen_roles or seen_roles.add(c.officer.role))]
        card_people += [c for c in view.cards if c not in card_people][: max(0, 6 - len(card_people))]
        files[folder + "cards.html"] = env.get_template("cards.html.j2").render(context, card_people=card_people)
        files[folder + "qr.svg"] = qr.svg
        if complaint_qr:
            files[folder + "complaint-qr.svg"] = complaint_qr.svg
        files[folder + "duty.ics"] = duty_calendar(roster, today, base, f"{station.name}值班", station=station.id)

    for officer in roster.officers:
        folder = links.officer_dir(officer.id)
        view = officer_view(roster, officer, today, options.forms_url)
        context = dict(common, o=officer, role_name=view.role_name, root="../../", stations=view.stations,
                       webcal=links.webcal(links.absolute(base, folder) + "duty.ics"), phone=view.phone,
                       photo=photos[officer.id], closures=view.closures, schedule_json=view.schedule_json,
                       jsonld=officer_jsonld(roster, officer, base))
        files[folder + "index.md"] = env.get_template("officer.md.j2").render(context)
        files[folder + "avatar.svg"] = avatar_svg(officer.name, officer.role, f"{view.role_name}{officer.name}")
        if _photo_exists(roster, officer):
            files[folder + photos[officer.id]] = (roster.data_dir / officer.photo).read_bytes()
        files[folder + "duty.ics"] = duty_calendar(roster, today, base, f"{officer.name}值班", officer=officer.id)

    districts = district_views(roster)
    for district, source in zip(districts, roster.districts):
        for street in district.streets:
            files[street.path + "index.md"] = env.get_template("street.md.j2").render(
                common, street=roster.street(street.id), district=source, root="../../", stations=street.stations,
                hotline=street.hotline)
    files["index.md"] = env.get_template("home.md.j2").render(common, root="", districts=districts)
    files["data/stations.json"] = stations_json(roster, base, today)
    files["data/search.json"] = search_index(roster)
    return files

