"""The rules of the filed monthly register without a database: the deadline (the 30th, February's
last day), the four statuses, and who may still withdraw a filing."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from forms_app.staff import filing_rules as rules


@pytest.mark.parametrize("month, due", [
    ("2026-11", date(2026, 11, 30)), ("2026-12", date(2026, 12, 30)), ("2026-01", date(2026, 1, 30)),
    ("2026-02", date(2026, 2, 28)), ("2028-02", date(2028, 2, 29)), ("2100-02", date(2100, 2, 28)),
    ("2000-02", date(2000, 2, 29)), ("2026-04", date(2026, 4, 30)), ("2026-07", date(2026, 7, 30))])
def test_the_register_is_due_on_the_30th_or_on_februarys_last_day(month, due):
    assert rules.due_date(month) == due
    assert rules.deadline(month) == datetime(due.year, due.month, due.day, 23, 59, 59, 999999)


@pytest.mark.parametrize("filed_at, now, expected", [
    (None, datetime(2026, 11, 30, 23, 59), "not_filed"),  # the last minute of the 30th is still in time
    (None, datetime(2026, 12, 1, 0, 0), "overdue"),  # 31 December is not: the 30th is the day
    (None, datetime(2026, 11, 5, 9, 0), "not_filed"),
    (datetime(2026, 11, 30, 23, 59), datetime(2026, 12, 3), "filed"),
    (datetime(2026, 11, 20, 10, 0), datetime(2026, 11, 21), "filed"),
    (datetime(2026, 12, 1, 0, 0), datetime(2026, 12, 3), "filed_late"),
    (datetime(2027, 3, 2), datetime(2027, 3, 2), "filed_late"),
])
def test_the_four_statuses_of_november(filed_at, now, expected):
    assert rules.status("2026-11", filed_at, now) == expected
    assert rules.STATUSES[expected] in ("已报送", "逾期报送", "未报送", "逾期未报送")


def test_february_is_late_from_march_first_and_a_31_day_month_on_its_31st():
    assert rules.status("2026-02", None, datetime(2026, 2, 28, 18, 0)) == "not_filed"
    assert rules.status("2026-02", None, datetime(2026, 3, 1, 0, 0)) == "overdue"
    assert rules.status("2026-02", datetime(2026, 3, 1, 8, 0), datetime(2026, 3, 2)) == "filed_late"
    assert rules.status("2028-02", datetime(2028, 2, 29, 17, 0), datetime(2028, 3, 2)) == "filed"
    assert rules.status("2026-12", datetime(2026, 12, 31, 9, 0), datetime(2027, 1, 2)) == "filed_late"
    assert rules.status("2026-12", datetime(2026, 12, 30, 9, 0), datetime(2027, 1, 2)) == "filed"


def test_a_month_is_filed_once_it_has_begun():
    assert not rules.may_file_yet("2026-12", datetime(2026, 11, 30, 23, 59))
    assert rules.may_file_yet("2026-12", datetime(2026, 12, 1, 0, 0))
    assert rules.may_file_yet("2026-10", datetime(2026, 12, 1))


def test_who_may_withdraw_a_filing():
    assert rules.may_withdraw("station", "2026-11", datetime(2026, 11, 30, 23, 0))
    assert not rules.may_withdraw("station", "2026-11", datetime(2026, 12, 1, 0, 0))
    assert rules.may_withdraw("admin", "2026-11", datetime(2027, 5, 1))
    assert not rules.may_withdraw("supervisor", "2026-11", datetime(2026, 11, 2))


def test_all_three_parts_are_needed_to_file():
    assert rules.missing_parts({"work": "运行正常", "problems": " ", "suggestions": ""}) == ["problems", "suggestions"]
    assert rules.missing_parts({"work": "运行正常", "problems": "无", "suggestions": "无"}) == []


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "0000-01", "十一月", "2026-1", "", None, "9999-12", "1899-12"])
def test_a_page_takes_only_a_real_month(month):
    assert not rules.valid_month(month)


@pytest.mark.parametrize("month", ["2026-13", "0000-01", "9999-12", "x"])
def test_the_rules_refuse_a_month_without_days(month):
    with pytest.raises(ValueError):
        rules.due_date(month)
