"""The year-end assessment's pages (考核): the assessments and what waits on the reader, one
assessment's phases and ranking, a score sheet with every line explained and the forms of
whoever may act on it now, the schemes and their criteria.

Every change goes through records.services.assessments, which checks the actor's post on the
day; a refusal (ValidationError, PermissionDenied) is shown on the page it came from and
nothing changes. Whoever may not see a sheet gets a 404, never its data."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from accounts import chain
from accounts.models import User
from records import assessment_selectors as selectors
from records.assessment_measures import explain
from records.models.assessments import (
    Appeal,
    Assessment,
    AssessmentSheet,
    Criterion,
    Grade,
    ScoreLine,
    SpecialEntry,
    SubjectGroup,
)
from records.services import assessments as rules
from web.evidence import serve_evidence
from web.forms import show_errors

Status = Assessment.Status


# -- who sees what ---------------------------------------------------------------------------

def is_member(user: User) -> bool:
    """Assessments and schemes are the bureau's rules: read by anyone with a post."""
    return user.is_authenticated and (rules.sees_all(user) or bool(chain.roles_of(user)))


def assessment_or_404(user: User, pk: int) -> Assessment:
    return get_object_or_404(selectors.visible_assessments(user), pk=pk)


def sheet_or_404(user: User, pk: int) -> AssessmentSheet:
    sheet = get_object_or_404(AssessmentSheet.objects.select_related(
        "assessment", "assessment__leaders_scheme", "assessment__units_scheme", "unit",
        "subject", "self_by", "leader_by"), pk=pk)
    if not rules.can_view_sheet(user, sheet):
        raise Http404(_("This score sheet is not yours to see."))
    return sheet


