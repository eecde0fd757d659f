"""Records are read-only in the admin: they change only through the flows, and are never deleted."""

from django.contrib import admin

from .models import AuditEvent, Opinion, QuarterlyReport, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "quarter", "status", "due_date", "step_due_date", "version")
    list_filter = ("year", "quarter", "status")
    list_select_related = ("unit",)


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("report", "kind", "author", "created_at")
    list_select_related = ("report__unit", "author")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)
    list_select_related = ("actor",)
