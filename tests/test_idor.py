"""An IDOR matrix generated from the URL conf.

Every URL pattern that takes an object id is tried, GET and POST, by people outside
the record's chain: they get 403, 404, 405 or a redirect away, the response holds
none of the record's text, and nothing changes. A new URL pattern with an id and
no case here fails the suite until someone says how to fill it.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.models import User
from flows import extensions as extension_flow
from flows.actions import actions_of, flow_name
from flows.opening import open_annual_reports, open_report
from flows.parts import part_submit
from flows.registration import register_problems
from records import kinds
from records.models import (
    AnnualReport,
    Appeal,
    Assessment,
    AssessmentScheme,
    AssessmentSheet,
    AuditEvent,
    Criterion,
    DutyItem,
    DutyList,
    DutyRecord,
    DutyRecordEvidence,
    DutyReopening,
    Notification,
    Problem,
    QuarterlyReport,
    ScoreLine,
    SpecialEntry,
)
from records.services import assessments as assessment_services
from records.services import duty_records
from records.services import problems as services
from records.services.duties import duty_list_from_plan
from records.services.evidence import evidence_add

from .conftest import open_task, review, submit
from .duty_helpers import issued_list, recent_day

SECRET = "机密测试文本IDOR"
# Routes that need no case, and why.
EXEMPT = {
    "circulars:detail": "circulars are published to every unit by design",
    "circulars:docx": "circulars are published to every unit by design",
    "api:circular": "circulars are published to every unit by design",
    "api:circular_docx": "circulars are published to every unit by design",
    "password_reset_confirm": "takes a signed token, not an object id",
    "assessments:detail": "every member sees an assessment's status; its ranking and sheets "
                          "are shown only to whom services.assessments allows (the sheets' "
                          "routes are in the matrix)",
    "api:assessment": "every member sees an assessment's status (as assessments:detail)",
    "api:assessment_sheets": "lists only the sheets the reader may open, each as "
                             "services.assessments allows (tests/test_assessments_api.py)",
    "api:assessment_scheme": "a scheme is the bureau's published rules, read by every member",
    "assessments:scheme": "a scheme is the bureau's published rules, read by every member",
    "assessments:criterion": "a scheme's criterion is the bureau's published rules; only the "
                             "committee edits a draft (tests/test_assessment_pages.py)",
}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and "<" in str(pattern.pattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route, pattern


def routes_with_ids():
    return [(name, route) for name, route, _p in _walk(get_resolver().url_patterns)
            if not route.startswith("admin/")]


@pytest.fixture
def world(bureau, unit, client_for, head_sanitation, leader_li, jiwei_chen, head_enforcement,
          leader_zhao):
    """A signed-off and an open report of sanitation, a filed and an open problem of
    enforcement (with evidence), leader_li's annual report at the secretary, and a
    notification for head_sanitation."""
    head, leader = client_for(head_sanitation), client_for(leader_li)
    done = open_report(unit=unit("sanitation"), year=2026, quarter=2)
    submit(head, done, work_done=SECRET)
    review(leader, done, "sign_off", SECRET)
    pending = open_report(unit=unit("sanitation"), year=2026, quarter=3)
    submit(head, pending, work_done=SECRET)

    filed, open_problem = register_problems(
        by=jiwei_chen, source="spot_check", found_on=datetime.date(2026, 10, 2), title=SECRET,
        items=[{"unit": unit("enforcement"), "category": "hedonism", "description": SECRET},
               {"unit": unit("enforcement"), "category": "formalism", "description": SECRET}])

    def act(problem, do):
        task = open_task(problem)
        with task.activation() as activation:
            activation.start(None)
            do(task)
            activation.execute()
        problem.refresh_from_db()

    planned = timezone.localdate() + datetime.timedelta(days=30)
    for problem in (filed, open_problem):
        act(problem, lambda t, p=problem: services.problem_analyse(
            problem=p, by=head_enforcement, root_cause=SECRET, measures=SECRET,
            planned_date=planned))
        act(problem, lambda t, p=problem: services.problem_approve_plan(
            problem=p, by=leader_zhao, task=t))
        evidence_add(problem=problem, by=head_enforcement, file=SimpleUploadedFile(
            "证据.pdf", b"%PDF-1.4 " + SECRET.encode()))
    services.problem_add_progress(problem=filed, by=head_enforcement, text=SECRET)
    act(filed, lambda t: services.problem_report_rectified(problem=filed, by=head_enforcement))
    act(filed, lambda t: services.problem_close_out(problem=filed, by=jiwei_chen, task=t))
    extension_flow.request(problem=open_problem, by=head_enforcement, task=None,
                                       new_date=planned + datetime.timedelta(days=9),
                                       reason=SECRET)
    # a joint problem of enforcement and its squads: its units' parts (countersign) are open
    [joint] = register_problems(
        by=jiwei_chen, source="spot_check", found_on=datetime.date(2026, 10, 2), items=[
            {"unit": unit("enforcement"), "category": "hedonism", "description": SECRET,
             "co_units": [unit("squad1"), unit("squad2")]}])
    act(joint, lambda t: services.problem_analyse(
        problem=joint, by=head_enforcement, root_cause=SECRET, measures=SECRET,
        planned_date=planned))
    act(joint, lambda t: services.problem_approve_plan(problem=joint, by=leader_zhao, task=t))
    evidence_add(problem=joint, by=head_enforcement, file=SimpleUploadedFile(
        "证据.pdf", b"%PDF-1.4 " + SECRET.encode()))
    # its parts written, then sent back: every node of the countersign has a task, and the
    # parts are open again
    for task in Task.objects.filter(process_id=joint.process_id, status="ASSIGNED"):
        with task.activation() as activation:
            activation.start(None)
            part_submit(problem=joint, task=task, by=task.owner, text=SECRET)
            activation.execute()
    joint.refresh_from_db()
    act(joint, lambda t: services.problem_send_back(problem=joint, by=jiwei_chen,
                                                    opinion=SECRET, task=t))
    notification = Notification.objects.create(
        recipient=head_sanitation, kind="due_soon", key=f"records.quarterlyreport:{pending.pk}",
        day=timezone.localdate(), title=SECRET, url=f"/reports/{pending.pk}/")
    open_annual_reports(year=2025)
    annual = AnnualReport.objects.get(leader=leader_li, year=2025)
    submit(leader, annual, work_done=SECRET, integrity=SECRET)
    # a duty list still in draft (next year's): the committee's and the secretary's alone
    duty_list = duty_list_from_plan(year=timezone.localdate().year + 1, by=jiwei_chen,
                                    text=f"1.{SECRET}。全年不少于X次。")
    # this year's, issued: sanitation's records of it, one with evidence awaiting review, a
    # talk returned for revision
    issued = issued_list()
    items = list(issued.items.filter(number__in=[14, 16]))
    waiting = duty_records.duty_record_create(
        by=head_sanitation, duty_list=issued, items=items, participants=[leader_li],
        files=[SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 " + SECRET.encode())],
        kind="meeting", date=recent_day(), place=SECRET, summary=SECRET)
    talk = duty_records.duty_record_create(
        by=head_sanitation, duty_list=issued, items=items[:1], kind="talk",
        date=recent_day(), summary=SECRET, guests=SECRET,
        files=[SimpleUploadedFile("谈话记录.pdf", b"%PDF-1.4 " + SECRET.encode())])
    duty_records.duty_record_review(record=talk, by=leader_li, accept=False, opinion=SECRET)
    # this year's assessment, published: sanitation's sheet and leader_li's, with reasons,
    # a special entry and an appeal that must not leak
    assessment = assessment_services.assessment_create(year=timezone.localdate().year,
                                                       by=jiwei_chen)
    assessment_services.assessment_open(assessment=assessment, by=jiwei_chen)
    unit_sheet = assessment.sheets.get(unit=unit("sanitation"), subject__isnull=True)
    leader_sheet = assessment.sheets.get(subject=leader_li)
    line = unit_sheet.lines.filter(criterion__kind="manual").first()
    assessment_services.line_score(line=line, by=head_sanitation, score=0, reason=SECRET)
    assessment_services.assessment_advance(assessment=assessment, by=jiwei_chen)
    assessment_services.line_score(line=line, by=leader_li, score=1, reason=SECRET)
    assessment_services.assessment_advance(assessment=assessment, by=jiwei_chen)
    assessment_services.line_adjust(line=line, by=jiwei_chen, score=2, reason=SECRET)
    bonus = assessment.units_scheme.criteria.get(special="bonus")
    entry = assessment_services.special_add(
        sheet=unit_sheet, criterion=bonus, by=jiwei_chen, score=1, reason=SECRET,
        upload=SimpleUploadedFile("表彰.pdf", b"%PDF-1.4 " + SECRET.encode()))
    assessment_services.assessment_advance(assessment=assessment, by=jiwei_chen)
    appeal = assessment_services.appeal_lodge(line=line, by=head_sanitation, text=SECRET)
    return {"reports": [done, pending], "problems": [filed, open_problem, joint],
            "assessments": [assessment], "sheets": [unit_sheet, leader_sheet],
            "special": entry, "appeal": appeal,
            "annual_reports": [annual], "notification": notification,
            "duty_lists": [duty_list], "issued_lists": [issued],
            "duty_records": [waiting, talk]}


def _records_of(kind, world) -> list:
    return world[f"{kind.key}s"]


def _fill(name, route, world):
    """URL kwargs that point at the world's records, for one route; None if unknown."""
    parts = name.split(":")
    if name in ("reports:detail", "reports:edit", "reports:trail", "reports:cancel",
                "reports:withdraw", "reports:sheet_pdf", "reports:sheet_docx", "reports:urge"):
        return [{"pk": r.pk} for r in world["reports"]]
    if name in ("problems:detail", "problems:extension", "problems:trail", "problems:cancel",
                "problems:withdraw", "problems:sheet_pdf", "problems:sheet_docx",
                "problems:urge"):
        return [{"pk": p.pk} for p in world["problems"]]
    if name in ("reports:version", "api:report_versions", "api:report_version"):
        return [{"pk": r.pk, "number": 1} for r in world["reports"]]
    if name in ("problems:version", "api:problem_versions", "api:problem_version"):
        return [{"pk": p.pk, "number": 1} for p in world["problems"]]
    if name == "problems:evidence":
        return [{"pk": p.pk, "evidence_pk": p.evidence.get().pk} for p in world["problems"]]
    if name == "notifications:read":
        return [{"pk": world["notification"].pk}]
    if name in ("duties:detail", "duties:issue", "api:duty_list", "api:duty_list_issue"):
        return [{"pk": d.pk} for d in world["duty_lists"]]
    if name in ("duties:item", "api:duty_item"):
        return [{"pk": d.pk, "number": 1} for d in world["duty_lists"]]
    if name in ("duties:record", "duties:record_edit", "duties:record_review",
                "duties:record_evidence", "api:duty_record", "api:duty_record_review",
                "api:duty_record_resubmit", "api:duty_record_evidence_upload"):
        return [{"pk": r.pk} for r in world["duty_records"]]
    if name in ("duties:record_download", "api:duty_record_evidence"):
        return [{"pk": r.pk, "evidence_pk": e.pk} for r in world["duty_records"]
                for e in r.evidence.all()]
    if name in ("duties:reopen", "duties:rules", "duties:close"):
        return [{"pk": d.pk} for d in world["duty_lists"] + world["issued_lists"]]
    if name == "duties:docx":  # an issued list's notice is for every member
        return [{"pk": d.pk} for d in world["duty_lists"]]
    if name == "duties:handbook_person":
        return [{"username": r.author.username} for r in world["duty_records"][:1]]
    if name in ("api:report", "api:report_withdraw", "api:report_sheet_pdf",
                "api:report_sheet_docx", "api:report_urge"):
        return [{"pk": r.pk} for r in world["reports"]]
    if name in ("api:problem", "api:problem_evidence_upload", "api:problem_extension",
                "api:problem_withdraw", "api:problem_sheet_pdf", "api:problem_sheet_docx",
                "api:problem_urge"):
        return [{"pk": p.pk} for p in world["problems"]]
    if name == "api:problem_evidence":
        return [{"pk": p.pk, "evidence_pk": p.evidence.get().pk} for p in world["problems"]]
    if name == "api:notification_read":
        return [{"pk": world["notification"].pk}]
    if name == "api:task_action":
        processes = [r.process_id for r in world["reports"] + world["problems"]
                     + world["annual_reports"]]
        tasks = Task.objects.filter(process_id__in=processes, flow_task_type="HUMAN")
        return [{"pk": t.pk, "action": action} for t in tasks for action in actions_of(t)]
    if name in ("assessments:act", "assessments:dashboard", "assessments:export"):
        return [{"pk": a.pk} for a in world["assessments"]]
    if name in ("assessments:sheet", "assessments:sheet_act", "assessments:sheet_docx"):
        return [{"pk": sheet.pk} for sheet in world["sheets"]]
    if name in ("api:assessment_recompute", "api:assessment_open", "api:assessment_advance",
                "api:assessment_approve", "api:assessment_circular"):
        return [{"pk": a.pk} for a in world["assessments"]]
    if name in ("api:assessment_sheet", "api:assessment_sheet_submit",
                "api:assessment_sheet_grade", "api:assessment_sheet_acknowledge",
                "api:assessment_sheet_specials"):
        return [{"pk": sheet.pk} for sheet in world["sheets"]]
    if name in ("api:assessment_line_score", "api:assessment_line_adjust",
                "api:assessment_line_appeal"):
        return [{"pk": sheet.pk, "line_pk": sheet.lines.first().pk} for sheet in world["sheets"]]
    if name == "api:assessment_appeal_answer":
        appeal = world["appeal"]
        return [{"pk": appeal.sheet_id, "appeal_pk": appeal.pk}]
    if name == "assessments:special_file":
        return [{"pk": world["special"].sheet_id, "entry_pk": world["special"].pk}]
    if name.startswith("api:step_"):  # /api/v1/steps/<flow>/<step>/<task>/<action>/
        flow, step = route.split("/")[3:5]
        processes = [r.process_id for r in world["reports"] + world["problems"]
                     + world["annual_reports"]]
        tasks = Task.objects.filter(flow_task_type="HUMAN", process_id__in=processes,
                                    flow_task__endswith=f".{step}",
                                    process__flow_class__icontains=flow)
        return [{"pk": t.pk} for t in tasks] or [{"pk": Task.objects.order_by("pk").last().pk}]
    if name == "api:task_candidates":
        processes = [r.process_id for r in world["reports"] + world["problems"]]
        tasks = Task.objects.filter(process_id__in=processes, flow_task_type="HUMAN")
        return [{"pk": t.pk} for t in tasks]
    if name == "workflow:transfer":
        processes = [r.process_id for r in world["reports"] + world["problems"]]
        tasks = Task.objects.filter(process_id__in=processes, flow_task_type="HUMAN")
        return [{"task_pk": t.pk} for t in tasks]
    for kind in kinds.all_kinds():  # every kind's own pages and API routes
        if kind.key in ("report", "problem"):
            continue  # named one by one above
        if parts[0] == kind.namespace or name == f"api:{kind.key}" \
                or name.startswith(f"api:{kind.key}_"):
            extra = {"number": 1} if "<int:number>" in route else {}
            return [{"pk": r.pk, **extra} for r in _records_of(kind, world)]
    if parts[:2] == ["workflow", "flows"]:
        [kind] = [k for k in kinds.all_kinds() if flow_name(k.flow_class) == parts[2]]
        records = _records_of(kind, world)
        processes = [r.process_id for r in records]
        if parts[3] == "process_detail":  # the process page
            return [{"process_pk": pk} for pk in processes]
        tasks = Task.objects.filter(process_id__in=processes, flow_task__endswith=f".{parts[3]}")
        return [{"process_pk": t.process_id, "task_pk": t.pk} for t in tasks] or None
    return None


