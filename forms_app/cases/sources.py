"""Where a case came from (来源, seed 000: 群众来电来访, 公安机关移交的警情, 社区排查反馈的问题): every
case has one. A resident's own form and the API give ``web``; a clerk who registers a request
(staff/intake_views.py, 登记) names one of the others. The codes are stored in ``cases.source``."""
from __future__ import annotations

WEB = "web"
# code → what the console, the register and the slip call it; the order of the clerk's list
SOURCES = {
    WEB: "网上提交",
    "phone": "电话",
    "counter": "窗口/来访",
    "police": "警情移交",
    "sweep": "网格排查",
    "other_system": "其他系统",
}
# what a clerk may register: everything but the resident's own form
STAFF_SOURCES = tuple(code for code in SOURCES if code != WEB)


def label(code: str | None) -> str:
    """The source in words; an unknown code (from a later version) as it is."""
    return SOURCES.get(code or WEB, code or "")
