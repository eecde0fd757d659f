"""Units late in two consecutive quarters are flagged for a formal talk."""

import datetime

from django.utils import timezone

from flows.opening import open_report
from records.lateness import repeatedly_late
from records.models import Problem, QuarterlyReport

D = datetime.date


def test_a_unit_late_two_quarters_running_is_flagged_and_others_are_not(bureau, unit):
    legal, finance = unit("legal"), unit("finance")
    q2 = open_report(unit=legal, year=2026, quarter=2)  # due 2026-07-14
    q3 = open_report(unit=legal, year=2026, quarter=3)  # due 2026-10-20
    late_once = open_report(unit=finance, year=2026, quarter=3)
    on_time = open_report(unit=finance, year=2026, quarter=2)
    # legal submitted Q2 a day late; Q3 is still open past its deadline
    QuarterlyReport.objects.filter(pk=q2.pk).update(
        status="signed_off", submitted_at=timezone.make_aware(datetime.datetime(2026, 7, 15, 9)))
    QuarterlyReport.objects.filter(pk=on_time.pk).update(
        status="signed_off", submitted_at=timezone.make_aware(datetime.datetime(2026, 7, 10, 9)))
    assert q3.is_overdue and late_once.is_overdue

    flagged = dict(repeatedly_late(D(2026, 11, 26)))
    assert list(flagged) == [legal]
    # a miss counts in the quarter its deadline fell in: 14 July (Q3) and 20 October (Q4)
    assert flagged[legal] == [(2026, 3), (2026, 4)]


def test_a_problem_closed_after_its_approved_date_counts_even_if_extended(bureau, unit):
    from accounts.models import User
    from flows.registration import register_problems

    squad1 = unit("squad1")
    problem = register_problems(by=User.objects.get(username="jiwei_chen"), source="spot_check",
                                found_on=D(2026, 7, 1), items=[{
                                    "unit": squad1, "category": "formalism",
                                    "description": "台账造假"}])[0]
    Problem.objects.filter(pk=problem.pk).update(
        status="closed", approved_date=D(2026, 8, 20), due_date=None,
        closed_at=timezone.make_aware(datetime.datetime(2026, 9, 30, 9)))
    open_report(unit=squad1, year=2026, quarter=3)  # overdue since 2026-10-20
    assert dict(repeatedly_late(D(2026, 11, 26)))[squad1] == [(2026, 3), (2026, 4)]


def test_the_committee_dashboard_lists_units_for_a_formal_talk(bureau, unit, jiwei_chen,
                                                               client_for):
    legal = unit("legal")
    late = open_report(unit=legal, year=2026, quarter=2)
    QuarterlyReport.objects.filter(pk=late.pk).update(
        status="signed_off", submitted_at=timezone.make_aware(datetime.datetime(2026, 7, 20, 9)))
    open_report(unit=legal, year=2026, quarter=3)  # overdue since 20 October
    page = client_for(jiwei_chen).get("/problems/dashboard/").content.decode()
    talks = page.split("dc-talks")[1]
    assert "政策法规处" in talks and "市容环境卫生管理处" not in talks
