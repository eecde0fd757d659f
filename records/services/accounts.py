"""Signing a person out everywhere: their browser sessions end and their API tokens are
revoked, audited (their last post ended: accounts.access says who may sign in)."""

from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import chain
from accounts.access import is_administrator
from accounts.models import User
from records.audit import audit


def end_sessions_of(user: User) -> int:
    """End every browser session of ``user``; returns how many there were."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def account_sign_out_everywhere(*, user: User, reason: str, **data) -> tuple[int, int]:
    """End ``user``'s sessions and revoke their API tokens (audited); returns (sessions,
    tokens)."""
    sessions = end_sessions_of(user)
    tokens, _rows = Token.objects.filter(user=user).delete()
    audit(actor=None, action="account.logout_everywhere", target=user, reason=reason,
          sessions=sessions, tokens=tokens, **data)
    return sessions, tokens


def account_sign_out_if_postless(*, user: User, reason: str, **data) -> bool:
    """Sign ``user`` out everywhere when they hold no post today (administrators aside)."""
    if is_administrator(user) or chain.roles_of(user):
        return False
    account_sign_out_everywhere(user=user, reason=reason, **data)
    return True
