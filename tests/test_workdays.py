"""Deadlines in working days (工作日): China's holidays, shifted working days, the admin's word.

The expected dates below were read from chinese-calendar itself (2026 data):
Mid-Autumn 25–27 Sep; National Day 1–7 Oct (8 Oct is a working day); shifted
working days 2026-09-20 (Sun) and 2026-10-10 (Sat), 2026-05-09 (Sat).
The library knows nothing of 2027 (NotImplementedError): Monday–Friday applies.
"""

from datetime import date

import chinese_calendar
import pytest

from records.deadlines import report_due_date
from records.models import WorkdayOverride
from records.workdays import (
    add_working_days,
    is_workday,
    last_finished_quarter,
    quarter_end,
    working_days_between,
)


def test_the_library_data_these_tests_rely_on_is_what_we_think():
    assert not any(chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, shifted working day
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


@pytest.mark.django_db
def test_ten_working_days_after_q3_skip_the_national_day_holiday():
    # after Wed 30 Sep: 1–7 Oct holiday; 8 Oct (1), 9 (2), Sat 10 shifted (3), Sun 11 off,
    # 12 (4), 13 (5), 14 (6), 15 (7), 16 (8), 17–18 weekend, 19 (9), 20 (10)
    assert add_working_days(date(2026, 9, 30), 10) == date(2026, 10, 20)


@pytest.mark.django_db
def test_a_plain_weekend_is_skipped():
    # Fri 13 Mar 2026 + 1 → Mon 16 Mar (Sat 14, Sun 15 off)
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)
    # Fri 13 Mar + 6 → 16, 17, 18, 19, 20, then Mon 23
    assert add_working_days(date(2026, 3, 13), 6) == date(2026, 3, 23)


@pytest.mark.django_db
def test_a_shifted_working_saturday_counts():
    # Sat 9 May 2026 is a working day (Labour Day 调休)
    assert add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 9)
    assert is_workday(date(2026, 5, 9))


@pytest.mark.django_db
def test_a_deadline_running_into_2027_falls_back_to_monday_to_friday():
    # the library raises for 2027; Mon–Fri: Fri 1 Jan (1), 4 (2), 5, 6, 7, 8 (6),
    # 11 (7), 12 (8), 13 (9), 14 (10)
    assert add_working_days(date(2026, 12, 31), 10) == date(2027, 1, 14)


@pytest.mark.django_db
def test_an_override_declaring_new_year_2027_a_holiday_moves_the_deadline_by_a_day():
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦")
    assert add_working_days(date(2026, 12, 31), 10) == date(2027, 1, 15)


@pytest.mark.django_db
def test_an_override_wins_over_the_library_for_a_known_year():
    # Sat 14 Mar 2026 is a rest day for the library; the administrator says otherwise
    WorkdayOverride.objects.create(date=date(2026, 3, 14), is_workday=True, note="加班调休")
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 14)
    # and an override can also take a working day away
    WorkdayOverride.objects.create(date=date(2026, 10, 8), is_workday=False)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)


@pytest.mark.django_db
def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 20)) == 10
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 20), date(2026, 10, 20)) == 0
    assert working_days_between(date(2026, 10, 20), date(2026, 9, 30)) == 0
    assert working_days_between(date(2026, 12, 31), date(2027, 1, 14)) == 10


def test_last_finished_quarter_for_a_day_in_each_quarter():
    assert last_finished_quarter(date(2026, 1, 15)) == (2025, 4)
    assert last_finished_quarter(date(2026, 3, 31)) == (2025, 4)
    assert last_finished_quarter(date(2026, 4, 1)) == (2026, 1)
    assert last_finished_quarter(date(2026, 6, 30)) == (2026, 1)
    assert last_finished_quarter(date(2026, 7, 1)) == (2026, 2)
    assert last_finished_quarter(date(2026, 10, 8)) == (2026, 3)
    assert last_finished_quarter(date(2026, 12, 31)) == (2026, 3)


def test_quarter_end_is_the_last_day_of_the_quarter():
    assert [quarter_end(2026, q) for q in (1, 2, 3, 4)] == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
    ]
    assert quarter_end(2024, 1) == date(2024, 3, 31)


@pytest.mark.django_db
def test_report_due_dates_for_2026_q3_and_q4(settings):
    assert settings.DUTYCHAIN_DEADLINES["report_submit"] == 10
    assert report_due_date(2026, 3) == date(2026, 10, 20)  # see the National Day count above
    assert report_due_date(2026, 4) == date(2027, 1, 14)  # Mon–Fri fallback for 2027
