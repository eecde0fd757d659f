"""Every account action leaves a line in the audit trail: logins, logouts and failures,
new accounts and password changes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User

from .audit import audit, current_user


def _audit(**kwargs):
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
    actor = current_user.get()
    actor = actor if actor is not None and actor.is_authenticated else None
    if created:
        _audit(actor=actor, action="account.create", target=instance)
    elif getattr(instance, "_password_changed", False):
        _audit(actor=actor, action="account.password_change", target=instance)
