"""Every account action leaves a line in the audit trail; any change to the org chart
makes a new version of it, so that no process uses what the chain remembered before."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import chain
from .models import Delegation, Oversight, Post, Unit, User


def _audit(**kwargs):
    from records.services import audit

    audit(**kwargs)


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    _audit(actor=user, action="account.login", target=user)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        _audit(actor=user, action="account.logout", target=user)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    user = User.objects.filter(username=username).first()
    _audit(actor=None, action="account.login_failed", target=user or User(pk=0),
           username=username)


@receiver(pre_save, sender=User)
def remember_password(sender, instance: User, **kwargs):
    old = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first() \
        if instance.pk else None
    instance._password_changed = old is not None and old != instance.password


@receiver(post_save, sender=User)
def account_changed(sender, instance: User, created, **kwargs):
    from records.audit import current_user

    actor = current_user.get()
    actor = actor if actor is not None and actor.is_authenticated else None
    if created:
        _audit(actor=actor, action="account.create", target=instance)
    elif getattr(instance, "_password_changed", False):
        _audit(actor=actor, action="account.password_change", target=instance)


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
