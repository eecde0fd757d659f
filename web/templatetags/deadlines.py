"""The mark beside a deadline counted Monday–Friday in a year whose holidays are not entered.

Such a deadline is provisional (records.workdays.is_provisional): shown with a short mark
and what it means as its tooltip in lists, written out on an item's own page; the
models say which deadlines are counted in working days (``*_is_provisional``).
"""

import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from records import workdays

register = template.Library()


def explanation(day: datetime.date) -> str:
    return _("Counted Monday to Friday for now; counted again once the %(year)s holidays "
             "are entered.") % {"year": day.year}


@register.simple_tag
def provisional_mark(day: datetime.date | None, long: bool = False) -> str:
    """暂定, with its meaning as the tooltip (and after it, when ``long``)."""
    if day is None:
        return ""
    mark = format_html('<span class="dc-provisional" title="{}">{}</span>', explanation(day),
                       _("provisional"))
    if long:
        return format_html('{} <span class="dc-meta">{}</span>', mark, explanation(day))
    return mark


@register.filter
def is_provisional(day: datetime.date | None) -> bool:
    """For deadlines counted in working days only (an estimate of the path ahead)."""
    return workdays.is_provisional(day)
