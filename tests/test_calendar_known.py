"""Which years the product knows, and where it says that one is missing: the system check,
the banner for administrators and the secretary."""

import io

import chinese_calendar
import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import workdays
from records.checks import calendar_check
from records.models import CalendarYear, WorkdayOverride
from records.services.calendar import calendar_year_confirm

from .calendar_helpers import D, enter_2027, travel

BANNER = "2027年节假日安排尚未录入"


@pytest.fixture
def admin(bureau):
    from accounts.models import User

    return User.objects.get(username="admin")


# -- known years ---------------------------------------------------------------------------------

def test_the_librarys_years_are_read_from_the_library_not_written_down(monkeypatch):
    assert workdays.library_years() == range(2004, 2027)  # chinese-calendar 1.11
    # a newer release that knows 2027 makes 2027 known, with no change here
    monkeypatch.setitem(chinese_calendar.holidays, D(2027, 1, 1), None)
    workdays.library_years.cache_clear()
    try:
        assert workdays.library_years() == range(2004, 2028)
        assert workdays.is_known(2027)
    finally:
        monkeypatch.undo()
        workdays.library_years.cache_clear()
    assert not workdays.library_years().count(2027)


@pytest.mark.django_db
def test_a_year_is_known_once_an_administrator_confirms_it(admin):
    assert workdays.unknown_years(D(2026, 12, 31), D(2027, 1, 14)) == [2027]
    assert workdays.is_provisional(D(2027, 1, 14)) and not workdays.is_provisional(D(2026, 12, 31))

    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert not workdays.is_known(2027)  # entered days alone do not make the year known
    calendar_year_confirm(year=2027, by=admin)

    assert workdays.is_known(2027) and workdays.unknown_years(D(2026, 1, 1), D(2027, 12, 31)) == []
    assert not workdays.is_provisional(D(2027, 1, 14))


@pytest.mark.django_db
def test_a_year_cannot_be_confirmed_with_no_holiday_entered(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        calendar_year_confirm(year=2027, by=admin)
    assert "2027" in refused.value.messages[0]
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_next_year_is_due_from_the_first_of_november_and_this_year_always():
    assert workdays.missing_years(D(2026, 10, 31)) == []
    assert workdays.missing_years(D(2026, 11, 1)) == [2027]
    assert workdays.missing_years(D(2027, 2, 1)) == [2027]
    assert workdays.missing_years(D(2027, 11, 1)) == [2027, 2028]


# -- the system check ----------------------------------------------------------------------------

def warned(day, monkeypatch):
    travel(monkeypatch, day)
    return [(w.id, w.msg) for w in calendar_check(databases=["default"])]


@pytest.mark.django_db
def test_the_check_warns_from_the_first_of_november_while_next_year_is_missing(monkeypatch,
                                                                               admin):
    assert warned(D(2026, 10, 31), monkeypatch) == []
    [(check_id, message)] = warned(D(2026, 11, 1), monkeypatch)
    assert check_id == "records.W002" and "2027" in message
    enter_2027(admin)
    assert warned(D(2026, 12, 3), monkeypatch) == []


@pytest.mark.django_db
def test_the_check_warns_while_the_current_year_is_missing(monkeypatch):
    [(check_id, message)] = warned(D(2027, 3, 1), monkeypatch)
    assert check_id == "records.W002" and "2027" in message
    assert [m for _id, m in warned(D(2027, 11, 1), monkeypatch) if "2028" in m]


@pytest.mark.django_db
def test_a_bare_check_asks_no_database_so_make_test_stays_green(monkeypatch):
    # `make test` runs `check --fail-level WARNING` on a fresh clone: the calendar check is a
    # database check, run by `check --database default` and by `migrate`
    travel(monkeypatch, D(2026, 12, 3))
    assert "records.W002" not in {w.id for w in run_checks()}
    assert "records.W002" in {w.id for w in run_checks(databases=["default"])}


@pytest.mark.django_db
def test_the_check_names_the_year_to_enter_and_can_be_silenced(monkeypatch, settings):
    travel(monkeypatch, D(2026, 12, 3))
    out = io.StringIO()
    call_command("check", databases=["default"], stderr=out, stdout=out)
    assert "records.W002" in out.getvalue() and "2027" in out.getvalue()

    settings.SILENCED_SYSTEM_CHECKS = ["records.W002"]
    out = io.StringIO()
    call_command("check", databases=["default"], stderr=out, stdout=out)
    assert "records.W002" not in out.getvalue()


# -- the banner ----------------------------------------------------------------------------------

def page(client, url="/notifications/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_administrators_and_the_secretary_see_the_banner_from_november(
        monkeypatch, admin, secretary, head_sanitation, client_for):
    travel(monkeypatch, D(2026, 10, 30))
    assert BANNER not in page(client_for(admin))

    travel(monkeypatch, D(2026, 11, 2))
    admin_page = page(client_for(admin))
    assert BANNER in admin_page and "/admin/records/workdayoverride/calendar/" in admin_page
    secretary_page = page(client_for(secretary))
    assert BANNER in secretary_page and "/admin/records/workdayoverride/calendar/" not in \
        secretary_page
    assert BANNER in page(client_for(secretary), "/workflow/inbox/")
    assert BANNER in page(client_for(admin), "/admin/")  # the admin's own pages too
    assert BANNER not in page(client_for(head_sanitation))

    enter_2027(admin)
    assert BANNER not in page(client_for(secretary))


def test_the_banner_costs_no_query_while_the_library_covers_the_years(
        monkeypatch, admin, head_sanitation, client_for):
    client = client_for(admin)
    travel(monkeypatch, D(2026, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert not [q for q in queries if "records_calendaryear" in q["sql"]]
    # in December someone who does not see it costs no calendar query either
    travel(monkeypatch, D(2026, 12, 3))
    with CaptureQueriesContext(connection) as queries:
        page(client_for(head_sanitation))
    assert not [q for q in queries if "records_calendaryear" in q["sql"]]
