"""The trail tables' move to one generic record link (records 0017–0019): opinions, copies,
versions and urges written before the migration read the same after it, on the record they
belonged to."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("records", "0016_calendar_year")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _trail_rows(apps, report, problem):
    """What each trail table holds, written with the models of 0016 (one FK per kind)."""
    User = apps.get_model("accounts", "User")
    author = User.objects.create(username="migration_author")
    other = User.objects.create(username="migration_recipient")
    now = timezone.now()
    for record, field in ((report, "report"), (problem, "problem")):
        link = {field: record}
        apps.get_model("records", "Opinion").objects.create(
            kind="return", text=f"意见 {field}", version=2, author=author, **link)
        apps.get_model("records", "CopyTo").objects.create(
            step="review", by=author, recipient=other, **link)
        apps.get_model("records", "Version").objects.create(
            number=1, content={"text": f"第一稿 {field}"}, submitted_at=now,
            submitted_by=author, **link)
        apps.get_model("records", "Urge").objects.create(
            message=f"请尽快 {field}", day=datetime.date(2026, 11, 2), assignee=other,
            urged_by=author, **link)


@pytest.mark.django_db(transaction=True)
def test_trail_rows_written_before_the_migration_read_the_same_after_it():
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        Unit = old.get_model("accounts", "Unit")
        User = old.get_model("accounts", "User")
        unit = Unit.objects.create(name="环卫处", code="migration_unit", kind="office")
        registrar = User.objects.create(username="migration_registrar")
        report = old.get_model("records", "QuarterlyReport").objects.create(
            unit=unit, year=2026, quarter=2, due_date=datetime.date(2026, 7, 10),
            updated_at=timezone.now())
        problem = old.get_model("records", "Problem").objects.create(
            unit=unit, source="spot_check", category="hedonism", description="问题",
            found_on=datetime.date(2026, 10, 2), registered_by=registrar, step="analyse")
        _trail_rows(old, report, problem)
        _migrate(latest)
    finally:
        _migrate(latest)

    from records.models import CopyTo, Opinion, Problem, QuarterlyReport, Urge, Version

    for record, field in ((QuarterlyReport.objects.get(pk=report.pk), "report"),
                          (Problem.objects.get(pk=problem.pk), "problem")):
        [opinion] = Opinion.objects.of(record)
        assert (opinion.kind, opinion.text, opinion.version, opinion.author.username) == \
            ("return", f"意见 {field}", 2, "migration_author")
        [copy] = CopyTo.objects.of(record)
        assert (copy.step, copy.recipient.username) == ("review", "migration_recipient")
        [version] = Version.objects.of(record)
        assert (version.number, version.content) == (1, {"text": f"第一稿 {field}"})
        [urge] = Urge.objects.of(record)
        assert (urge.message, urge.day) == (f"请尽快 {field}", datetime.date(2026, 11, 2))
        assert urge.record == record
