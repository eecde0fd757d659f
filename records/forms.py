from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Problem, QuarterlyReport

# posts whose holders can be named on a step from any unit
COPY_ROLES = ("secretary", "leader", "committee", "stationed", "head")


class ReportContentForm(forms.ModelForm):
    """What a unit writes in its quarterly report."""

    class Meta:
        model = QuarterlyReport
        fields = ["work_done", "problems", "next_steps"]
        widgets = {field: forms.Textarea(attrs={"rows": 6}) for field in fields}
        help_texts = {
            "work_done": _("How the unit carried out its main responsibility and "
                           "'one post, two responsibilities' this quarter."),
            "problems": _("Problems found, including any of the 'four winds'."),
            "next_steps": _("What the unit will do next quarter."),
        }


def bureau_people():
    """People who may be named on a step (copied to, handed a task): active post holders."""
    from accounts.models import Post, User

    today = timezone.localdate()
    holders = Post.objects.on(today).filter(role__in=COPY_ROLES).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("name", "username")


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class OpinionForm(forms.Form):
    """An opinion on a decision (an extension request, say)."""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Required when returning the report."))


class ReviewForm(OpinionForm):
    """A reviewer's decision: the opinion, and whom to copy the result to."""

    copy_to = PeopleField(
        label=_("Copy to"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Optional: people who should read it for their information (抄送)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_to"].queryset = bureau_people()


class TransferForm(forms.Form):
    """Hand an open task to someone else whose post qualifies for the step (转办)."""

    to = forms.ModelChoiceField(label=_("Transfer to"), queryset=None, error_messages={
        "invalid_choice": _("Choose someone who can take this step over."),
        "required": _("Choose who takes the task over.")})
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the transfer.")})

    def __init__(self, *args, candidates=None, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        if candidates is None:
            # the API: any active person; the service says whether they qualify
            field.queryset = User.objects.filter(is_active=True)
        else:
            field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates])
        field.label_from_instance = lambda u: u.name or u.username


class OpenReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int,
                                     choices=[(q, _("Q%(q)s") % {"q": q}) for q in (1, 2, 3, 4)])
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class BoardFilterForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(coerce=int, required=False,
                                     choices=[(q, q) for q in (1, 2, 3, 4)])


class DateInput(forms.DateInput):
    """A browser date picker; it reads and writes ISO dates whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class PlanDraftForm(forms.ModelForm):
    """The analysis and measures as written so far: nothing is required in a draft."""

    class Meta:
        model = Problem
        fields = ["root_cause", "measures", "planned_date"]


class ProblemAnalysisForm(forms.ModelForm):
    """The responsible unit's root-cause analysis and measures."""

    class Meta:
        model = Problem
        fields = ["root_cause", "measures", "planned_date"]
        widgets = {"root_cause": forms.Textarea(attrs={"rows": 5}),
                   "measures": forms.Textarea(attrs={"rows": 6}),
                   "planned_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = True


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    # empty files are refused by records.problems.validate_evidence, whose message names the file
    file = forms.FileField(label=_("Evidence file"), allow_empty_file=True,
                           help_text=_("PDF, Word, Excel or images."))


class CountersignPartForm(forms.Form):
    """A unit head's part of a joint rectification (countersign), with optional evidence."""

    text = forms.CharField(label=_("Your unit's part"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("What your unit did to rectify the problem."))
    # empty files are refused by records.problems.validate_evidence, whose message names the file
    file = forms.FileField(label=_("Evidence file"), required=False, allow_empty_file=True,
                           help_text=_("Optional. PDF, Word, Excel or images."))


class ExtensionForm(forms.Form):
    new_date = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(forms.Form):
    """One problem of a problem list."""

    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=None)
    # a blank first choice: a row left empty must post nothing, or the formset takes the
    # browser's preselected category for a started row and refuses the unused rows
    category = forms.ChoiceField(label=_("Category"),
                                 choices=[("", "---------"), *Problem.Category.choices])
    description = forms.CharField(label=_("Description"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    person_concerned = forms.CharField(label=_("Person concerned"), max_length=100,
                                       required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Other units involved"), queryset=None, required=False,
        help_text=_("For a problem shared by several units: each unit's head writes its "
                    "part of the rectification (countersign)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Unit

        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).exclude(
            kind=Unit.Kind.BUREAU)
        self.fields["co_units"].queryset = self.fields["unit"].queryset


class ProblemListForm(forms.Form):
    """What the problems of one check share."""

    title = forms.CharField(label=_("Check"), max_length=200,
                            help_text=_("e.g. 2026 Mid-Autumn and National Day spot check"))
    source = forms.ChoiceField(label=_("Source"), choices=Problem.Source.choices)
    found_on = forms.DateField(label=_("Date found"), widget=DateInput())


ProblemFormSet = forms.formset_factory(ProblemForm, extra=3, min_num=1, validate_min=True,
                                       max_num=50)
