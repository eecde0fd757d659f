"""The review page and the sign-off cost a fixed, small number of queries (issue 9's
throughput figure), and what makes them cheap shows the same as before."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from records.forms import QuickSelect, QuickSelectMultiple

CHOICES = [("", "---------"), (1, "王 & 李"), (2, '"quoted" <b>'), (3, mark_safe("<i>safe</i>")),
           ("group", [(4, "四"), (5, "五")]), (None, "none")]


@pytest.mark.parametrize(("quick", "stock"), [(QuickSelect, forms.Select),
                                              (QuickSelectMultiple, forms.SelectMultiple)])
@pytest.mark.parametrize("value", [None, "", 2, [1, 5], ["3", "4"]])
@pytest.mark.parametrize("attrs", [{}, {"size": 4, "id": "id_x", "required": True,
                                        "disabled": False, "data-x": 'a"b'}])
def test_quick_selects_write_what_djangos_templates_write(quick, stock, value, attrs):
    mine = quick(attrs=attrs, choices=CHOICES).render("copy_to", value, {"id": "id_copy_to"})
    django = stock(attrs=attrs, choices=CHOICES).render("copy_to", value, {"id": "id_copy_to"})
    assert mine == django


def test_the_review_pages_lists_of_people_are_what_djangos_own_fields_write(
        sanitation_report, head_sanitation, leader_li, client_for):
    from django.forms.models import ModelChoiceIterator

    from flows import approvals
    from records.forms import ReviewForm, TransferForm

    from .conftest import open_task, submit, task_url

    submit(client_for(head_sanitation), sanitation_report)
    task = open_task(sanitation_report)
    page = client_for(leader_li).get(task_url(task)).content.decode()
    # the same fields with Django's own widgets and choices (whole rows, one template each)
    review = ReviewForm()
    copy_to = review.fields["copy_to"]
    copy_to.iterator = ModelChoiceIterator
    copy_to.widget = forms.SelectMultiple(attrs={"size": 4})
    copy_to.widget.choices = copy_to.choices
    transfer = TransferForm(candidates=approvals.transfer_candidates(task, sanitation_report))
    to = transfer.fields["to"]
    to.widget = forms.Select()
    to.widget.choices = to.choices
    for field in (review["copy_to"], transfer["to"]):
        html = str(field)
        assert html.count("<option") > 1
        assert html in page
