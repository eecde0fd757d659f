"""The assessment schemes' pages (考核细则): the schemes by year and group, one scheme with
its criteria, and the committee's edits of a draft (a scheme in use changes only by a new
version: records.services.assessments)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from records.assessment_measures import MEASURES
from records.models.assessments import (
    Assessment,
    AssessmentScheme,
    Criterion,
    SubjectGroup,
)
from records.services import assessments as rules
from web.assessments import MemberMixin
from web.forms import show_errors


class DefaultForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    group = forms.ChoiceField(label=gettext_lazy("Subject group"), choices=SubjectGroup.choices)


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(label=gettext_lazy("Copy"),
                                    queryset=AssessmentScheme.objects.none())
    year = forms.IntegerField(label=gettext_lazy("As the scheme of"), min_value=2000,
                              max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = AssessmentScheme.objects.order_by(
            "-year", "group", "-version")


class VersionForm(forms.Form):
    scheme = forms.ModelChoiceField(label=gettext_lazy("Scheme in use"),
                                    queryset=AssessmentScheme.objects.none())
    reason = forms.CharField(label=gettext_lazy("Reason for the new version"), max_length=2000,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = AssessmentScheme.objects.filter(
            status=AssessmentScheme.Status.IN_USE).order_by("-year", "group", "-version")


SCHEME_FORMS = {"default": DefaultForm, "copy": CopyForm, "version": VersionForm}


class SchemeListView(MemberMixin, generic.TemplateView):
    """The schemes by year and group; the committee makes a year's from the default or last
    year's, or a new version of one in use."""

    template_name = "records/assessment_schemes.html"

    def get_context_data(self, **kwargs):
        committee = rules.is_committee(self.request.user)
        year = timezone.localdate().year
        if committee:
            kwargs.setdefault("default_form", DefaultForm(initial={"year": year}))
            kwargs.setdefault("copy_form", CopyForm(initial={"year": year}))
            kwargs.setdefault("version_form", VersionForm())
        return super().get_context_data(
            schemes=AssessmentScheme.objects.select_related("based_on").order_by(
                "-year", "group", "-version"), committee=committee, **kwargs)

    def post(self, request):
        if not rules.is_committee(request.user):
            raise Http404(_("Only the discipline committee changes the schemes."))
        action = request.POST.get("action", "")
        if action not in SCHEME_FORMS:
            return self.render_to_response(self.get_context_data(
                errors=[_("Choose one of the page's forms.")]), status=400)
        form = SCHEME_FORMS[action](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "default":
                    made = rules.scheme_default(year=data["year"], group=data["group"],
                                                by=request.user)
                elif action == "copy":
                    made = rules.scheme_copy(source=data["source"], year=data["year"],
                                             by=request.user)
                else:
                    made = rules.scheme_new_version(scheme=data["scheme"], by=request.user,
                                                    reason=data["reason"])
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("%(scheme)s is made: change it before it is used.")
                                 % {"scheme": made})
                return redirect("assessments:scheme", pk=made.pk)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}),
                                       status=400)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = AssessmentScheme
        fields = list(rules.SCHEME_FIELDS)


def criteria_groups(criteria: list[Criterion]) -> list[dict]:
    """The criteria under their groups (明责 履责 督责 追责), each group's points in the
    total."""
    found = []
    for value, label in Criterion.Group.choices:
        members = [c for c in criteria if c.group == value]
        if members:
            found.append({"label": label, "criteria": members, "subtotal": sum(
                (c.max_points for c in members if c.counts_in_total), 0)})
    return found


