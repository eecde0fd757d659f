"""The administrator keeps the org chart here; every change is kept in its history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Delegation, Oversight, Post, Unit, User


class NoDeleteMixin:
    """Org-chart rows end (valid_to); they are never deleted, or history would lose who held a post."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    list_display = ("username", "name", "email", "is_active", "is_staff")
    search_fields = ("username", "name", "email")
    fieldsets = DjangoUserAdmin.fieldsets + ((_("DutyChain"), {"fields": ("name",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((None, {"fields": ("name",)}),)


@admin.register(Unit)
class UnitAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active", "order")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent",)


class PeriodAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    date_hierarchy = "valid_from"


@admin.register(Post)
class PostAdmin(PeriodAdmin):
    list_display = ("user", "unit", "role", "title", "valid_from", "valid_to")
    list_filter = ("role", "unit")
    search_fields = ("user__username", "user__name", "unit__name")
    list_select_related = ("user", "unit")
    autocomplete_fields = ("user", "unit")


@admin.register(Oversight)
class OversightAdmin(PeriodAdmin):
    list_display = ("unit", "leader", "valid_from", "valid_to")
    list_filter = ("leader",)
    search_fields = ("unit__name", "leader__username", "leader__name")
    list_select_related = ("unit", "leader")
    autocomplete_fields = ("leader", "unit")


@admin.register(Delegation)
class DelegationAdmin(PeriodAdmin):
    list_display = ("absent", "acting", "valid_from", "valid_to", "reason")
    search_fields = ("absent__username", "acting__username", "reason")
    list_select_related = ("absent", "acting")
    autocomplete_fields = ("absent", "acting")
