"""The year's duty list (责任清单): built by the discipline committee from the plan's text,
its items set one by one, issued by the secretary, read by every member of the bureau."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from records.models import Carrier, DutyItem, DutyList
from records.selectors import visible_duty_list_or_404 as visible_list_or_404
from records.selectors import visible_duty_lists as visible_lists
from records.services import duties
from web.forms import show_errors

MAX_PLAN_BYTES = 1024 * 1024


class BuildForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    text = forms.CharField(label=gettext_lazy("Work plan text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=gettext_lazy("Paste the year's work plan: each numbered "
                                                  "item (“1.…”) becomes a duty item."))
    file = forms.FileField(label=gettext_lazy("…or upload it (.txt)"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_PLAN_BYTES:
                raise ValidationError(_("The plan's file is over 1 MB."))
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    data["text"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError(_("The file is not text (UTF-8 or GB18030)."))
        if not (data.get("text") or "").strip():
            raise ValidationError(_("Paste the plan's text or upload it."))
        return data


class ItemForm(forms.ModelForm):
    carriers = forms.MultipleChoiceField(label=gettext_lazy("Carried by"),
                                         choices=Carrier.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=gettext_lazy("Reason for the new version"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("Needed once the list is issued."))

    class Meta:
        model = DutyItem
        fields = ["title", "text", "target", "as_needed", "period", "carriers",
                  "deadline_working_days", "evidence_required", "reviewer", "sample_percent"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class DutyListIndexView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_list_index.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not duties.can_read(request.user):
            raise Http404(_("Duty lists are for members of the bureau."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        year = timezone.localdate().year
        return super().get_context_data(
            lists=visible_lists(user).order_by("-year"), can_build=duties.can_build(user),
            form=kwargs.pop("form", None) or BuildForm(initial={"year": year}),
            copyable=DutyList.objects.exclude(year=year).order_by("-year").first(), **kwargs)

    def post(self, request):
        if not duties.can_build(request.user):
            raise PermissionDenied(_("Only the discipline committee builds the duty list."))
        if request.POST.get("copy"):
            source = visible_list_or_404(request.user, request.POST.get("copy"))
            try:
                made = duties.duty_list_copy(source=source, year=timezone.localdate().year,
                                             by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("duties:index")
            return redirect("duties:detail", pk=made.pk)
        form = BuildForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                made = duties.duty_list_from_plan(year=form.cleaned_data["year"],
                                                  text=form.cleaned_data["text"],
                                                  title=form.cleaned_data["title"],
                                                  by=request.user)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("%(n)s items read from the plan; set the targets "
                                            "marked as needed.") % {"n": made.items.count()})
                return redirect("duties:detail", pk=made.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DutyListDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_list_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        duty_list = visible_list_or_404(user, kwargs["pk"])
        items = list(duty_list.items.order_by("number"))
        can_issue = duties.can_issue(user) and duty_list.is_draft
        return super().get_context_data(
            duty_list=duty_list, items=items, can_build=duties.can_build(user)
            and duty_list.status != DutyList.Status.CLOSED, can_issue=can_issue,
            issue_problems=duties.issue_problems(duty_list) if duty_list.is_draft else [],
            revisions=duty_list.revisions.select_related("by").order_by("-version"),
            rules_form=RulesForm(instance=duty_list),
            can_close=duties.can_build(user) and duty_list.status == DutyList.Status.ISSUED,
            closes_on=duties.closes_on(duty_list)
            if duty_list.status == DutyList.Status.ISSUED else None, **kwargs)


class DutyItemView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_item_form.html"

    def _item(self, pk, number):
        if not duties.can_build(self.request.user):
            raise Http404(_("Only the discipline committee changes the duty list."))
        duty_list = visible_list_or_404(self.request.user, pk)
        return duty_list, get_object_or_404(DutyItem, duty_list=duty_list, number=number)

    def get(self, request, pk, number):
        duty_list, item = self._item(pk, number)
        return self.render_to_response(self.get_context_data(
            duty_list=duty_list, item=item, form=ItemForm(instance=item)))

    def post(self, request, pk, number):
        duty_list, item = self._item(pk, number)
        form = ItemForm(request.POST, instance=DutyItem.objects.get(pk=item.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in ItemForm.Meta.fields
                       if form.cleaned_data[name] != getattr(item, name)}
            try:
                duties.duty_item_update(item=item, by=request.user,
                                        reason=form.cleaned_data["reason"], **changes)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Item %(n)s saved.") % {"n": item.number})
                return redirect("duties:detail", pk=duty_list.pk)
        return self.render_to_response(self.get_context_data(
            duty_list=duty_list, item=item, form=form), status=400)


class DutyListIssueView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        duty_list = visible_list_or_404(request.user, pk)
        if not duties.can_issue(request.user):
            raise Http404(_("Only the secretary issues the duty list."))
        try:
            duties.duty_list_issue(duty_list=duty_list, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The %(year)s duty list is issued.")
                             % {"year": duty_list.year})
        return redirect("duties:detail", pk=duty_list.pk)


class RulesForm(forms.ModelForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the new version"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("Needed once the list is issued."))

    class Meta:
        model = DutyList
        fields = ["record_within", "lock_after"]


class DutyListRulesView(LoginRequiredMixin, generic.View):
    """The committee sets the list's rules: when records are due, when quarters lock."""

    def post(self, request, pk):
        if not duties.can_build(request.user):
            raise Http404(_("Only the discipline committee changes the duty list."))
        duty_list = visible_list_or_404(request.user, pk)
        form = RulesForm(request.POST, instance=DutyList.objects.get(pk=duty_list.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in RulesForm.Meta.fields}
            try:
                duties.duty_list_rules(duty_list=duty_list, by=request.user,
                                       reason=form.cleaned_data["reason"], **changes)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The list's rules are saved."))
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect("duties:detail", pk=duty_list.pk)


class DutyListCloseView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        if not duties.can_build(request.user):
            raise Http404(_("Only the discipline committee closes the duty list."))
        duty_list = visible_list_or_404(request.user, pk)
        try:
            duties.duty_list_close(duty_list=duty_list, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The %(year)s duty list is closed.")
                             % {"year": duty_list.year})
        return redirect("duties:detail", pk=duty_list.pk)
