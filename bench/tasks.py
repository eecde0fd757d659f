"""The benchmark's Celery job: open one quarter's reports for a slice of the units, so that
opening a whole quarter spreads over the workers (each unit through flows.quarterly.open_report)."""

from celery import shared_task


@shared_task(acks_late=True)
def open_reports(unit_ids: list[int], year: int, quarter: int) -> int:
    from accounts.models import Unit
    from flows.quarterly import open_report

    opened = 0
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk"):
        opened += open_report(unit=unit, year=year, quarter=quarter) is not None
    return opened
