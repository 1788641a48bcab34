"""The working calendar: official holidays, make-up days, 2027 fallback, staff overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from icpportal import calendar
from icpportal.calendar import WorkingCalendar
from icpportal.models import HolidayOverride

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
GOLDEN_WEEK_2026 = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]
SEPT_30_2026 = date(2026, 9, 30)


def golden_week_makeup_days() -> list[date]:
    """Weekend days around 2026 National Day that the State Council made working days."""
    around = chinese_calendar.get_workdays(date(2026, 9, 1), date(2026, 10, 31))
    return [d for d in around if d.weekday() >= 5]


def first_2027_day(weekday: int) -> date:
    """The first day in March 2027 with the given weekday (0 = Monday), clear of holidays."""
    d = date(2027, 3, 1)
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def test_golden_week_holiday_is_not_a_working_day():
    # GIVEN the official calendar lists Oct 1-7 2026 as National Day holidays
    for d in GOLDEN_WEEK_2026:
        assert chinese_calendar.get_holiday_detail(d) == (True, "National Day")

    # WHEN we ask about each of those days
    infos = [calendar.day_info(d) for d in GOLDEN_WEEK_2026]

    # THEN none is a working day, and the answer is official, not estimated
    assert [i.is_working_day for i in infos] == [False] * 7
    assert {(i.source, i.approximate) for i in infos} == {("official", False)}
    assert not calendar.is_working_day(date(2026, 10, 5))  # a Monday


def test_makeup_weekend_day_is_a_working_day():
    # GIVEN the weekend days people work to make up for Golden Week 2026
    makeup_days = golden_week_makeup_days()
    assert makeup_days == [date(2026, 9, 20), date(2026, 10, 10)]  # a Sunday and a Saturday

    for d in makeup_days:
        # WHEN we ask about the make-up day
        info = calendar.day_info(d)

        # THEN it is an official working day
        assert info == calendar.DayInfo(d, True, approximate=False, source="official")


def test_adding_five_working_days_from_sept_30_skips_golden_week():
    # GIVEN the official working days after Sept 30 2026
    official = chinese_calendar.get_workdays(date(2026, 10, 1), date(2026, 10, 31))

    # WHEN we add 5 working days to Sept 30
    due = calendar.add_working_days(SEPT_30_2026, 5)

    # THEN we land on the 5th official working day, past the holiday week,
    # counting the make-up Saturday Oct 10
    assert due == official[4] == date(2026, 10, 13)
    assert due > GOLDEN_WEEK_2026[-1]
    assert calendar.add_working_days(SEPT_30_2026, 0) == SEPT_30_2026
    # AND going back 1 working day from the first day after the holiday reaches Sept 30
    assert calendar.add_working_days(date(2026, 10, 8), -1) == SEPT_30_2026


def test_deadline_across_golden_week():
    # GIVEN a case opened on the afternoon of Sept 30 2026, Beijing time
    opened = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)

    # WHEN it gets 5 working days
    due = calendar.deadline_after(opened, 5)

    # THEN it is due at the end of Oct 13, not Oct 7
    assert due == datetime.combine(date(2026, 10, 13), time.max, tzinfo=SHANGHAI)
    # AND 5 calendar days would have ended inside the holiday
    assert calendar.deadline_after(opened, 5, working=False).date() == date(2026, 10, 5)


def test_2027_date_falls_back_to_weekends_and_is_flagged_approximate():
    # GIVEN the official calendar has no data for 2027 yet
    monday, saturday = first_2027_day(0), first_2027_day(5)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(monday)

    # WHEN we ask about a 2027 Monday and Saturday
    monday_info, saturday_info = calendar.day_info(monday), calendar.day_info(saturday)

    # THEN weekdays work and weekends do not, flagged as an estimate
    assert monday_info == calendar.DayInfo(monday, True, True, "weekend-fallback")
    assert saturday_info == calendar.DayInfo(saturday, False, True, "weekend-fallback")
    friday = monday - timedelta(days=3)
    assert calendar.add_working_days(friday, 1) == monday
    # AND a range reaching into 2027 is approximate while one within 2026 is not
    assert calendar.is_approximate(date(2026, 12, 28), date(2027, 1, 5))
    assert not calendar.is_approximate(SEPT_30_2026, date(2026, 12, 31))


def test_override_turns_2027_monday_into_holiday_and_saturday_into_working_day():
    # GIVEN staff mark a 2027 Monday as a holiday and the Saturday before as a working day
    monday = first_2027_day(0) + timedelta(days=7)
    saturday = monday - timedelta(days=2)
    HolidayOverride.objects.create(date=monday, is_working_day=False, note="announced")
    HolidayOverride.objects.create(date=saturday, is_working_day=True, note="make-up")

    # WHEN we ask about those days
    monday_info, saturday_info = calendar.day_info(monday), calendar.day_info(saturday)

    # THEN the override wins and is not an estimate
    assert monday_info == calendar.DayInfo(monday, False, False, "override")
    assert saturday_info == calendar.DayInfo(saturday, True, False, "override")
    # AND counting from the Friday before goes Saturday, then Tuesday
    friday = saturday - timedelta(days=1)
    assert calendar.add_working_days(friday, 1) == saturday
    assert calendar.add_working_days(friday, 2) == monday + timedelta(days=1)


def test_new_override_is_seen_at_once():
    # GIVEN a day answered from the official calendar
    d = date(2026, 10, 12)
    assert calendar.is_working_day(d)

    # WHEN staff then mark it a holiday
    HolidayOverride.objects.create(date=d, is_working_day=False)

    # THEN the next question sees the override, nothing stale is cached
    assert not calendar.is_working_day(d)


def test_working_days_between_both_directions():
    # GIVEN Sept 30 and Oct 13 2026, with Golden Week and the make-up Saturday between
    later = date(2026, 10, 13)

    # WHEN we count working days left either way
    forward = calendar.working_days_between(SEPT_30_2026, later)
    backward = calendar.working_days_between(later, SEPT_30_2026)

    # THEN it is 5 ahead, -5 once the deadline has passed, and 0 on the day itself
    assert forward == 5
    assert backward == -5
    assert calendar.working_days_between(later, later) == 0
    # AND holidays alone count for nothing
    assert calendar.working_days_between(SEPT_30_2026, GOLDEN_WEEK_2026[-1]) == 0


def test_deadline_after_is_end_of_day_in_shanghai():
    # GIVEN 16:30 UTC on Oct 8 2026, which is already 00:30 on Oct 9 in Beijing
    start = datetime(2026, 10, 8, 16, 30, tzinfo=UTC)

    # WHEN we ask for 1 working day later
    due = calendar.deadline_after(start, 1)

    # THEN it counts from the Beijing date: the end of the make-up Saturday Oct 10
    assert due.tzinfo == SHANGHAI
    assert due.utcoffset() == timedelta(hours=8)
    assert (due.date(), due.time()) == (date(2026, 10, 10), time(23, 59, 59, 999999))
    # AND the same instant is Oct 10 15:59:59.999999 UTC
    assert due.astimezone(UTC) == datetime(2026, 10, 10, 15, 59, 59, 999999, tzinfo=UTC)


def test_working_calendar_over_60_days_runs_bounded_queries(django_assert_max_num_queries):
    # GIVEN an override inside a 60-day range around Golden Week
    start, end = date(2026, 9, 1), date(2026, 10, 30)
    HolidayOverride.objects.create(date=date(2026, 10, 9), is_working_day=False)

    # WHEN we answer every kind of question for every day of the range
    with django_assert_max_num_queries(1):
        cal = WorkingCalendar(start, end)
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        working = [d for d in days if cal.is_working_day(d)]
        due = [cal.add_working_days(d, 3) for d in days[:40]]
        left = [cal.working_days_between(d, end) for d in days]
        approximate = cal.is_approximate(start, end)

    # THEN one query served it all, and the override was honoured
    assert date(2026, 10, 9) not in working
    assert date(2026, 10, 10) in working
    assert len(days) == 60 and len(due) == 40 and left[0] == len(working) - 1
    assert not approximate


def test_working_calendar_walking_past_its_range_loads_one_more_chunk(
    django_assert_max_num_queries,
):
    # GIVEN a calendar preloaded for only a few days
    cal = WorkingCalendar(date(2026, 9, 1), date(2026, 9, 5))

    # WHEN a deadline walks 30 working days past that range
    with django_assert_max_num_queries(2):
        due = cal.add_working_days(date(2026, 9, 1), 30)

    # THEN it still agrees with the one-off answer
    assert due == calendar.add_working_days(date(2026, 9, 1), 30)