def refusal(error: ValidationError | PermissionDenied) -> list[str]:
    """A service's refusal as the lines to show."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [message for found in error.message_dict.values() for message in found]
        return list(error.messages)
    return [str(error) or _("You may not do this.")]


def refused_status(error) -> int:
    return 403 if isinstance(error, PermissionDenied) else 400


class MemberMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_member(request.user):
            raise Http404(_("The assessment is for members of the bureau."))
        return super().dispatch(request, *args, **kwargs)


# -- the assessments -------------------------------------------------------------------------

class CreateForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    cut_off = forms.DateField(
        label=gettext_lazy("Records counted up to"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: 31 December of the year."))
    step_days = forms.IntegerField(label=gettext_lazy("Working days per step"), initial=5,
                                   min_value=1, max_value=30)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False,
                            help_text=gettext_lazy("Empty: “<year> year-end assessment”."))


def create_form(data=None) -> CreateForm:
    return CreateForm(data, initial={"year": timezone.localdate().year, "step_days": 5})


class IndexView(MemberMixin, generic.TemplateView):
    """The assessments, newest first; for the latest, the reader's own sheets, the sheets
    they score and (for the committee and the secretary) whom the step waits on."""

    template_name = "records/assessment_index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        assessments = list(selectors.visible_assessments(user).order_by("-year"))
        latest = assessments[0] if assessments else None
        committee = rules.is_committee(user)
        sees_all = committee or rules.is_secretary(user)
        context = dict(assessments=assessments, latest=latest, committee=committee,
                       sees_all=sees_all, my_sheets=[], to_score=[], waiting=[])
        if latest is not None:
            context["my_sheets"] = list(selectors.my_sheets(user, latest))
            if latest.status == Status.LEADER_SCORING:
                context["to_score"] = list(selectors.sheets_to_score(user, latest))
            if sees_all:
                context["waiting"] = sorted(rules.waiting_on(latest).values(),
                                            key=lambda pair: (-pair[1], pair[0].pk))
        if committee:
            context["form"] = kwargs.pop("form", None) or create_form()
        return super().get_context_data(**context, **kwargs)


class CreateView(MemberMixin, generic.TemplateView):
    """The committee starts preparing a year's assessment."""

    template_name = "records/assessment_create.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.is_committee(request.user):
            raise Http404(_("Only the discipline committee starts an assessment."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=create_form()))

    def post(self, request):
        form = create_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = rules.assessment_create(year=data["year"], by=request.user,
                                               cut_off=data["cut_off"],
                                               step_days=data["step_days"], title=data["title"])
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    raise Http404(str(error)) from None
                show_errors(form, error)
            else:
                messages.success(request, _("%(title)s is being prepared: its computed scores "
                                            "refresh every night until it opens.")
                                 % {"title": made.title})
                return redirect("assessments:detail", pk=made.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


STEPS = [Status.PREPARING, Status.SELF_SCORING, Status.LEADER_SCORING, Status.REVIEW,
         Status.PUBLISHED, Status.APPROVED]

ADVANCE_LABELS = {
    Status.SELF_SCORING: (gettext_lazy("Move on to the leaders' scoring"),
                          gettext_lazy("Self-scoring ends for every sheet; the supervising "
                                       "leaders and the secretary score next.")),
    Status.LEADER_SCORING: (gettext_lazy("Move on to the committee's review"),
                            gettext_lazy("The leaders' scoring ends; the committee adjusts, "
                                         "adds special entries and sets grades next.")),
    Status.REVIEW: (gettext_lazy("Publish the results for feedback"),
                    gettext_lazy("Each subject then sees their whole sheet and may appeal "
                                 "line by line until the step's deadline.")),
}


def phases(assessment: Assessment) -> list[dict]:
    """The steps in order: done, current or ahead, with the dates known of each."""
    known = {Status.PREPARING: assessment.created_at, Status.SELF_SCORING: assessment.opened_at,
             Status.PUBLISHED: assessment.published_at, Status.APPROVED: assessment.approved_at}
    here = STEPS.index(assessment.status)
    return [{"status": step, "label": Status(step).label,
             "state": "done" if n < here else "current" if n == here else "ahead",
             "started": assessment.phase_started if n == here else known.get(step),
             "due": assessment.phase_due if n == here else None}
            for n, step in enumerate(STEPS)]


def phase_actions(user: User, assessment: Assessment, committee: bool) -> list[dict]:
    """The phase buttons ``user`` may press now, each with what it does."""
    status, found = assessment.status, []
    if committee and status == Status.PREPARING:
        found.append({"action": "recompute", "label": _("Compute the scores again"),
                      "confirm": _("Every computed line and its explanations are worked out "
                                   "again from the records up to the cut-off date.")})
        found.append({"action": "open", "label": _("Open the assessment"),
                      "confirm": _("The schemes and the computed scores freeze; "
                                   "self-scoring begins and every subject is told.")})
    if committee and status in ADVANCE_LABELS:
        label, confirm = ADVANCE_LABELS[status]
        found.append({"action": "advance", "label": label, "confirm": confirm})
    if status == Status.PUBLISHED and rules.is_secretary(user):
        found.append({"action": "approve", "label": _("Approve the results"),
                      "confirm": _("The grades become final and the ranking is shown to "
                                   "everyone with a post.")})
    if committee and status == Status.APPROVED and not assessment.circular_id:
        found.append({"action": "circular", "label": _("Issue the results circular"),
                      "confirm": _("A circular naming each subject's grade (never a "
                                   "deduction) is issued to the bureau.")})
    return found


class AssessmentView(MemberMixin, generic.TemplateView):
    """One assessment: its steps, the buttons of whoever moves it on, the sheets the reader
    may open, and the ranking for whoever may see it."""

    template_name = "records/assessment_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        assessment = assessment_or_404(user, kwargs["pk"])
        committee = rules.is_committee(user)
        sees_all = committee or rules.is_secretary(user)
        open_appeals = Count("appeals", filter=Q(appeals__status=Appeal.Status.OPEN))
        ranking = []
        if rules.shows_ranking(user, assessment):
            for group, label in SubjectGroup.choices:
                rows = list(selectors.ranking(assessment, group).annotate(
                    open_appeals=open_appeals))
                if rows:
                    ranking.append((label, rows))
        visible = selectors.visible_sheets(user, assessment)
        # whoever sees the ranking opens the sheets from it (those they may open)
        sheets = [] if ranking else list(visible.order_by(
            "group", "unit__order", "unit__code", "subject_id"))
        openable = set() if sees_all or not ranking else set(
            visible.values_list("pk", flat=True))
        return super().get_context_data(
            assessment=assessment, phases=phases(assessment), committee=committee,
            sees_all=sees_all, actions=phase_actions(user, assessment, committee),
            sheets=sheets, ranking=ranking, openable=openable,
            shows_totals=sees_all or assessment.is_published, **kwargs)


PHASE_SERVICES = {
    "recompute": lambda assessment, by: rules.assessment_recompute(assessment=assessment,
                                                                   by=by),
    "open": lambda assessment, by: rules.assessment_open(assessment=assessment, by=by),
    "advance": lambda assessment, by: rules.assessment_advance(assessment=assessment, by=by),
    "approve": lambda assessment, by: rules.assessment_approve(assessment=assessment, by=by),
    "circular": lambda assessment, by: rules.assessment_circular(assessment=assessment, by=by),
}
PHASE_DONE = {
    "recompute": gettext_lazy("The computed scores are worked out again."),
    "open": gettext_lazy("The assessment is open: self-scoring has begun."),
    "advance": gettext_lazy("The assessment has moved on to its next step."),
    "approve": gettext_lazy("The results are approved."),
    "circular": gettext_lazy("The results circular is issued."),
}


class PhaseView(AssessmentView):
    """A phase button: the committee recomputes, opens, moves on and circulates; the
    secretary approves."""

    http_method_names = ["post"]

    def post(self, request, pk):
        assessment = assessment_or_404(request.user, pk)
        if not (rules.is_committee(request.user) or rules.is_secretary(request.user)):
            return self.render_to_response(self.get_context_data(
                pk=pk, errors=[_("Only the discipline committee does this.")]), status=403)
        service = PHASE_SERVICES.get(request.POST.get("action", ""))
        if service is None:
            return self.render_to_response(self.get_context_data(
                pk=pk, errors=[_("Choose one of the page's buttons.")]), status=400)
        try:
            service(assessment, request.user)
        except (ValidationError, PermissionDenied) as error:
            return self.render_to_response(self.get_context_data(pk=pk, errors=refusal(error)),
                                           status=refused_status(error))
        messages.success(request, PHASE_DONE[request.POST["action"]])
        return redirect("assessments:detail", pk=pk)


# -- a score sheet -------------------------------------------------------------------------

class SpecialForm(forms.Form):
    criterion = forms.ModelChoiceField(label=gettext_lazy("Special criterion"),
                                       queryset=Criterion.objects.none())
    points = forms.CharField(label=gettext_lazy("Points"), required=False, max_length=20,
                             help_text=gettext_lazy("For a bonus or a deduction; a veto or a "
                                                    "bar to excellent has none."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=gettext_lazy("Evidence"), required=False,
                           help_text=gettext_lazy("The document it rests on (PDF, Word, Excel "
                                                  "or images)."))

    def __init__(self, *args, sheet: AssessmentSheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = sheet.assessment.scheme_of(sheet.group).criteria \
            .filter(kind=Criterion.Kind.SPECIAL).order_by("number")


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=gettext_lazy("Grade"), required=False,
                              choices=[("", gettext_lazy("As computed"))] + Grade.choices)
    reason = forms.CharField(label=gettext_lazy("Reason for the grade"), max_length=2000,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))


def sheet_abilities(user: User, sheet: AssessmentSheet) -> dict:
    """Which of the sheet's forms ``user`` is shown now (the services decide again on
    each action)."""
    assessment, status = sheet.assessment, sheet.assessment.status
    open_step = not assessment.phase_due or timezone.localdate() <= assessment.phase_due
    subject = rules.is_subject(user, sheet)
    scorer = status == Status.LEADER_SCORING and rules.is_scorer(user, sheet)
    committee = rules.is_committee(user)
    scoring = open_step and ((status == Status.SELF_SCORING and subject) or scorer)
    return {
        "subject": subject, "scorer": scorer, "committee": committee,
        "open_step": open_step, "score": scoring, "submit": scoring,
        "submitted_at": sheet.self_at if status == Status.SELF_SCORING else sheet.leader_at,
        "review": committee and status == Status.REVIEW,
        # once the subject has accepted the sheet, no appeal is offered
        "appeal": subject and status == Status.PUBLISHED and open_step
        and not sheet.acknowledged_at,
        "answer": committee and status == Status.PUBLISHED,
        "acknowledge": subject and status == Status.PUBLISHED and not sheet.acknowledged_at,
    }


class SheetView(LoginRequiredMixin, generic.TemplateView):
    """A subject's score sheet: every line with its explanations, changes and appeals; the
    leader's and the committee's scores (and the total) only for whoever may see them."""

    template_name = "records/assessment_sheet.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sheet = kwargs.pop("sheet", None) or sheet_or_404(user, kwargs["pk"])
        view = selectors.sheet_view(sheet, user)
        failed = kwargs.pop("failed", {})
        action, target = failed.get("action"), failed.get("target")
        for line in view.lines:
            line.floor_text = explain("floor", {"lost": -line.lost}) if line.floored else ""
            # a refused form is shown again where it was, with what was typed in it
            line.failed = action in ("score", "adjust", "appeal") and target == str(line.line.pk)
            line.open_appeal = any(appeal.status == Appeal.Status.OPEN for appeal in line.appeals)
            for appeal in line.appeals:
                appeal.failed = action == "answer" and target == str(appeal.pk)
        for entry in view.specials:
            entry.failed = action == "special_remove" and target == str(entry.pk)
        can = sheet_abilities(user, sheet)
        if can["review"]:
            kwargs.setdefault("special_form", SpecialForm(sheet=sheet))
            kwargs.setdefault("grade_form", GradeForm(initial={
                "grade": sheet.grade_set, "reason": sheet.grade_reason}))
        return super().get_context_data(
            sheet=sheet, assessment=sheet.assessment, view=view, can=can, failed=failed,
            scheme=sheet.assessment.scheme_of(sheet.group),
            open_appeals=any(line.open_appeal for line in view.lines),
            **kwargs)


class InvalidForm(ValidationError):
    """The action's own form found its input wrong (its errors are on it already)."""


def _one(model, sheet: AssessmentSheet, value):
    """A line, appeal or special entry of ``sheet`` by its id: anything else is a 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(_("Nothing of this sheet has this number.")) from None
    return get_object_or_404(model, pk=pk, sheet=sheet)


class SheetActView(SheetView):
    """Every form of the sheet posts here with its ``action``; each calls its service. A
    refusal shows the sheet again with the service's message, nothing changed."""

    http_method_names = ["post"]

    def post(self, request, pk):
        sheet = sheet_or_404(request.user, pk)
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None) if action.isidentifier() else None
        if handler is None:
            return self.refused(sheet, {"action": action},
                                [_("Choose one of the page's forms.")], 400)
        try:
            done = handler(request, sheet)
        except (ValidationError, PermissionDenied) as error:
            if self.form is None:
                return self.refused(sheet, {"action": action, "target": self.target},
                                    refusal(error), refused_status(error))
            if isinstance(error, PermissionDenied):
                errors = refusal(error)
            else:
                errors = []
                if not isinstance(error, InvalidForm):
                    show_errors(self.form, error)
            return self.refused(sheet, {"action": action}, errors, refused_status(error),
                                **{f"{action}_form": self.form})
        done, anchor = done if isinstance(done, tuple) else (done, "")
        messages.success(request, done)
        return redirect(reverse("assessments:sheet", args=[sheet.pk]) + anchor)

    target = ""  # the line, appeal or entry the action was about
    form = None  # the action's form, when it has one (shown again with its errors)

    def refused(self, sheet, failed, errors, status, **forms_):
        sheet = sheet_or_404(self.request.user, sheet.pk)
        failed = dict(failed, post=self.request.POST)
        return self.render_to_response(self.get_context_data(
            pk=sheet.pk, sheet=sheet, failed=failed, errors=errors, **forms_), status=status)

    def _line(self, request, sheet):
        line = _one(ScoreLine, sheet, request.POST.get("line"))
        self.target = str(line.pk)
        return line

    def do_score(self, request, sheet):
        line = self._line(request, sheet)
        rules.line_score(line=line, by=request.user, score=request.POST.get("score", ""),
                         reason=request.POST.get("reason", ""))
        return _("Score saved."), f"#line-{line.pk}"

    def do_submit(self, request, sheet):
        rules.sheet_submit(sheet=sheet, by=request.user)
        return _("Submitted: the scores of this step are handed in.")

    def do_adjust(self, request, sheet):
        line = self._line(request, sheet)
        rules.line_adjust(line=line, by=request.user, score=request.POST.get("score", ""),
                          reason=request.POST.get("reason", ""))
        return _("The line is adjusted."), f"#line-{line.pk}"

    def do_special(self, request, sheet):
        self.form = form = SpecialForm(request.POST, request.FILES, sheet=sheet)
        if not form.is_valid():
            raise InvalidForm(form.errors)
        data = form.cleaned_data
        rules.special_add(sheet=sheet, criterion=data["criterion"], by=request.user,
                          score=data["points"] or 0, reason=data["reason"],
                          upload=data["file"])
        return _("The special entry is added.")

    def do_special_remove(self, request, sheet):
        entry = _one(SpecialEntry, sheet, request.POST.get("entry"))
        self.target = str(entry.pk)
        rules.special_remove(entry=entry, by=request.user, reason=request.POST.get("reason", ""))
        return _("The special entry is withdrawn.")

    def do_grade(self, request, sheet):
        self.form = form = GradeForm(request.POST)
        if not form.is_valid():
            raise InvalidForm(form.errors)
        rules.grade_set(sheet=sheet, by=request.user, grade=form.cleaned_data["grade"],
                        reason=form.cleaned_data["reason"])
        return _("The grade is set.")

    def do_appeal(self, request, sheet):
        line = self._line(request, sheet)
        rules.appeal_lodge(line=line, by=request.user, text=request.POST.get("text", ""))
        return _("Your appeal is lodged; the committee answers it."), f"#line-{line.pk}"

    def do_answer(self, request, sheet):
        appeal = _one(Appeal, sheet, request.POST.get("appeal"))
        self.target = str(appeal.pk)
        upheld = request.POST.get("upheld")
        if upheld not in ("yes", "no"):
            raise ValidationError({"upheld": _("Say whether the appeal is upheld.")})
        rules.appeal_answer(appeal=appeal, by=request.user, upheld=upheld == "yes",
                            answer=request.POST.get("answer", ""),
                            score=request.POST.get("score") if upheld == "yes" else None)
        return _("The appeal is answered."), f"#line-{appeal.line_id}"

    def do_acknowledge(self, request, sheet):
        rules.sheet_acknowledge(sheet=sheet, by=request.user)
        return _("You have accepted the sheet.")


class SpecialFileView(LoginRequiredMixin, generic.View):
    """A special entry's evidence, for whoever sees the sheet's special entries."""

    def get(self, request, pk, entry_pk):
        sheet = sheet_or_404(request.user, pk)
        if not rules.shows_leader_score(request.user, sheet):
            raise Http404(_("Special entries are shown from publication."))
        entry = get_object_or_404(SpecialEntry, pk=entry_pk, sheet=sheet)
        return serve_evidence(request, entry)