OUTSIDERS = ["head_office", "leader_wang", "liaison_enforcement", "head_legal"]


def _snapshot():
    return (list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id")),
            list(QuarterlyReport.objects.order_by("pk").values_list("status", "work_done")),
            list(Problem.objects.order_by("pk").values_list("status", "due_date")),
            list(AnnualReport.objects.order_by("pk").values_list("status", "work_done")),
            Notification.objects.filter(read_at__isnull=False).count(),
            list(DutyList.objects.order_by("pk").values_list("status", "version",
                                                             "record_within", "lock_after")),
            list(DutyItem.objects.order_by("pk").values_list("target", "carriers")),
            list(DutyRecord.objects.order_by("pk").values_list("status", "version", "summary")),
            DutyRecordEvidence.objects.count(), DutyReopening.objects.count(),
            list(Assessment.objects.order_by("pk").values_list("status", "phase_due")),
            list(AssessmentSheet.objects.order_by("pk").values_list(
                "total", "grade", "grade_set", "self_at", "leader_at", "acknowledged_at")),
            list(ScoreLine.objects.order_by("pk").values_list(
                "self_score", "leader_score", "adjusted", "final")),
            list(Appeal.objects.order_by("pk").values_list("status", "answer")),
            SpecialEntry.objects.count(),
            list(AssessmentScheme.objects.order_by("pk").values_list("status", "version")),
            list(Criterion.objects.order_by("pk").values_list("max_points", "rule")))


