"""The ledger and the API as the committee uses them (issue 17 §3): one check isolated among
several of the same source, a range of dates found, unknown filters refused, circulars and
the export through the API."""

import datetime

import pytest
from rest_framework.test import APIClient

from flows.registration import register_problems
from records.models import AuditEvent, Circular, Problem, ProblemList

from .test_ledger import workbook_rows

D = datetime.date
SECRET = "只有执法支队的人能看到这条"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def two_checks(jiwei_chen, unit):
    """Two spot checks (same source) a month apart, and a problem registered on its own."""
    def check(title, day, *codes):
        return register_problems(by=jiwei_chen, source="spot_check", found_on=day, title=title,
                                 items=[{"unit": unit(code), "category": "hedonism",
                                         "description": f"{title}：{unit(code).name}"}
                                        for code in codes])

    spring = check("2026年春节期间明察暗访", D(2026, 2, 24), "sanitation", "legal")
    autumn = check("2026年中秋国庆节日期间明察暗访", D(2026, 10, 9), "enforcement",
                   "sanitation", "legal")
    [alone] = register_problems(by=jiwei_chen, source="spot_check", found_on=D(2026, 6, 3),
                                items=[{"unit": unit("enforcement"), "category": "formalism",
                                        "description": SECRET}])
    return {"spring": spring, "autumn": autumn, "alone": alone,
            "autumn_list": autumn[0].problem_list}


def ids(problems):
    return sorted(p.pk for p in problems)


def test_the_ledger_isolates_one_check_of_two_with_the_same_source(two_checks, jiwei_chen,
                                                                   client_for):
    autumn = two_checks["autumn_list"]
    page = client_for(jiwei_chen).get(f"/problems/?check={autumn.pk}")
    assert sorted(p.pk for p in page.context["rows"]) == ids(two_checks["autumn"])
    html = page.content.decode()
    # the check is offered by name and date, and stays chosen
    assert "2026年春节期间明察暗访 (2026-02-24)" in html
    assert f'<option value="{autumn.pk}" selected>' in html
    # the export takes exactly the same rows
    export = client_for(jiwei_chen).get(f"/problems/export.xlsx?check={autumn.pk}")
    rows, _sheet = workbook_rows(export)
    assert sorted(row[0] for row in rows[1:]) == ids(two_checks["autumn"])
    # and so does the API
    listed = api(jiwei_chen).get("/api/v1/problems/", {"check": autumn.pk}).json()
    assert sorted(p["id"] for p in listed["results"]) == ids(two_checks["autumn"])
    assert {p["problem_list"] for p in listed["results"]} == {autumn.pk}


def test_a_range_of_dates_found(two_checks, jiwei_chen, client_for):
    query = {"found_from": "2026-06-01", "found_to": "2026-10-09"}
    page = client_for(jiwei_chen).get("/problems/", query)
    expected = ids([*two_checks["autumn"], two_checks["alone"]])
    assert sorted(p.pk for p in page.context["rows"]) == expected
    listed = api(jiwei_chen).get("/api/v1/problems/", query).json()
    assert sorted(p["id"] for p in listed["results"]) == expected
    only_june = api(jiwei_chen).get("/api/v1/problems/", {"found_to": "2026-06-30"}).json()
    assert sorted(p["id"] for p in only_june["results"]) == ids(
        [*two_checks["spring"], two_checks["alone"]])


def test_a_leader_is_offered_only_the_checks_of_problems_they_may_see(two_checks, leader_wang,
                                                                    client_for):
    html = client_for(leader_wang).get("/problems/").content.decode()
    assert "2026年中秋国庆节日期间明察暗访" not in html
    # and asking for one anyway shows nothing of it
    page = client_for(leader_wang).get(f"/problems/?check={two_checks['autumn_list'].pk}")
    assert list(page.context["rows"]) == []


@pytest.mark.parametrize("query, field", [
    ({"found_from": "2026-10-09", "found_to": "2026-06-01"}, "found_to"),
    ({"found_from": "2026-13-01"}, "found_from"),
    ({"found_to": "1899-01-01"}, "found_to"),
    ({"check": "abc"}, "check"),
    ({"check": "0"}, "check"),
])
def test_bad_filter_values_are_a_clear_400(two_checks, jiwei_chen, query, field):
    response = api(jiwei_chen).get("/api/v1/problems/", query)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_bad_dates_on_the_page_are_ignored_not_a_500(two_checks, jiwei_chen, client_for):
    page = client_for(jiwei_chen).get("/problems/", {"found_from": "not-a-date",
                                                     "check": "x\x00"})
    assert page.status_code == 200 and len(page.context["rows"]) == 6


