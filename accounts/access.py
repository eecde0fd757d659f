"""Who may sign in.

A person acts in DutyChain only through a post: whoever holds none today (their last
post ended, or their first has not begun) is refused at the login page, at the API's
token endpoint and on every request made with a session or a token they already had,
with a message saying whom to ask. Administrators keep the org chart and sign in
without a post. (When a person's last post ends, their sessions and API tokens go too:
records.services.accounts.)
"""

from __future__ import annotations

from django.utils.translation import gettext as _

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
