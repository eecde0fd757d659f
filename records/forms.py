from django import forms
from django.utils.translation import gettext_lazy as _

from .models import QuarterlyReport


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


class ReviewForm(forms.Form):
    """The supervising leader's decision and opinion."""

    opinion = forms.CharField(label=_("Opinion"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Required when returning the report."))


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
