"""The committee browses a record's trail; evidence is checked against its checksum."""

from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Problem

from .conftest import review, submit


def test_the_committee_reads_a_reports_trail_in_order_and_a_head_cannot(
        sanitation_report, head_sanitation, leader_li, jiwei_chen, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    review(client_for(leader_li), sanitation_report, "return", "请补充。")
    page = client_for(jiwei_chen).get(f"/reports/{sanitation_report.pk}/trail/")
    text = page.content.decode()
    order = [text.index(action) for action in ("report.open", "report.submit", "report.return")]
    assert order == sorted(order) and "127.0.0.1" in text
    assert client_for(head_sanitation).get(
        f"/reports/{sanitation_report.pk}/trail/").status_code == 404


def test_admin_cannot_delete_a_report(sanitation_report, client_for):
    from accounts.models import User

    admin = client_for(User.objects.get(username="admin"))
    response = admin.post(f"/admin/records/quarterlyreport/{sanitation_report.pk}/delete/",
                          {"post": "yes"})
    assert response.status_code == 403
    sanitation_report.refresh_from_db()


def test_evidence_altered_on_disk_is_not_served(bureau, unit, jiwei_chen, head_enforcement,
                                                leader_zhao, client_for):
    from records.services.evidence import evidence_add

    from .test_rectification import approved, new_problem

    problem = approved(new_problem(jiwei_chen, unit("enforcement")))
    evidence = evidence_add(problem=problem, by=head_enforcement,
                            file=SimpleUploadedFile("证据.pdf", b"%PDF-1.4 original"))
    url = f"/problems/{problem.pk}/evidence/{evidence.pk}/"
    head = client_for(head_enforcement)
    assert b"".join(head.get(url).streaming_content) == b"%PDF-1.4 original"
    with open(evidence.file.path, "wb") as handle:
        handle.write(b"%PDF-1.4 swapped")
    response = head.get(url)
    assert response.status_code == 409 and "证据.pdf" in response.content.decode()
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"
