from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import AnnualReport, Problem, QuarterlyReport

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


class SubmitMixin:
    """A report as submitted: the duties carried out must be described."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_done"].required = True


class ReportSubmitForm(SubmitMixin, ReportContentForm):
    """The quarterly report as submitted."""


class AnnualReportContentForm(forms.ModelForm):
    """What a leadership member writes in their annual report; the annex is the product's."""

    class Meta:
        model = AnnualReport
        fields = ["work_done", "problems", "next_steps", "integrity"]
        widgets = {field: forms.Textarea(attrs={"rows": 6}) for field in fields}
        labels = {"work_done": _("How I carried out my duties")}
        help_texts = {
            "work_done": _("How you carried out 'one post, two responsibilities' for the units "
                           "you oversee this year: guidance, supervision, talks, inspections."),
            "problems": _("Problems and shortcomings in carrying out your duties."),
            "next_steps": _("What you will do next year."),
            "integrity": _("Your own integrity and self-discipline, and that of your family and "
                           "staff: the eight-point rules, gifts, outside work."),
        }


class AnnualReportSubmitForm(SubmitMixin, AnnualReportContentForm):
    """The annual report as submitted."""


def bureau_people(unit=None) -> list:
    """People who may be named on a step of a record of ``unit`` (copied to, say): active
    holders of COPY_ROLES in its bureau and above it (accounts.chain.people_around)."""
    from accounts import chain

    return chain.people_around(unit, COPY_ROLES)


def _attrs_html(attrs: dict) -> str:
    """An element's attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        "" if value is False else format_html(" {}", name) if value is True
        else format_html(' {}="{}"', name, value) for name, value in attrs.items())


class QuickSelectMixin:
    """Writes the same HTML as Django's select templates, but in Python: a list of every
    post holder has an option per person (thousands in a city), and a template include per
    option made it the slowest part of a review page. tests/test_signoff_cost.py holds it
    to the templates' output."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        chosen, has_selected = widget["value"], False
        parts = [format_html('<select name="{}"', widget["name"]), _attrs_html(widget["attrs"]),
                 ">"]
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, (list, tuple))
            if grouped and option_value:
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
            for subvalue, sublabel in option_label if grouped else [(option_value, option_label)]:
                selected = ((not has_selected or self.allow_multiple_selected)
                            and str(subvalue) in chosen)
                has_selected |= selected
                parts.append(f'\n  <option value="{conditional_escape(subvalue)}"'
                             f'{" selected" if selected else ""}>'
                             f'{conditional_escape(sublabel)}</option>\n')
            if grouped and option_value:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class QuickSelect(QuickSelectMixin, forms.Select):
    pass


class QuickSelectMultiple(QuickSelectMixin, forms.SelectMultiple):
    pass


class PeopleChoices(ModelChoiceIterator):
    """(pk, name) of the field's people: the list its form gave (``PeopleField.people``), or
    the queryset's rows in one plain query (not whole user rows, and no server-side cursor,
    a ModelChoiceIterator's way on PostgreSQL: several round trips)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.people is not None:
            for person in self.field.people():
                yield (person.pk, self.field.label_from_instance(person))
            return
        for pk, name, username in self.queryset.values_list("pk", "name", "username"):
            yield (pk, name or username)


def _by_username(queryset, values) -> list:
    """Ids for a list of ids and usernames (a program names people by either): a username
    not among ``queryset``'s people is kept as it is, to be refused as an invalid choice."""
    names = [v for v in values if isinstance(v, str) and v and not v.isdigit()]
    if not names:
        return list(values)
    found = dict(queryset.filter(username__in=names).values_list("username", "pk"))
    return [found.get(v, v) if v in names else v for v in values]


class PersonField(forms.ModelChoiceField):
    """One person, named by id or by username."""

    def to_python(self, value):
        return super().to_python(_by_username(self.queryset, [value])[0]
                                 if value not in self.empty_values else value)


class PeopleField(forms.ModelMultipleChoiceField):
    """Some of ``queryset``'s people. A form may give ``people``, a function returning the
    ones to offer: it is called only when the list is shown or a choice is checked (a
    sign-off without copies reads no list), and what it does not return is refused."""

    iterator = PeopleChoices
    widget = QuickSelectMultiple
    people = None

    def label_from_instance(self, obj):
        return obj.name or obj.username

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            value = _by_username(self.queryset, value)
        return super().clean(value)

    def _check_values(self, value):
        chosen = super()._check_values(value)
        if self.people is not None:
            offered = {person.pk for person in self.people()}
            for person in chosen:
                if person.pk not in offered:
                    raise ValidationError(self.error_messages["invalid_choice"],
                                          code="invalid_choice", params={"value": person.pk})
        return chosen


class OpinionForm(forms.Form):
    """An opinion on a decision (an extension request, say)."""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Required when returning the report."))


class ReviewForm(OpinionForm):
    """A reviewer's decision: the opinion, and whom to copy the result to."""

    copy_to = PeopleField(
        label=_("Copy to"), required=False, queryset=None,
        widget=QuickSelectMultiple(attrs={"size": 4}),
        help_text=_("Optional: people who should read it for their information (抄送)."))

    takes_record = True

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        field = self.fields["copy_to"]
        field.queryset = User.objects.filter(is_active=True)
        field.people = lambda: bureau_people(record.unit if record else None)


class TransferForm(forms.Form):
    """Hand an open task to someone else whose post qualifies for the step (转办)."""

    to = PersonField(label=_("Transfer to"), queryset=None, widget=QuickSelect,
                                error_messages={
        "invalid_choice": _("Choose someone who can take this step over."),
        "required": _("Choose who takes the task over.")})
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the transfer.")})

    def __init__(self, *args, candidates=None, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        field.label_from_instance = lambda u: u.name or u.username
        if candidates is None:
            # the API: any active person; the service says whether they qualify
            field.queryset = User.objects.filter(is_active=True)
        else:
            field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates])
            # the page lists the people already at hand without asking the database again,
            # in id order (the order the query gave them in)
            field.widget.choices = [("", field.empty_label)] + [
                (u.pk, field.label_from_instance(u)) for u in sorted(candidates,
                                                                     key=lambda u: u.pk)]


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
    # empty files are refused by records.services.evidence.validate_evidence, whose message names the file
    file = forms.FileField(label=_("Evidence file"), allow_empty_file=True,
                           help_text=_("PDF, Word, Excel or images."))


class CountersignPartForm(forms.Form):
    """A unit head's part of a joint rectification (countersign), with optional evidence."""

    text = forms.CharField(label=_("Your unit's part"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("What your unit did to rectify the problem."))
    # empty files are refused by records.services.evidence.validate_evidence, whose message names the file
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
