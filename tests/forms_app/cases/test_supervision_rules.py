"""督办's rules without the database (cases/supervision.py): the lifecycle, who may take each step, deadlines."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from forms_app.cases import supervision as rules
from forms_app.cases.refusal import IllegalAction

NOW = datetime(2026, 11, 23, 9, 0)
SUPERVISOR = rules.Context(7, "supervisor", NOW)
OWNER = rules.Context(3, "station", NOW, at_station=True)
OTHER_CLERK = rules.Context(4, "station", NOW, at_station=True)


def test_the_whole_life_issued_answered_sent_back_answered_closed():
    change = rules.apply("issue", rules.Facts(owner_id=3), {"instruction": "三天内上门", "deadline": date(2026, 11, 26)},
                         SUPERVISOR)
    assert change.state == "issued" and change.fields["deadline"] == date(2026, 11, 26)
    issued = rules.Facts("issued", date(2026, 11, 26), owner_id=3)
    assert rules.apply("answer", issued, {"reply": "已上门"}, OWNER).state == "answered"
    answered = rules.Facts("answered", date(2026, 11, 26), owner_id=3)
    back = rules.apply("send_back", answered, {"reason": "写明结果"}, SUPERVISOR)
    assert back.state == "sent_back" and back.fields["deadline"] == date(2026, 11, 26)
    again = rules.Facts("sent_back", date(2026, 11, 26), owner_id=3)
    assert rules.apply("answer", again, {"reply": "已化解"}, OWNER).state == "answered"
    assert rules.apply("close", answered, {}, SUPERVISOR).state == "closed"


def test_a_clerk_never_issues_and_a_supervisor_never_answers():
    assert not rules.may("station", "issue") and not rules.may("supervisor", "answer")
    assert rules.may("admin", "issue") and rules.may("admin", "answer")
    with pytest.raises(IllegalAction):
        rules.apply("issue", rules.Facts(owner_id=3), {"instruction": "x", "deadline": date(2026, 11, 26)}, OWNER)


def test_only_the_owner_answers_or_the_station_before_anyone_owns_it():
    issued = rules.Facts("issued", date(2026, 11, 26), owner_id=3)
    with pytest.raises(IllegalAction, match="首问责任人"):
        rules.apply("answer", issued, {"reply": "我来"}, OTHER_CLERK)
    unowned = rules.Facts("issued", date(2026, 11, 26), owner_id=None)
    assert rules.apply("answer", unowned, {"reply": "已受理"}, OTHER_CLERK).state == "answered"
    far = rules.Context(9, "station", NOW, at_station=False)
    with pytest.raises(IllegalAction):
        rules.apply("answer", unowned, {"reply": "x"}, far)
    assert rules.offered(issued, OTHER_CLERK) == [] and rules.offered(issued, OWNER) == ["answer"]


def test_one_unfinished_at_a_time_and_steps_only_from_their_states():
    for state in rules.UNFINISHED:
        with pytest.raises(IllegalAction, match="未办结的督办"):
            rules.apply("issue", rules.Facts(state, date(2026, 11, 26), 3),
                        {"instruction": "x", "deadline": date(2026, 11, 26)}, SUPERVISOR)
    with pytest.raises(IllegalAction):
        rules.apply("close", rules.Facts("issued", date(2026, 11, 26), 3), {}, SUPERVISOR)
    with pytest.raises(IllegalAction, match="没有未办结"):
        rules.apply("answer", rules.Facts(None, None, 3), {"reply": "x"}, OWNER)


@pytest.mark.parametrize("deadline, words", [(date(2026, 11, 22), "不能早于今天"), (date(2027, 3, 1), "90 天"),
                                             ("tomorrow", "年-月-日")])
def test_a_deadline_in_the_past_or_too_far_is_refused_in_words(deadline, words):
    with pytest.raises(IllegalAction, match=words) as refused:
        rules.apply("issue", rules.Facts(owner_id=3), {"instruction": "x", "deadline": deadline}, SUPERVISOR)
    assert refused.value.field == "deadline"


def test_a_send_back_after_the_deadline_needs_a_new_one():
    late = rules.Facts("answered", date(2026, 11, 20), 3)
    with pytest.raises(IllegalAction, match="新的回复期限"):
        rules.apply("send_back", late, {"reason": "不够"}, SUPERVISOR)
    assert rules.apply("send_back", late, {"reason": "不够", "deadline": date(2026, 11, 30)},
                       SUPERVISOR).fields["deadline"] == date(2026, 11, 30)


def test_overdue_and_due_soon_only_while_the_reply_is_owed():
    today = date(2026, 11, 23)
    assert rules.overdue("issued", date(2026, 11, 22), today) and rules.overdue("sent_back", date(2026, 11, 22), today)
    assert not rules.overdue("answered", date(2026, 11, 22), today) and not rules.overdue("issued", today, today)
    assert rules.due_soon("issued", date(2026, 11, 24), today) and not rules.due_soon("issued", date(2026, 11, 25), today)


def test_required_details_and_lengths():
    with pytest.raises(IllegalAction, match="督办要求") as refused:
        rules.apply("issue", rules.Facts(owner_id=3), {"instruction": "", "deadline": date(2026, 11, 26)}, SUPERVISOR)
    assert refused.value.field == "instruction"
    with pytest.raises(IllegalAction, match="最多 2000"):
        rules.apply("answer", rules.Facts("issued", date(2026, 11, 26), 3), {"reply": "长" * 2001}, OWNER)
