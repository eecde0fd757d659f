"""Who may sign in, and signing a person out everywhere.

A person acts in DutyChain only through a post: whoever holds none today (their last
post ended, or their first has not begun) is refused at the login page, at the API's
token endpoint and on every request made with a session or a token they already had,
with a message saying whom to ask. Administrators keep the org chart and sign in
without a post. When a person's last post ends, their sessions and API tokens go too.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import chain
from .models import User


def is_administrator(user: User) -> bool:
    return user.is_superuser or user.is_staff


def sign_in_refusal(user: User) -> str:
    """Why ``user`` may not use DutyChain today ("" when they may)."""
    if not user.is_active:
        return _("This account is disabled. Ask the administrator.")
    if is_administrator(user) or chain.roles_of(user):
        return ""
    return _("You hold no post in the organisation chart today, so you cannot use DutyChain. "
             "If this is wrong, ask the administrator to record your post.")


def end_sessions_of(user: User) -> int:
    """End every browser session of ``user``; returns how many there were."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def sign_out_everywhere(*, user: User, reason: str, **data) -> tuple[int, int]:
    """End ``user``'s sessions and revoke their API tokens (audited); returns (sessions,
    tokens)."""
    from records.services import audit

    sessions = end_sessions_of(user)
    tokens, _rows = Token.objects.filter(user=user).delete()
    audit(actor=None, action="account.logout_everywhere", target=user, reason=reason,
          sessions=sessions, tokens=tokens, **data)
    return sessions, tokens


def sign_out_if_postless(*, user: User, reason: str, **data) -> bool:
    """Sign ``user`` out everywhere when they hold no post today (administrators aside)."""
    if is_administrator(user) or chain.roles_of(user):
        return False
    sign_out_everywhere(user=user, reason=reason, **data)
    return True
