"""An initials avatar for officers without a photo: the surname on the role's colour."""
from __future__ import annotations

from html import escape

# Colours with at least 4.5:1 contrast against white text.
ROLE_COLOURS = {
    "judge": "#8e1b1b",
    "prosecutor": "#1b4f8e",
    "police": "#14365f",
    "lawyer": "#5b3a8e",
    "mediator": "#2e6b30",
    "grid-worker": "#6b4e16",
    "counsellor": "#7a2e63",
}
DEFAULT_COLOUR = "#3f4a56"
# Two-character surnames that are common enough to show whole.
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯")


def initials(name: str) -> str:
    name = name.strip()
    if name.startswith(COMPOUND_SURNAMES):
        return name[:2]
    if name[:1].isascii():
        return "".join(part[0] for part in name.split()[:2]).upper()
    return name[:1]


def avatar_svg(name: str, role: str, label: str) -> str:
    colour = ROLE_COLOURS.get(role, DEFAULT_COLOUR)
    text = escape(initials(name))
    size = 44 if len(text) == 1 else 30
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" role="img">'
        f"<title>{escape(label)}</title>"
        f'<rect width="120" height="120" rx="16" fill="{colour}"/>'
        f'<text x="60" y="62" fill="#fff" font-size="{size}" text-anchor="middle" dominant-baseline="central" '
        'font-family="PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, '
        f'WenQuanYi Micro Hei, sans-serif" font-weight="700">{text}</text></svg>\n'
    )
