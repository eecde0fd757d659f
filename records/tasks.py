"""The records' background work on Celery: deliveries of notifications through outside
channels, the outbox sweep that resends the ones whose job was lost, and the assessments'
nightly scoring.

Every job is acknowledged late (a worker that dies mid-job gets it redelivered),
retried with backoff, and safe to run twice. A job that still fails after its
retries is recorded as a ``FailedJob`` for the administrator to see and re-run.
"""

import traceback

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval

RETRY = dict(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600,
             retry_jitter=True, max_retries=5)


def longest_retry_wait(task: Task, retries: int) -> int:
    """The most seconds the retry after ``retries`` earlier ones waits: Celery's backoff for
    the task's RETRY options, before its random jitter shortens it."""
    if not task.retry_backoff:
        return task.default_retry_delay
    return get_exponential_backoff_interval(factor=int(max(1.0, task.retry_backoff)),
                                            retries=retries, maximum=task.retry_backoff_max)


class RecordedTask(Task):
    """Keeps a record of a job that failed for good, instead of dropping it."""

    acks_late = True
    reject_on_worker_lost = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .models import FailedJob

        FailedJob.objects.create(
            task_name=self.name, task_id=task_id or "", args=list(args or []),
            kwargs=dict(kwargs or {}), error=f"{type(exc).__name__}: {exc}"[:2000],
            traceback="".join(traceback.format_exception(exc))[-20000:],
        )
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(base=RecordedTask, **RETRY)
def deliver(delivery_id: int) -> bool:
    """Send one notification through its outside channel (email …), exactly once."""
    from .notifications import deliver_now, record_failed_attempt

    retries = deliver.request.retries
    try:
        return deliver_now(delivery_id)
    except Exception as error:
        record_failed_attempt(delivery_id, f"{type(error).__name__}: {error}",
                              final=retries >= deliver.max_retries,
                              retry_in=longest_retry_wait(deliver, retries))
        raise


@shared_task(base=RecordedTask, **RETRY)
def resend_deliveries(queue: str | None = None) -> int:
    """The outbox sweep: deliveries whose job never arrived are enqueued again (on ``queue``,
    when given), each still sent once."""
    from .notifications import delivery_resend_stale

    return delivery_resend_stale(queue=queue)


@shared_task(base=RecordedTask, **RETRY)
def assessments_nightly() -> int:
    """Each night: the computed scores of every assessment still preparing, worked out again
    from the records up to its cut-off date. Safe to run twice (each run rewrites the same
    lines, one run at a time per assessment); returns how many it recomputed."""
    from .services.assessments import assessments_nightly as recompute

    return recompute()
