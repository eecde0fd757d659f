"""The administrator keeps the calendar in the admin: the calendar page (years, the State
Council's notice read, shown, then saved), single days, and the page explaining itself.
Also: the org chart's history pages answer 404 for an id that is not one."""

import pytest

from accounts.models import Oversight, User
from records.models import AuditEvent, CalendarYear, QuarterlyReport, WorkdayOverride

from .calendar_helpers import NEW_YEAR_2027, D, notice, travel

CALENDAR = "/admin/records/workdayoverride/calendar/"


@pytest.fixture
def admin(bureau):
    return User.objects.get(username="admin")


@pytest.fixture
def admin_client(admin, client_for, monkeypatch):
    travel(monkeypatch, D(2026, 12, 3))
    return client_for(admin)


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_calendar_page_shows_each_year_and_where_its_holidays_come_from(admin_client):
    page = html(admin_client.get(CALENDAR))

    assert 'data-year="2026" data-status="library"' in page
    assert 'data-year="2027" data-status="missing"' in page and "缺失" in page
    assert "调休上班" in page and "优先于内置日历" in page  # the page explains itself
    assert CALENDAR in html(admin_client.get("/admin/records/workdayoverride/"))


def test_a_pasted_notice_is_shown_by_festival_and_saved_only_when_confirmed(
        admin_client, admin):
    preview = html(admin_client.post(CALENDAR, {"text": notice(2026), "_preview": "1"}))

    assert not WorkdayOverride.objects.exists() and not CalendarYear.objects.exists()
    assert "2026-02-15" in preview and "国庆节" in preview and 'name="_save"' in preview
    assert "33" in preview and "除夕" not in preview

    saved = admin_client.post(CALENDAR, {"text": notice(2026), "_save": "1"})
    assert saved.status_code == 302
    assert WorkdayOverride.objects.filter(is_workday=False).count() == 33
    assert WorkdayOverride.objects.filter(is_workday=True).count() == 6
    assert WorkdayOverride.objects.get(date=D(2026, 2, 14)).note == "春节"
    year = CalendarYear.objects.get()
    assert (year.year, year.confirmed_by, year.source) == (2026, admin, notice(2026).strip())
    event = AuditEvent.objects.get(action="calendar.import_notice")
    assert (event.actor, event.data["holidays"], event.data["workdays"]) == (admin, 33, 6)
    assert "已保存" in html(admin_client.get(saved["Location"]))


def test_a_notice_that_reads_oddly_is_shown_with_what_to_check(admin_client):
    odd = NEW_YEAR_2027.replace("周五", "周四")
    page = html(admin_client.post(CALENDAR, {"text": odd, "_preview": "1"}))

    assert "2027-01-01" in page and "周四" in page and "核对" in page
    assert 'name="_save"' in page  # still the administrator's call


def test_a_notice_without_its_year_cannot_be_saved(admin_client):
    text = "一、元旦：1月1日（周五）放假1天，不调休。"
    page = html(admin_client.post(CALENDAR, {"text": text, "_save": "1"}))

    assert 'name="_save"' not in page and "年份" in page
    assert not WorkdayOverride.objects.exists()
    # with the year chosen it reads, and saves
    assert admin_client.post(CALENDAR, {"text": text, "year": "2027", "_save": "1"}
                             ).status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()


def test_a_year_entered_by_hand_is_confirmed_on_the_page(admin_client, admin):
    refused = admin_client.post(CALENDAR, {"year": "2027", "_confirm_year": "1"}, follow=True)
    assert "尚未录入2027年的任何节假日" in html(refused)
    assert not CalendarYear.objects.exists()

    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    page = html(admin_client.get(CALENDAR))
    assert 'name="_confirm_year"' in page
    confirmed = admin_client.post(CALENDAR, {"year": "2027", "_confirm_year": "1"}, follow=True)
    assert 'data-year="2027" data-status="confirmed"' in html(confirmed)
    assert CalendarYear.objects.get().confirmed_by == admin
    assert AuditEvent.objects.filter(action="calendar.confirm_year").count() == 1


def test_one_day_entered_in_the_admin_counts_the_open_deadlines_again(
        admin_client, admin, unit, monkeypatch):
    from flows.opening import open_report

    report = open_report(unit=unit("legal"), year=2026, quarter=4)
    assert report.due_date == D(2027, 1, 14)
    add = admin_client.post("/admin/records/workdayoverride/add/",
                            {"date": "2027-01-01", "is_workday": "", "note": "元旦"})
    assert add.status_code == 302
    report.refresh_from_db()
    assert report.due_date == D(2027, 1, 15)
    set_event = AuditEvent.objects.get(action="calendar.day_set")
    assert set_event.actor == admin and set_event.data["entry"]["date"] == "2027-01-01"

    override = WorkdayOverride.objects.get()
    removed = admin_client.post(f"/admin/records/workdayoverride/{override.pk}/delete/",
                                {"post": "yes"})
    assert removed.status_code == 302 and not WorkdayOverride.objects.exists()
    assert QuarterlyReport.objects.get(pk=report.pk).due_date == D(2027, 1, 14)
    assert AuditEvent.objects.filter(action="report.deadline_recount").count() == 2


def test_the_add_form_says_what_ticked_and_unticked_mean(admin_client):
    page = html(admin_client.get("/admin/records/workdayoverride/add/"))

    assert "勾选" in page and "调休上班" in page


def test_only_administrators_with_the_right_reach_the_calendar_page(
        client_for, head_sanitation, bureau):
    assert client_for(head_sanitation).get(CALENDAR).status_code == 302  # to the admin login
    staff = User.objects.create_user("clerk", is_staff=True)
    assert client_for(staff).get(CALENDAR).status_code == 403
    assert client_for(staff).post(CALENDAR, {"text": NEW_YEAR_2027, "_save": "1"}
                                  ).status_code == 403
    assert not WorkdayOverride.objects.exists()


def test_an_org_chart_history_url_with_change_in_it_is_404_not_500(admin_client):
    oversight = Oversight.objects.first()

    assert admin_client.get(f"/admin/accounts/oversight/{oversight.pk}/change/history/"
                            ).status_code == 404
    assert admin_client.get(f"/admin/accounts/oversight/{oversight.pk}/history/x/"
                            ).status_code == 404
    assert admin_client.get(f"/admin/accounts/oversight/{oversight.pk}/history/"
                            ).status_code == 200
