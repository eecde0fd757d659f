"""Reading the State Council's holiday notice: the published years against chinese-calendar,
day by day, and what the administrator is told about a notice that reads oddly."""

import datetime

import chinese_calendar
import pytest

from records.holiday_notice import parse, title_year

from .calendar_helpers import NEW_YEAR_2027, notice

D = datetime.date
# what the three notices decided (tests/holiday_notices, written from the State Council's
# decisions): days off and weekend days worked
PUBLISHED = {2024: (28, 8), 2025: (28, 5), 2026: (33, 6)}


def year_of(year):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_a_published_notice_gives_the_same_working_days_as_chinese_calendar(year):
    read = parse(notice(year))

    assert (read.year, read.errors, read.warnings) == (year, [], [])
    assert (len(read.holidays), len(read.workdays)) == PUBLISHED[year]
    entered = {day.date: day.is_workday for day in read.days}
    # what the product counts with these days entered in a year the library would not know:
    # the entries, and Monday–Friday for every other day
    for day in year_of(year):
        assert entered.get(day, day.weekday() < 5) == chinese_calendar.is_workday(day), day
    assert set(read.holidays) == {d for d in chinese_calendar.holidays if d.year == year}
    assert set(read.workdays) == {d for d in chinese_calendar.workdays if d.year == year}


def test_each_festival_keeps_its_own_days_and_merged_festivals_read_as_one():
    festivals = {f.name: f for f in parse(notice(2025)).festivals}

    assert list(festivals) == ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"]
    spring = festivals["春节"]
    # 1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）: across a month, lunar notes
    assert spring.holidays == [D(2025, 1, 28) + datetime.timedelta(days=n) for n in range(8)]
    assert spring.workdays == [D(2025, 1, 26), D(2025, 2, 8)]
    assert festivals["端午节"].holidays == [D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 2)]
    autumn = festivals["国庆节、中秋节"]
    assert len(autumn.holidays) == 8 and D(2025, 10, 6) in autumn.holidays
    assert festivals["元旦"].holidays == [D(2025, 1, 1)]  # 放假1天，不调休


def test_the_new_year_eve_note_keeps_that_day_a_working_day():
    read = parse(notice(2024))

    assert D(2024, 2, 9) not in {day.date for day in read.days}
    assert len(read.notes) == 1 and "除夕" in read.notes[0] and "2024-02-09" in read.notes[0]


def test_full_width_digits_weekday_styles_and_wrapped_lines_read_alike():
    # 2026's text mixes half- and full-width, 周X and 星期X, and wraps lines mid-sentence
    festivals = {f.name: f for f in parse(notice(2026)).festivals}

    assert festivals["劳动节"].workdays == [D(2026, 5, 9)]
    assert festivals["春节"].workdays == [D(2026, 2, 14), D(2026, 2, 28)]
    assert festivals["国庆节"].workdays == [D(2026, 9, 20), D(2026, 10, 10)]


def test_the_year_comes_from_the_title_or_from_the_administrator():
    assert title_year("国务院办公厅关于二〇二七年部分节假日安排的通知") == 2027
    assert parse(NEW_YEAR_2027).year == 2027
    untitled = "一、元旦：1月1日（周五）放假1天，不调休。"
    assert parse(untitled).errors and parse(untitled).days == []
    assert [day.date for day in parse(untitled, 2027).days] == [D(2027, 1, 1)]
    read = parse(NEW_YEAR_2027, 2028)
    assert read.year == 2028 and any("2027" in warning for warning in read.warnings)


def test_ranges_cross_months_and_the_new_year():
    read = parse("关于2027年部分节假日安排的通知\n"
                 "一、元旦：12月31日至1月2日放假调休，共3天。\n"
                 "七、国庆节：9月29日至10月6日放假调休，共8天。")

    assert read.holidays == [D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 2),
                             *[D(2027, 9, 29) + datetime.timedelta(days=n) for n in range(8)]]
    assert any("2026-12-31" in warning for warning in read.warnings)  # not in 2027


@pytest.mark.parametrize(("text", "expected"), [
    ("一、元旦：1月1日（周四）放假1天，不调休。", "2027-01-01"),  # 1 January 2027 is a Friday
    ("二、春节：2月6日至12日放假调休，共8天。", "8"),  # seven days named
    ("二、春节：2月6日至12日放假调休，共7天。2月17日（周三）上班。", "2027-02-17"),  # worked anyway
    ("五、端午节：6月12日（周六）至13日（周日）放假，共2天。", "2027-06-12"),  # an ordinary weekend
    ("三、清明节：4月5日放假。4月11日调休。", "4月11日"),  # not understood
    ("另行安排：3月3日放假。\n一、元旦：1月1日（周五）放假1天，不调休。", "3月3日"),  # before any festival
])
def test_an_odd_notice_is_read_with_a_warning_naming_what_to_check(text, expected):
    read = parse("国务院办公厅关于2027年部分节假日安排的通知\n" + text)

    assert not read.errors
    assert any(expected in warning for warning in read.warnings), read.warnings


def test_a_day_both_off_and_worked_cannot_be_saved():
    read = parse("关于2027年部分节假日安排的通知\n二、春节：2月6日至12日放假，共7天。2月7日（周日）上班。")

    assert read.errors and "2027-02-07" in read.errors[0]


def test_a_notice_missing_festivals_says_which():
    read = parse(NEW_YEAR_2027)

    assert read.days and not read.errors
    assert any("春节" in warning and "国庆节" in warning for warning in read.warnings)