class SchemeView(MemberMixin, generic.TemplateView):
    """A scheme: its criteria, weights, bands and quota, what stops it from being used;
    the committee changes a draft's settings here."""

    template_name = "records/assessment_scheme.html"

    def get_context_data(self, **kwargs):
        scheme = get_object_or_404(AssessmentScheme.objects.select_related("based_on"),
                                   pk=kwargs["pk"])
        criteria = list(scheme.criteria.order_by("number"))
        for criterion in criteria:
            measure = MEASURES.get(criterion.measure)
            criterion.measure_label = measure.label if measure else criterion.measure
            criterion.params_text = json.dumps(criterion.params, ensure_ascii=False) \
                if criterion.params else ""
        committee = rules.is_committee(self.request.user)
        if committee and not scheme.is_in_use:
            kwargs.setdefault("form", SchemeForm(instance=scheme))
        if committee and scheme.is_in_use:
            kwargs.setdefault("version_form", VersionForm(initial={"scheme": scheme}))
        return super().get_context_data(
            scheme=scheme, groups=criteria_groups(criteria), committee=committee,
            total=sum((c.max_points for c in criteria if c.counts_in_total), 0),
            problems=rules.scheme_problems(scheme),
            used_by=Assessment.objects.filter(
                Q(leaders_scheme=scheme) | Q(units_scheme=scheme)).first(), **kwargs)

    def post(self, request, pk):
        if not rules.is_committee(request.user):
            raise Http404(_("Only the discipline committee changes the schemes."))
        scheme = get_object_or_404(AssessmentScheme, pk=pk)
        form = SchemeForm(request.POST, instance=AssessmentScheme.objects.get(pk=pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in rules.SCHEME_FIELDS
                       if form.cleaned_data[name] != getattr(scheme, name)}
            try:
                rules.scheme_update(scheme=scheme, by=request.user, **changes)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("The scheme's settings are saved."))
                return redirect("assessments:scheme", pk=pk)
        return self.render_to_response(self.get_context_data(pk=pk, form=form), status=400)


class CriterionForm(forms.ModelForm):
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), required=False)
    params = forms.CharField(
        label=gettext_lazy("Parameters"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy('The measure\'s numbers as JSON, e.g. {"per_missing": "0.5", '
                               '"per_late": "0.2"}; empty: its defaults.'))

    class Meta:
        model = Criterion
        fields = list(rules.CRITERION_FIELDS)
        widgets = {"rule": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—")] + [
            (key, measure.label) for key, measure in MEASURES.items()]
        if not self.is_bound:
            self.initial["params"] = json.dumps(self.instance.params, ensure_ascii=False) \
                if self.instance.params else ""

    def clean_params(self):
        text = self.cleaned_data["params"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError(_("The parameters are not valid JSON.")) from None
        if not isinstance(value, dict):
            raise ValidationError(_('Give the parameters as a JSON object: {"name": value, '
                                    '…}.'))
        return value


class CriterionView(MemberMixin, generic.TemplateView):
    """The committee changes one criterion of a draft scheme."""

    template_name = "records/assessment_criterion.html"

    def _criterion(self, pk, number) -> Criterion:
        if not rules.is_committee(self.request.user):
            raise Http404(_("Only the discipline committee changes the schemes."))
        return get_object_or_404(Criterion.objects.select_related("scheme"), scheme_id=pk,
                                 number=number)

    def get(self, request, pk, number):
        criterion = self._criterion(pk, number)
        return self.render_to_response(self.get_context_data(
            criterion=criterion, scheme=criterion.scheme,
            form=CriterionForm(instance=Criterion.objects.get(pk=criterion.pk))))

    def post(self, request, pk, number):
        criterion = self._criterion(pk, number)
        form = CriterionForm(request.POST, instance=Criterion.objects.get(pk=criterion.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in rules.CRITERION_FIELDS
                       if form.cleaned_data[name] != getattr(criterion, name)}
            try:
                rules.criterion_update(criterion=criterion, by=request.user, **changes)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Criterion %(n)s saved.") % {"n": criterion.number})
                return redirect("assessments:scheme", pk=pk)
        return self.render_to_response(self.get_context_data(
            criterion=criterion, scheme=criterion.scheme, form=form), status=400)
