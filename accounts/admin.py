"""The administrator keeps the org chart here; every change is kept in its history."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin as BaseHistoryAdmin

from .models import Delegation, Oversight, Post, Unit, User


class NoDeleteMixin:
    """Org-chart rows end (valid_to); they are never deleted, or history would lose who held a post."""

    def has_delete_permission(self, request, obj=None):
        return False


class SimpleHistoryAdmin(BaseHistoryAdmin):
    """django-simple-history's admin, answering 404 for an id that is not one: Django's URL
    ``<id>/history/`` also matches ``…/5/change/history/`` with the id "5/change", which
    simple-history hands straight to the database (a 500)."""

    def _require_id(self, object_id: str) -> None:
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except (ValidationError, ValueError, TypeError):
            raise Http404(_("No such item.")) from None

    def history_view(self, request, object_id, extra_context=None):
        self._require_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_id(object_id)
        if not str(version_id).isdigit():
            raise Http404(_("No such item."))
        return super().history_form_view(request, object_id, version_id, extra_context)


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
