"""Duty records (履责纪实) in pages: my duty list with its counters, recording what was done,
the records one may read, a record with its versions and review, the committee's reopening
of a locked quarter."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from accounts import chain
from accounts.models import User
from records.duty_seats import my_counters, seat_for, seats_on
from records.models import DutyItem, DutyList, DutyRecord, DutyRecordEvidence
from records.selectors import current_duty_list as current_list
from records.selectors import (
    duty_record_bureau,
    duty_record_rows,
    visible_duty_record_or_404,
)
from records.services import duties, duty_records
from web.evidence import serve_evidence
from web.forms import show_errors

PAGE_SIZE = 50


def my_items(user: User, duty_list: DutyList, day: datetime.date) -> list[DutyItem]:
    seats = seats_on(user, day)
    return [item for item in duty_list.items.order_by("number") if seat_for(item, seats)]


class MyDutiesView(LoginRequiredMixin, generic.TemplateView):
    """我的责任清单: each item of my posts with its counter, its light and what is next."""

    template_name = "records/my_duties.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        if not duties.can_read(user):
            raise Http404(_("Duty lists are for members of the bureau."))
        duty_list = current_list()
        today = timezone.localdate()
        counters = my_counters(user, duty_list, today) if duty_list else []
        return super().get_context_data(
            duty_list=duty_list, counters=counters, today=today,
            reds=sum(counter.light == "red" for counter in counters),
            mine=DutyRecord.objects.filter(author=user, duty_list=duty_list)
            .select_related("unit").order_by("-date", "-pk")[:10] if duty_list else [],
            **kwargs)


class ItemsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, item):
        return str(item)


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DutyRecord.Kind.choices)
    date = forms.DateField(label=gettext_lazy("Date"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    organiser = forms.CharField(label=gettext_lazy("Organiser"), max_length=100,
                                required=False)
    items = ItemsField(label=gettext_lazy("Counts for"), queryset=DutyItem.objects.none(),
                       help_text=gettext_lazy("One record may count for several items."))
    participants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participants"), queryset=User.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}))
    guests = forms.CharField(label=gettext_lazy("Other participants"), max_length=500,
                             required=False, help_text=gettext_lazy("People outside the "
                                                                    "chain, by name."))
    summary = forms.CharField(label=gettext_lazy("Summary"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    late_reason = forms.CharField(
        label=gettext_lazy("Reason for the late record"), max_length=500, required=False,
        help_text=gettext_lazy("Needed when it is recorded later than the list allows (补录)."))
    file = forms.FileField(label=gettext_lazy("Evidence"), required=False,
                           help_text=gettext_lazy("Minutes, a sign-in sheet, photos (PDF, "
                                                  "Word, Excel or images)."))

    def __init__(self, *args, user: User, duty_list: DutyList, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["items"].queryset = duty_list.items.filter(
            pk__in=[item.pk for item in my_items(user, duty_list, today)]).order_by("number")
        self.fields["participants"].queryset = User.objects.filter(pk__in=[
            person.pk for person in duty_records.participant_choices(user)]).order_by(
            "name", "username")


def _record_fields(form: RecordForm) -> dict:
    data = form.cleaned_data
    upload = data.get("file")
    return dict(items=list(data["items"]), participants=list(data["participants"]),
                files=[upload] if upload else [],
                **{name: data[name] for name in ("kind", "date", "place", "organiser",
                                                 "guests", "summary", "late_reason")})


class RecordCreateView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_record_form.html"

    def _list(self):
        duty_list = current_list()
        if duty_list is None or duty_list.status != DutyList.Status.ISSUED \
                or not my_items(self.request.user, duty_list, timezone.localdate()):
            raise Http404(_("You carry no item of an issued duty list."))
        return duty_list

    def get(self, request):
        duty_list = self._list()
        initial = {"date": timezone.localdate(), "kind": DutyRecord.Kind.MEETING,
                   "items": request.GET.getlist("item")}
        form = RecordForm(user=request.user, duty_list=duty_list, initial=initial)
        return self.render_to_response(self.get_context_data(form=form, duty_list=duty_list))

    def post(self, request):
        duty_list = self._list()
        form = RecordForm(request.POST, request.FILES, user=request.user, duty_list=duty_list)
        if form.is_valid():
            try:
                made = duty_records.duty_record_create(by=request.user, duty_list=duty_list,
                                                       **_record_fields(form))
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Recorded.") if made.sampled else
                                 _("Recorded and accepted (not drawn for review)."))
                return redirect("duties:record", pk=made.pk)
        return self.render_to_response(self.get_context_data(form=form, duty_list=duty_list),
                                       status=400)


class RecordEditView(LoginRequiredMixin, generic.TemplateView):
    """The author corrects a returned record and submits it again."""

    template_name = "records/duty_record_form.html"

    def _record(self, pk):
        record = visible_duty_record_or_404(self.request.user, pk)
        if record.author_id != self.request.user.pk or not record.is_editable:
            raise Http404(_("Only a returned record is changed, by the person who recorded it."))
        return record

    def get(self, request, pk):
        record = self._record(pk)
        form = RecordForm(user=request.user, duty_list=record.duty_list, initial={
            "kind": record.kind, "date": record.date, "place": record.place,
            "organiser": record.organiser, "guests": record.guests, "summary": record.summary,
            "late_reason": record.late_reason, "items": list(record.items.all()),
            "participants": list(record.participants.all())})
        return self.render_to_response(self.get_context_data(
            form=form, duty_list=record.duty_list, record=record))

    def post(self, request, pk):
        record = self._record(pk)
        form = RecordForm(request.POST, request.FILES, user=request.user,
                          duty_list=record.duty_list)
        if form.is_valid():
            try:
                duty_records.duty_record_resubmit(record=record, by=request.user,
                                                  **_record_fields(form))
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, _("Submitted again."))
                return redirect("duties:record", pk=record.pk)
        return self.render_to_response(self.get_context_data(
            form=form, duty_list=record.duty_list, record=record), status=400)


class RecordFilterForm(forms.Form):
    item = forms.IntegerField(required=False, min_value=1, max_value=1000)
    unit = forms.SlugField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "")] + DutyRecord.Status.choices)
    kind = forms.ChoiceField(required=False, choices=[("", "")] + DutyRecord.Kind.choices)
    late = forms.BooleanField(required=False)
    review = forms.BooleanField(required=False)
    bureau = forms.SlugField(required=False, max_length=40)
    page = forms.IntegerField(required=False, min_value=1)


def record_filters(user: User, params) -> tuple[RecordFilterForm, str | None]:
    """The record list's filters read from ``params`` (the page's and its export's): the
    form, and what is wrong with them (None when nothing is)."""
    unknown = set(params) - set(RecordFilterForm.base_fields)
    form = RecordFilterForm(params)
    if unknown:
        return form, _("Unknown filter: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    if not form.is_valid():
        return form, _("Check the filters.")
    try:
        duty_record_bureau(user, form.cleaned_data["bureau"])
    except ValidationError as error:
        return form, " ".join(error.messages)
    return form, None


def filtered_records(user: User, duty_list: DutyList | None, data: dict) -> QuerySet:
    """What the record list shows and what its export writes, under the filters' cleaned
    ``data`` (records.selectors.duty_record_rows)."""
    return duty_record_rows(user, duty_list, **{name: data[name] for name in (
        "bureau", "item", "unit", "status", "kind", "late", "review")})


class RecordListView(LoginRequiredMixin, generic.TemplateView):
    """The records one may read, with filters; "to review": the ones awaiting one's review."""

    template_name = "records/duty_record_list.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not duties.can_read(user):
            raise Http404(_("Duty records are for members of the bureau."))
        form, bad_filter = record_filters(request.user, request.GET)
        if bad_filter:
            return render(request, "records/duty_record_list.html", status=400, context={
                "form": form, "bad_filter": bad_filter})
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        user = self.request.user
        data = kwargs["form"].cleaned_data
        duty_list = current_list()
        rows = filtered_records(user, duty_list, data)
        counts = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
        paginator = Paginator(rows.select_related("author", "unit").order_by("-date", "-pk"),
                              PAGE_SIZE)
        # the statuses' counts add up to the rows: no second count of them
        paginator.__dict__["count"] = sum(counts.values())
        page = paginator.get_page(data["page"] or 1)
        bureau, bureaus = duty_record_bureau(user, data["bureau"])
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            duty_list=duty_list, page=page, status_labels=DutyRecord.Status,
            status_counts=[(label, counts.get(code, 0))
                           for code, label in DutyRecord.Status.choices],
            page_query="?" + (query.urlencode() + "&" if query else ""),
            export_query=query.urlencode(), bureau=bureau, bureaus=bureaus,
            can_heatmap=bool(bureaus) or bool(chain.units_overseen_by(user)),
            can_reopen=duty_records.can_reopen(user), **kwargs)


class RecordDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "records/duty_record_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        record = visible_duty_record_or_404(user, kwargs["pk"])
        full = duty_records.sees_talk(user, record)
        return super().get_context_data(
            record=record, full=full,
            items=record.counted.select_related("item").order_by("item__number"),
            participants=record.participants.order_by("name", "username"),
            evidence=record.evidence.all() if full else [],
            versions=record.versions.select_related("submitted_by", "decided_by")
            .order_by("-number") if full else [],
            can_review=duty_records.can_review(user, record),
            can_edit=record.author_id == user.pk and record.is_editable,
            can_add_evidence=record.author_id == user.pk
            and record.status != DutyRecord.Status.ACCEPTED, **kwargs)


class RecordReviewView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        record = visible_duty_record_or_404(request.user, pk)
        decision = request.POST.get("decision")
        if decision not in ("accept", "return"):
            messages.error(request, _("Choose to accept or return the record."))
            return redirect("duties:record", pk=pk)
        try:
            duty_records.duty_record_review(record=record, by=request.user,
                                            accept=decision == "accept",
                                            opinion=request.POST.get("opinion", "")[:4000])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Accepted.") if decision == "accept"
                             else _("Returned for revision."))
        return redirect("duties:record", pk=pk)


class RecordEvidenceView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        record = visible_duty_record_or_404(request.user, pk)
        try:
            duty_records.duty_record_evidence_add(record=record, by=request.user,
                                                  file=request.FILES.get("file"))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("File added."))
        return redirect("duties:record", pk=pk)


