"""The static notice-board site: roster → page models → Jinja2 sources in site_src/ → MkDocs → site/.

Pelican's order: the whole site is rendered in memory first, then one writer puts it on
disk, then MkDocs builds into a scratch folder that replaces ``site/`` only on success.
"""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from roster.domain import Roster
from roster.schedule import today as current_day

from .publish import BuildError, publish_site
from .render import SiteOptions, render_site
from .writer import REPO_SOURCE, write_source

__all__ = ["BuildError", "build_site"]


def _url(value: str, option: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise BuildError(f"{option} 应为完整网址，如 https://board.example.gov.cn/ / "
                         f"{option} must be an absolute http(s) URL, got {value!r}")
    return value if value.endswith("/") else value + "/"


def build_site(roster: Roster, out_dir: Path, base_url: str, forms_url: str | None = None,
               today: date | None = None, src_dir: Path | None = None) -> str:
    """Build and publish; returns a one-line summary. Raises BuildError, leaving ``out_dir`` as it was."""
    started = time.monotonic()
    base_url = _url(base_url, "--base-url")
    forms_url = _url(forms_url, "--forms-url").rstrip("/") if forms_url else None
    options = SiteOptions(base_url=base_url, forms_url=forms_url, today=today or current_day())
    files = render_site(roster, options)
    src_dir = Path(src_dir) if src_dir else REPO_SOURCE
    write_source(files, src_dir)
    publish_site(src_dir, Path(out_dir), base_url, {"roster_updated": roster.updated.isoformat()})
    seconds = time.monotonic() - started
    return (f"✓ 网站已生成 / site built: {out_dir} — {len(roster.stations)} 个站点 stations, "
            f"{len(roster.officers)} 名人员 officers, {len(files)} 个文件 files, {seconds:.1f} s\n"
            f"  二维码和链接指向 / QR codes and links point at: {base_url}"
            + (f"\n  预约和诉求服务 / form service: {forms_url}" if forms_url else ""))
