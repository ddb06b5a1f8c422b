"""The case flow: every action from every state is either the one legal move or refused."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from forms_app.cases.flow import (ACTIONS, BY_CODE, FLOW, OUTCOMES, RESIDENT, STATES, Facts, IllegalAction, Step,
                                  apply, ledger_words, may, moment_range, resident_words)
from forms_app.cases.offers import allowed, waiting
from forms_app.cases.workdays import add_workdays, is_workday, schedule_known, workdays_between
from roster import TZ

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
PAYLOADS = {
    "reject": {"reason": "不属于本站受理范围"}, "dispatch": {"department": "司法所", "on_site": True},
    "arrive": {"arrived_at": NOW}, "handle": {"note": "已约双方面谈"}, "resolve": {"outcome": "resolved", "result": "达成调解协议"},
    "feedback": {"channel": "电话", "given_at": NOW}, "follow_up": {"note": "回访满意"}, "reopen": {"reason": "协议未履行"},
    "extend": {"reason": "需等待鉴定结果", "days": 5}, "note": {"note": "补充材料"}, "no_arrival": {"reason": "改为电话调解"},
    "hand_over": {"handler": 5}, "name_officer": {"officer": "chen-hao"}, "unname_officer": {"officer": "chen-hao"},
}
CHOICES = {"handler": (5,), "officer": ("chen-hao",)}  # what the database and the roster would offer
WORKED = ("accepted", "dispatched", "handling", "resolved", "followed_up")
LEGAL = {  # (state, action) → resulting state
    ("registered", "accept"): "accepted", ("registered", "reject"): "rejected",
    ("accepted", "dispatch"): "dispatched", ("dispatched", "dispatch"): "dispatched", ("handling", "dispatch"): "dispatched",
    ("accepted", "handle"): "handling", ("dispatched", "handle"): "handling", ("handling", "handle"): "handling",
    ("accepted", "resolve"): "resolved", ("dispatched", "resolve"): "resolved", ("handling", "resolve"): "resolved",
    ("resolved", "feedback"): "resolved", ("resolved", "follow_up"): "followed_up", ("followed_up", "archive"): "archived",
    ("resolved", "reopen"): "handling", ("followed_up", "reopen"): "handling", ("archived", "reopen"): "handling",
    ("dispatched", "arrive"): "dispatched", ("handling", "arrive"): "handling",
    ("dispatched", "no_arrival"): "dispatched", ("handling", "no_arrival"): "handling",
    **{(s, "extend"): s for s in ("registered", "accepted", "dispatched", "handling")},
    **{(s, "note"): s for s in ("registered", "accepted", "dispatched", "handling", "resolved", "followed_up")},
    **{(s, a): s for s in WORKED for a in ("hand_over", "take_back", "name_officer", "unname_officer")},
    ("archived", "take_back"): "archived",
}


def facts(state: str, action: str) -> Facts:
    """An on-site dispatch, arrived unless the action is about the arrival."""
    arrived = None if action in ("arrive", "no_arrival") else NOW - timedelta(minutes=30)
    return Facts(state=state, owner_id=7, resolved_at=NOW - timedelta(days=1), feedback_at=NOW - timedelta(hours=1),
                 dispatched_on_site=True, arrived_at=arrived, handler_id=3 if action == "take_back" else None,
                 officers=("chen-hao",) if action == "unname_officer" else ())


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_from_every_state(state, action):
    expected = LEGAL.get((state, action))
    if expected is None:
        with pytest.raises(IllegalAction, match=STATES[state]):
            apply(action, facts(state, action), PAYLOADS.get(action, {}), actor_id=7, now=NOW, reopen_days=30,
                  choices=CHOICES)
    else:
        assert apply(action, facts(state, action), PAYLOADS.get(action, {}), actor_id=7, now=NOW,
                     reopen_days=30, choices=CHOICES).state == expected


def test_accepting_makes_the_accepter_the_owner():
    change = apply("accept", Facts("registered"), {}, actor_id=42, now=NOW, reopen_days=30)
    assert change.fields["owner_id"] == 42 and change.fields["accepted_at"] == NOW


@pytest.mark.parametrize("action, payload, message", [
    ("reject", {}, "请填写：原因"), ("dispatch", {}, "请填写：部门"), ("resolve", {"outcome": "maybe", "result": "x"}, "是否化解"),
    ("extend", {"reason": "x", "days": 90}, "1 到 60"), ("handle", {"note": ""}, "请填写：记录"),
    ("dispatch", {"department": "外星办"}, "请从名单里选择部门"),
])
def test_actions_need_their_details(action, payload, message):
    state = "registered" if action == "reject" else "handling"
    with pytest.raises(IllegalAction, match=message):
        apply(action, Facts(state), payload, actor_id=1, now=NOW, reopen_days=30, departments=("司法所",))


def test_arrival_and_feedback_times_are_between_the_step_before_and_now():
    dispatched = Facts("dispatched", dispatched_on_site=True, dispatched_at=NOW - timedelta(hours=1))
    for moment, message in ((NOW + timedelta(minutes=5), "不能晚于现在"), (NOW - timedelta(hours=2), "不能早于吹哨时间")):
        with pytest.raises(IllegalAction, match=message) as raised:
            apply("arrive", dispatched, {"arrived_at": moment}, actor_id=1, now=NOW, reopen_days=30)
        assert raised.value.field == "arrived_at"
    ok = apply("arrive", dispatched, {"arrived_at": NOW - timedelta(minutes=40)}, actor_id=1, now=NOW, reopen_days=30)
    assert ok.fields["arrived_at"] == NOW - timedelta(minutes=40)
    resolved = Facts("resolved", resolved_at=NOW - timedelta(days=1))
    with pytest.raises(IllegalAction, match="反馈时间不能早于办结时间"):
        apply("feedback", resolved, {"channel": "电话", "given_at": NOW - timedelta(days=2)}, actor_id=1, now=NOW,
              reopen_days=30)
    with pytest.raises(IllegalAction, match="反馈时间不能晚于现在"):
        apply("feedback", resolved, {"channel": "电话", "given_at": NOW + timedelta(days=1)}, actor_id=1, now=NOW,
              reopen_days=30)


def test_follow_up_needs_feedback_first():
    with pytest.raises(IllegalAction, match="先把结果反馈给群众"):
        apply("follow_up", Facts("resolved", resolved_at=NOW), PAYLOADS["follow_up"], actor_id=1, now=NOW, reopen_days=30)


def test_arrival_only_for_on_site_dispatch_and_once():
    with pytest.raises(IllegalAction, match="不需要到场"):
        apply("arrive", Facts("dispatched"), PAYLOADS["arrive"], actor_id=1, now=NOW, reopen_days=30)
    with pytest.raises(IllegalAction, match="已经记录过"):
        apply("arrive", Facts("dispatched", dispatched_on_site=True, arrived_at=NOW), PAYLOADS["arrive"], actor_id=1,
              now=NOW, reopen_days=30)


@pytest.mark.parametrize("state", ["dispatched", "handling"])
def test_an_on_site_dispatch_is_resolved_only_once_its_arrival_is_recorded(state):
    waiting_for = Facts(state, dispatched_on_site=True, dispatched_at=NOW - timedelta(hours=1))
    with pytest.raises(IllegalAction, match="办结前请先“记录到场”时间，或记录“未到场”并写明原因"):
        apply("resolve", waiting_for, PAYLOADS["resolve"], actor_id=1, now=NOW, reopen_days=30)
    # the page does not offer it, and says what comes first; it offers both ways to say what happened
    assert "resolve" not in allowed(waiting_for) and {"arrive", "no_arrival"} <= set(allowed(waiting_for))
    assert "记录到场" in waiting(waiting_for)["resolve"]
    for settled in (Facts(state, dispatched_on_site=True, arrived_at=NOW - timedelta(minutes=20)),
                    Facts(state, dispatched_on_site=True, arrival_excused=True), Facts(state)):
        assert apply("resolve", settled, PAYLOADS["resolve"], actor_id=1, now=NOW, reopen_days=30).state == "resolved"
        assert "resolve" in allowed(settled) and "resolve" not in waiting(settled)


def test_did_not_arrive_needs_a_reason_and_is_said_once():
    waiting_for = Facts("dispatched", dispatched_on_site=True)
    with pytest.raises(IllegalAction, match="请填写：原因") as raised:
        apply("no_arrival", waiting_for, {"reason": ""}, actor_id=1, now=NOW, reopen_days=30)
    assert raised.value.field == "reason"
    assert apply("no_arrival", waiting_for, PAYLOADS["no_arrival"], actor_id=1, now=NOW, reopen_days=30).fields == {}
    for done, message in ((Facts("dispatched", dispatched_on_site=True, arrival_excused=True), "已经记录为未到场"),
                          (Facts("dispatched", dispatched_on_site=True, arrived_at=NOW), "已经记录过到场时间"),
                          (Facts("dispatched"), "不需要到场")):
        for action in ("no_arrival", "arrive"):
            with pytest.raises(IllegalAction, match=message):
                apply(action, done, {**PAYLOADS["no_arrival"], **PAYLOADS["arrive"]}, actor_id=1, now=NOW, reopen_days=30)
    assert resident_words("no_arrival", Step("改为电话调解", {}, {}, "司法所")) is None  # internal


def test_the_allowed_range_of_a_moment_is_said_in_words():
    dispatched = Facts("dispatched", dispatched_on_site=True, dispatched_at=datetime(2026, 11, 23, 9, 20, 45, tzinfo=TZ))
    assert moment_range("arrived_at", dispatched) == "不能早于吹哨时间（2026-11-23 09:20），不能晚于现在"
    assert moment_range("given_at", Facts("resolved", resolved_at=datetime(2026, 11, 22, 16, 5, tzinfo=TZ))) == \
        "不能早于办结时间（2026-11-22 16:05），不能晚于现在"
    assert moment_range("given_at", Facts("resolved")) == "不能晚于现在"


def test_the_console_ledger_names_the_department_of_a_dispatch():
    row = Step("", {"state": "accepted"}, {"state": "dispatched", "department": "派出所", "dispatched_on_site": True},
               None)
    assert ledger_words("dispatch", row) == "派给派出所，需到场"
    assert ledger_words("dispatch", Step("", {}, {"department": "司法所", "dispatched_on_site": False}, None)) == "派给司法所"
    assert ledger_words("feedback", Step("", {}, {"feedback_channel": "电话", "feedback_at": "2026-11-23T10:00:00"},
                                         None)) == "电话反馈，2026-11-23 10:00"
    assert ledger_words("handle", Step("约双方面谈", {}, {"state": "handling"}, "司法所")) == "约双方面谈"
    assert ledger_words("no_arrival", Step("改为电话调解", {}, {}, "司法所")) == "改为电话调解"


def test_reopen_only_within_the_window():
    old = Facts("archived", resolved_at=NOW - timedelta(days=31))
    with pytest.raises(IllegalAction, match="超过 30 天"):
        apply("reopen", old, PAYLOADS["reopen"], actor_id=1, now=NOW, reopen_days=30)
    change = apply("reopen", Facts("archived", resolved_at=NOW - timedelta(days=29)), PAYLOADS["reopen"], actor_id=1,
                   now=NOW, reopen_days=30)
    assert change.state == "handling" and change.fields["resolved_at"] is None


def test_allowed_lists_what_a_page_may_offer():
    assert allowed(Facts("registered")) == ["accept", "reject", "extend", "note"]
    assert "follow_up" not in allowed(Facts("resolved", resolved_at=NOW))
    assert "follow_up" in allowed(Facts("resolved", resolved_at=NOW, feedback_at=NOW))


def test_after_resolution_the_state_does_not_read_as_feedback_given():
    assert STATES["resolved"] == "办结"
    with pytest.raises(IllegalAction, match="案件处于“办结”状态，不能归档"):
        apply("archive", Facts("resolved", resolved_at=NOW), {}, actor_id=1, now=NOW, reopen_days=30)


def test_every_action_of_the_table_is_complete():
    for action in FLOW:
        assert action.label and action.sources and set(action.sources) <= set(STATES), action.code
        assert action.target is None or action.target in STATES, action.code
        assert action.by, action.code


def test_who_may_take_each_action_comes_from_the_table():
    assert may("station", "accept") and may("admin", "archive")
    assert may("supervisor", "note") and not may("supervisor", "accept")
    assert may(RESIDENT, "satisfaction") and not may("station", "satisfaction") and not may(RESIDENT, "accept")
    assert "satisfaction" not in ACTIONS  # the console's actions only
    assert allowed(Facts("handling"), "supervisor") == ["note"]


def test_extension_pushes_the_deadline_by_working_days_through_the_table():
    due = datetime(2026, 11, 20, 23, 59, 59, tzinfo=TZ)  # a Friday
    change = apply("extend", Facts("handling", due_at=due, extended_days=2), {"reason": "等鉴定", "days": 1},
                   actor_id=1, now=NOW, reopen_days=30)
    assert change.state == "handling"
    assert change.fields["extended_days"] == 3 and change.fields["extension_reason"] == "等鉴定"
    assert change.fields["due_at"].date().isoformat() == "2026-11-23"  # Monday, not Saturday


def test_a_rating_is_taken_once_and_only_from_a_closed_case():
    change = apply("satisfaction", Facts("followed_up"), {"score": 4, "comment": "好"}, actor_id=None, now=NOW,
                   reopen_days=30)
    assert change.fields == {"satisfaction": 4, "satisfaction_comment": "好"}
    assert BY_CODE["satisfaction"].unset == ("satisfaction",)  # a second rating racing the first loses in the UPDATE
    with pytest.raises(IllegalAction, match="已经评价过"):
        apply("satisfaction", Facts("archived", satisfaction=5), {"score": 4}, actor_id=None, now=NOW, reopen_days=30)
    with pytest.raises(IllegalAction, match="状态"):
        apply("satisfaction", Facts("handling"), {"score": 4}, actor_id=None, now=NOW, reopen_days=30)
    with pytest.raises(IllegalAction, match="请选一个分数"):
        apply("satisfaction", Facts("resolved"), {"score": 9}, actor_id=None, now=NOW, reopen_days=30)


def test_what_the_resident_reads_of_each_step_comes_from_the_table():
    def words(action, note="", before=None, after=None, department=None):
        return resident_words(action, Step(note, before or {}, after or {}, department))
    assert words("registered") == "已登记，等待工作人员受理"
    assert words("dispatch", department="司法所") == "已交给司法所办理"
    assert words("resolve", after={"outcome": "unresolved", "result": "建议诉讼"}) == "已办结（未能化解）。结果：建议诉讼"
    assert OUTCOMES["unresolved"] == "未化解"  # the console's word; the resident reads the gentler one
    assert words("reject", note="不属于受理范围") == "不予受理。原因：不属于受理范围"
    assert words("note", note="内部记录") is None and words("reveal") is None and words("purged") is None


# ---------------------------------------------------------------- working days

def test_deadlines_skip_weekends():
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=TZ)
    assert add_workdays(friday_evening, 1).date().isoformat() == "2026-11-23"
    assert add_workdays(friday_evening, 3).date().isoformat() == "2026-11-25"


def test_deadlines_skip_national_day_and_count_the_adjusted_saturday():
    # 2026: National Day and Mid-Autumn off 1-7 October; Saturday 10 October is a working day.
    assert not is_workday(datetime(2026, 10, 1).date()) and is_workday(datetime(2026, 10, 10).date())
    assert add_workdays(datetime(2026, 9, 30, 9, 0, tzinfo=TZ), 1).date().isoformat() == "2026-10-08"
    assert add_workdays(datetime(2026, 10, 9, 9, 0, tzinfo=TZ), 1).date().isoformat() == "2026-10-10"
    assert workdays_between(datetime(2026, 9, 30).date(), datetime(2026, 10, 12).date()) == 4


def test_unknown_years_fall_back_to_weekdays_and_say_so():
    day = datetime(2031, 3, 3).date()  # a Monday in a year the calendar package cannot know yet
    assert not schedule_known(day) and is_workday(day) and not is_workday(datetime(2031, 3, 1).date())
