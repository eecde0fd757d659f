"""Every account action leaves a line in the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import User


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