def test_every_route_with_an_id_has_a_case(world):
    missing = [(name, route) for name, route in routes_with_ids()
               if name not in EXEMPT and not _fill(name, route, world)]
    assert missing == [], "add these routes to the IDOR matrix (tests/test_idor.py)"


@pytest.mark.parametrize("username", OUTSIDERS)
def test_people_outside_the_chain_get_nothing_from_any_route(world, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    before, audit_before = _snapshot(), AuditEvent.objects.count()
    tried = 0
    for name, route in routes_with_ids():
        if name in EXEMPT:
            continue
        for kwargs in _fill(name, route, world):
            url = "/" + route
            for key, value in kwargs.items():
                url = url.replace(f"<int:{key}>", str(value)).replace(f"<str:{key}>", str(value))
            if username == "liaison_enforcement" and "/rectification/" in url or \
                    (username == "liaison_enforcement" and
                     url.startswith(("/problems/", "/api/v1/problems/"))):
                continue  # the enforcement liaison is inside the problems' chain
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                tried += 1
                content = b"".join(response.streaming_content) if response.streaming \
                    else response.content
                assert SECRET.encode() not in content, (username, method, url)
                assert response.status_code in (302, 403, 404, 405), (username, method, url,
                                                                      response.status_code)
                if response.status_code == 302:
                    assert response["Location"] in ("/", "/accounts/login/") or \
                        "/detail/" in response["Location"], (url, response["Location"])
    assert tried > 80
    assert _snapshot() == before
    # refusals may be audited (downloads are not: they were refused)
    assert not AuditEvent.objects.filter(pk__gt=audit_before,
                                         action__in=["problem.evidence_download",
                                                     "report.sheet_print",
                                                     "problem.sheet_print",
                                                     "duty_record.evidence_download",
                                                     "assessment.evidence_download",
                                                     "assessment.sheet_docx",
                                                     "assessment.export"]).exists()
