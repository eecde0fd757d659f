"""A program written against the served OpenAPI schema alone: a client generated from it
with openapi-python-client drives a quarterly report and a leader's annual report from
opening to sign-off, each action with the typed body its step declares."""

import importlib
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from accounts.models import Unit
from flows.opening import open_annual_reports, open_report
from records.models import AnnualReport, QuarterlyReport

GENERATOR = Path(sys.executable).with_name("openapi-python-client")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not GENERATOR.exists(), reason="openapi-python-client is not installed "
                                                      "(make venv installs it)"),
]


@pytest.fixture
def client_package(live_server, bureau, tmp_path, monkeypatch):
    """The package generated from /api/v1/schema/ as the server serves it."""
    schema = tmp_path / "schema.json"
    with urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json",
                                timeout=30) as response:
        schema.write_bytes(response.read())
    config = tmp_path / "config.yml"
    config.write_text("post_hooks: []\npackage_name_override: dutychain_client\n")
    subprocess.run([str(GENERATOR), "generate", "--path", str(schema), "--output-path",
                    str(tmp_path / "dutychain_client"), "--meta", "none", "--config",
                    str(config)], check=True, capture_output=True, timeout=120)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("dutychain_client")]:
        del sys.modules[name]
    return importlib.import_module("dutychain_client")


def _signed_in(package, url, username):
    """A program's session: a token for ``username``, then every call with it."""
    token_api = importlib.import_module("dutychain_client.api.auth.auth_token_obtain")
    models = importlib.import_module("dutychain_client.models")
    anonymous = package.Client(base_url=url)
    token = token_api.sync(client=anonymous, body=models.TokenRequestRequest(
        username=username, password="demo-pass-123"))
    assert isinstance(token, models.Token), token
    return package.AuthenticatedClient(base_url=url, token=token.token, prefix="Token")


def _my_task(client, item_id):
    tasks_list = importlib.import_module("dutychain_client.api.tasks.tasks_list")
    page = tasks_list.sync(client=client)
    [task] = [t for t in page.results if t.item.id == item_id]
    return task


def _call(operation, **kwargs):
    *tag, name = operation.split(".")
    module = importlib.import_module(f"dutychain_client.api.{'.'.join(tag)}.{name}")
    return module.sync(**kwargs)


def test_a_quarterly_report_from_submission_to_sign_off(client_package, live_server):
    models = importlib.import_module("dutychain_client.models")
    report = open_report(unit=Unit.objects.get(code="sanitation"), year=2026, quarter=3)
    head = _signed_in(client_package, live_server.url, "head_sanitation")
    task = _my_task(head, report.pk)
    assert task.step == "draft" and "submit" in [a.value for a in task.actions]

    done = _call("quarterlyreport.quarterlyreport_draft_submit", id=task.id, client=head,
                 body=models.ReportSubmitInputRequest(work_done="开展廉政教育 2 次。",
                                                      next_steps="加强日常监督。"))
    assert isinstance(done, models.TaskActionResult) and done.completed, done

    leader = _signed_in(client_package, live_server.url, "leader_li")
    review = _my_task(leader, report.pk)
    done = _call("quarterlyreport.quarterlyreport_review_sign_off", id=review.id, client=leader,
                 body=models.ReviewInputRequest(opinion="同意。"))
    assert done.completed and done.item.status == "signed_off"
    report.refresh_from_db()
    assert (report.status, report.work_done) == (QuarterlyReport.Status.SIGNED_OFF,
                                                 "开展廉政教育 2 次。")


def test_a_missing_required_field_is_refused_field_by_field(client_package, live_server):
    models = importlib.import_module("dutychain_client.models")
    report = open_report(unit=Unit.objects.get(code="sanitation"), year=2026, quarter=3)
    head = _signed_in(client_package, live_server.url, "head_sanitation")
    task = _my_task(head, report.pk)
    refused = _call("quarterlyreport.quarterlyreport_draft_submit", id=task.id, client=head,
                    body=models.ReportSubmitInputRequest(work_done=""))
    assert isinstance(refused, models.Error) and "work_done" in refused.errors.to_dict()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.DRAFT


def test_an_annual_report_returned_then_signed_off(client_package, live_server):
    models = importlib.import_module("dutychain_client.models")
    open_annual_reports(year=2025)
    report = AnnualReport.objects.get(leader__username="leader_li", year=2025)
    leader = _signed_in(client_package, live_server.url, "leader_li")
    secretary = _signed_in(client_package, live_server.url, "secretary")

    draft = _my_task(leader, report.pk)
    body = models.AnnualReportSubmitInputRequest(
        work_done="听取分管处室汇报 12 次。", integrity="无违规情况。")
    assert _call("annualreport.annualreport_draft_submit", id=draft.id, client=leader,
                 body=body).completed
    review = _my_task(secretary, report.pk)
    returned = _call("annualreport.annualreport_review_return", id=review.id, client=secretary,
                     body=models.ReviewInputRequest(opinion="请补充谈心谈话情况。"))
    assert returned.completed and returned.item.status == "returned"

    draft = _my_task(leader, report.pk)
    body = models.AnnualReportSubmitInputRequest(
        work_done="听取分管处室汇报 12 次，谈心谈话 9 人次。", integrity="无违规情况。")
    assert _call("annualreport.annualreport_draft_submit", id=draft.id, client=leader,
                 body=body).completed
    review = _my_task(secretary, report.pk)
    assert _call("annualreport.annualreport_review_sign_off", id=review.id, client=secretary,
                 body=models.ReviewInputRequest(opinion="同意。")).completed

    detail = _call("annual_reports.annual_reports_retrieve", id=report.pk, client=leader)
    assert (detail.status.value if hasattr(detail.status, "value") else detail.status) == \
        "signed_off"
    assert detail.version == 2 and detail.leader.username == "leader_li"
    assert [o.kind.value if hasattr(o.kind, "value") else o.kind for o in detail.opinions] \
        == ["return", "sign_off"]
    versions = _call("annual_reports.annual_reports_versions_list", id=report.pk, client=leader)
    assert [v.number for v in versions] == [1, 2]


def test_every_operation_of_the_generated_client_imports(client_package):
    import pkgutil

    broken = []
    for module in pkgutil.walk_packages(client_package.__path__, "dutychain_client."):
        try:
            importlib.import_module(module.name)
        except Exception as error:  # a module the generator could not write whole
            broken.append((module.name, repr(error)))
    assert broken == []