@pytest.mark.parametrize("url, bad", [
    ("/api/v1/problems/", {"unti": "legal"}),
    ("/api/v1/problems/", {"source": "spot_check", "checkk": "1"}),
    ("/api/v1/problems/export/", {"page": "2"}),
    ("/api/v1/reports/", {"yaer": "2026"}),
    ("/api/v1/notifications/", {"unraed": "true"}),
    ("/api/v1/tasks/", {"status": "ASSIGNED"}),
    ("/api/v1/circulars/", {"year": "2026"}),
    ("/api/v1/extensions/", {"mine": "1"}),
    ("/api/v1/annual-reports/", {"leader": "leader_li"}),
])
def test_an_unknown_filter_is_refused_naming_the_allowed_ones(two_checks, jiwei_chen, url, bad):
    response = api(jiwei_chen).get(url, bad)
    assert response.status_code == 400, url
    message = " ".join(response.json()["errors"]["filters"])
    for name in bad:
        if name != "page":
            assert name in message
    assert response["Content-Type"].startswith("application/json")


def test_known_filters_and_the_page_still_work(two_checks, jiwei_chen):
    assert api(jiwei_chen).get("/api/v1/problems/", {"source": "spot_check", "page": "1"}) \
        .status_code == 200
    assert api(jiwei_chen).get("/api/v1/tasks/", {"page": "1"}).status_code == 200


# -- the export through the API ----------------------------------------------------------------

def test_the_committee_exports_one_check_through_the_api(two_checks, jiwei_chen):
    autumn = two_checks["autumn_list"]
    response = api(jiwei_chen).get("/api/v1/problems/export/", {"check": autumn.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows, _sheet = workbook_rows(response)
    assert rows[0][0] == "序号"
    assert sorted(row[0] for row in rows[1:]) == ids(two_checks["autumn"])
    event = AuditEvent.objects.get(action="problem.export")
    assert event.data["rows"] == 3 and event.data["filters"] == {"check": str(autumn.pk)}


def test_an_export_holds_only_what_the_caller_may_see(two_checks, leader_wang, head_legal):
    for person in (leader_wang, head_legal):
        rows, _sheet = workbook_rows(api(person).get("/api/v1/problems/export/"))
        visible = set(Problem.objects.filter(pk__in=[r[0] for r in rows[1:]])
                      .values_list("unit__code", flat=True))
        assert SECRET not in str(rows)
        assert "enforcement" not in visible
    assert APIClient().get("/api/v1/problems/export/").status_code == 401


# -- circulars through the API -----------------------------------------------------------------

def test_the_committee_issues_a_circular_through_the_api(two_checks, jiwei_chen):
    named = two_checks["autumn"]
    response = api(jiwei_chen).post("/api/v1/circulars/", {
        "title": "关于2026年中秋国庆节日期间明察暗访发现问题的通报",
        "body": "现将有关情况通报如下。", "problems": [p.pk for p in named]}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    circular = Circular.objects.get()
    assert data["id"] == circular.pk and data["document_number"] == circular.document_number
    assert data["problem_count"] == 3 and sorted(p["id"] for p in data["problems"]) == ids(named)
    assert data["issued_on"] == datetime.date.today().isoformat()
    assert AuditEvent.objects.filter(action="circular.issue", target_id=circular.pk).exists()
    # the next one takes the next number
    again = api(jiwei_chen).post("/api/v1/circulars/", {
        "title": "第二份通报", "problems": [two_checks["alone"].pk]}, format="json")
    assert again.json()["number"] == data["number"] + 1


@pytest.mark.parametrize("body, field", [
    ({"title": "通报"}, "problems"),
    ({"title": "通报", "problems": []}, "problems"),
    ({"title": "通报", "problems": [999999]}, "problems"),
    ({"title": "", "problems": ["P"]}, "title"),
    ({"title": "通报", "problems": ["P"], "issued_on": "2999-01-01"}, "issued_on"),
    ({"title": "通报", "problems": ["P"], "issued_on": "yesterday"}, "issued_on"),
])
def test_a_bad_circular_is_a_clear_400_and_issues_nothing(two_checks, jiwei_chen, body, field):
    body = {k: [two_checks["alone"].pk if x == "P" else x for x in v] if k == "problems" else v
            for k, v in body.items()}
    response = api(jiwei_chen).post("/api/v1/circulars/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Circular.objects.exists()


def test_only_the_committee_issues_circulars(two_checks, leader_li, head_legal):
    for person in (leader_li, head_legal):
        response = api(person).post("/api/v1/circulars/", {
            "title": "通报", "problems": [two_checks["alone"].pk]}, format="json")
        assert response.status_code in (403, 404)
        assert SECRET not in response.content.decode()
    assert not Circular.objects.exists()
    assert not ProblemList.objects.filter(title="通报").exists()
