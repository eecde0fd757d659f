"""Any change to the org chart makes a new version of it, so that no process uses what
the chain remembered before. (Logins and account changes are audited by
records.receivers.)"""

from django.db.models.signals import post_delete, post_save

from . import chain
from .models import Delegation, Oversight, Post, Unit, User


def chart_changed(sender, update_fields=None, **kwargs):
    """What the chain remembered (accounts.chain) is stale now: a new version of the chart.
    A login only stamps ``last_login``, which the chain never reads."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    chain.chart_changed()


for _model in (Post, Oversight, Delegation, Unit, User):
    for _signal in (post_save, post_delete):
        _signal.connect(chart_changed, sender=_model,
                        dispatch_uid=f"chain-forgets-{_model.__name__}-{id(_signal)}")
