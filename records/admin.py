"""Records are read-only in the admin: they change only through the flows, and are never deleted."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    CalendarYear,
    Circular,
    Delivery,
    FailedJob,
    Notification,
    Opinion,
    Problem,
    QuarterlyReport,
    Version,
    WorkdayOverride,
)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """Days entered by hand; whole years on the calendar page (records/calendar_admin.py).
    Every save and delete goes through records/services/calendar.py: audited, deadlines recounted."""

    list_display = ("date", "weekday", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def get_urls(self):
        from django.urls import path

        from .calendar_admin import calendar_view

        page = self.admin_site.admin_view(lambda request: calendar_view(self, request))
        return [path("calendar/", page, name="records_workdayoverride_calendar"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}),
                                                 **self._explained()})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url,
                                       {**(extra_context or {}), **self._explained()})

    @staticmethod
    def _explained() -> dict:
        """What the explanation above the list and the form names: the library's years."""
        from .workdays import library_years

        return {"library": library_years()}

    @admin.display(description=_("weekday"))
    def weekday(self, override):
        from .holiday_notice import weekday_name

        return weekday_name(override.date)

    def save_model(self, request, obj, form, change):
        from .services.calendar import workday_override_save

        workday_override_save(override=obj, by=request.user)

    def delete_model(self, request, obj):
        from .services.calendar import workday_overrides_delete

        workday_overrides_delete(overrides=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        from .services.calendar import workday_overrides_delete

        workday_overrides_delete(overrides=list(queryset), by=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    """Years confirmed by an administrator, with the notice each was entered from."""

    list_display = ("year", "confirmed_at", "confirmed_by", "note")
    list_select_related = ("confirmed_by",)


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "quarter", "status", "due_date", "step_due_date", "version")
    list_filter = ("year", "quarter", "status")
    list_select_related = ("unit",)


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("record", "kind", "author", "created_at")
    list_select_related = ("author",)


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    """Frozen submissions: read here, never changed or deleted."""

    list_display = ("number", "record", "submitted_by", "submitted_at")
    list_select_related = ("submitted_by",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)
    list_select_related = ("actor",)


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "unit", "category", "source", "status", "due_date", "assignee")
    list_filter = ("status", "category", "source")
    list_select_related = ("unit", "assignee")


@admin.register(Circular)
class CircularAdmin(ReadOnlyAdmin):
    list_display = ("document_number", "title", "issued_on")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("notification", "channel", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    list_select_related = ("notification__recipient",)


@admin.register(FailedJob)
class FailedJobAdmin(ReadOnlyAdmin):
    """Background jobs that failed after every retry; select and re-run them."""

    list_display = ("failed_at", "task_name", "error", "rerun_at")
    actions = ["rerun"]

    @admin.action(description=_("Re-run the selected jobs"))
    def rerun(self, request, queryset):
        from celery import current_app as app

        for job in queryset:
            transaction.on_commit(lambda job=job: app.send_task(
                job.task_name, args=job.args, kwargs=job.kwargs))
        count = queryset.update(rerun_at=timezone.now())
        messages.success(request, _("%(n)s job(s) sent to the workers again.") % {"n": count})
