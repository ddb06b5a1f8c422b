"""A fictional roster of any size, for scale tests and the build benchmark.

Each station gets its own judge, prosecutor, police officer and lawyer, plus one lawyer
shared by two neighbouring stations on different weekdays, so every duty system is used.
"""
from __future__ import annotations

from pathlib import Path

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[(n // 7) % len(GIVEN)]


def write_roster(folder: Path, stations: int, streets: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    streets = streets or max(1, stations // 20)
    officers, roster = ["officers:"], [
        "districts:", "  - {id: shiyan, name: 试验区, hotline: 12345}", "streets:"]
    for s in range(streets):
        roster.append(f"  - {{id: street-{s}, name: 第{s + 1}街道, district: shiyan, hotline: 0731-2{s:07d}}}")
    roster.append("stations:")
    assignments = ["assignments:"]
    person = 0
    for n in range(stations):
        roster.append(f"  - {{id: st-{n}, name: 第{n + 1}社区, street: street-{n % streets}, address: 试验区幸福路 {n + 1} 号, "
                      f"phones: [{{label: 值班电话, number: 0731-3{n:07d}}}], "
                      "opening_hours: [{byday: [MO, TU, WE, TH, FR], opens_at: '08:30', closes_at: '17:30'}]}")
        for role, duty in (("judge", "{system: visiting, freq: monthly, byday: [1TU], opens_at: '09:00', closes_at: '11:30'}"),
                           ("prosecutor", "{system: rotation, freq: weekly, interval: 2, byday: [WE], opens_at: '09:00', "
                                          "closes_at: '11:30', valid_from: 2026-01-05}"),
                           ("police", "{system: resident, freq: weekly, byday: [MO, TU, WE, TH, FR], opens_at: '08:30', "
                                      "closes_at: '12:00'}"),
                           ("lawyer", "{system: reception, dates: [2026-12-10, 2027-01-14], opens_at: '14:00', "
                                      "closes_at: '17:00'}")):
            officers.append(f"  - {{id: p-{person}, name: {_name(person)}, role: {role}, organisation: 试验区{role}单位, "
                            f"phone: 0731-4{person:07d}}}")
            assignments.append(f"  - {{officer: p-{person}, station: st-{n}, duties: [{duty}]}}")
            person += 1
        if n % 2 == 1:  # a lawyer shared with the previous station, on another day
            assignments.append(f"  - {{officer: p-{person - 5}, station: st-{n}, duties: [{{system: rotation, freq: weekly, "
                               "byday: [FR], opens_at: '14:00', closes_at: '17:00'}]}")
    roster += assignments
    roster += ["exceptions:", "  - {from: 2027-01-01, to: 2027-01-03, reason: 元旦放假}"]
    (folder / "officers.yaml").write_text("\n".join(officers) + "\n", encoding="utf-8")
    (folder / "roster.yaml").write_text("\n".join(roster) + "\n", encoding="utf-8")
    return folder