class RecordEvidenceDownloadView(LoginRequiredMixin, generic.View):
    def get(self, request, pk, evidence_pk):
        record = visible_duty_record_or_404(request.user, pk)
        if not duty_records.sees_talk(request.user, record):
            raise Http404(_("A talk's content is for those who took part."))
        evidence = get_object_or_404(DutyRecordEvidence, pk=evidence_pk, record=record)
        return serve_evidence(request, evidence)


class ReopenForm(forms.Form):
    person = forms.CharField(label=gettext_lazy("Person (username)"), max_length=150)
    quarter = forms.TypedChoiceField(label=gettext_lazy("Quarter"), coerce=int,
                                     choices=[(q, q) for q in (1, 2, 3, 4)])
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReopenView(LoginRequiredMixin, generic.TemplateView):
    """The committee reopens a locked quarter for one person."""

    template_name = "records/duty_reopen.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not duty_records.can_reopen(request.user):
            raise Http404(_("Only the discipline committee reopens a locked quarter."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        duty_list = get_object_or_404(DutyList.objects.exclude(status=DutyList.Status.DRAFT),
                                      pk=kwargs["pk"])
        kwargs.setdefault("form", ReopenForm())
        return super().get_context_data(
            duty_list=duty_list, reopenings=duty_list.reopenings.select_related(
                "person", "by")[:50], **kwargs)

    def post(self, request, pk):
        context = self.get_context_data(pk=pk, form=ReopenForm(request.POST))
        form, duty_list = context["form"], context["duty_list"]
        if form.is_valid():
            person = User.objects.filter(username=form.cleaned_data["person"]).first()
            if person is None:
                form.add_error("person", _("Nobody has this username."))
            else:
                try:
                    duty_records.duty_quarter_reopen(
                        duty_list=duty_list, person=person, by=request.user,
                        quarter=form.cleaned_data["quarter"], reason=form.cleaned_data["reason"])
                except ValidationError as error:
                    show_errors(form, error)
                else:
                    messages.success(request, _("Q%(q)s reopened for %(person)s.") % {
                        "q": form.cleaned_data["quarter"], "person": person})
                    return redirect("duties:reopen", pk=pk)
        return self.render_to_response(context, status=400)

