"""Whether the owner of a task may still act on it today.

A task is given to the person the chain names when it is created; the chain moves on
(a post ends, oversight changes hands, a delegation runs out) and the nightly
re-derivation (flows/grants.py) moves open steps after it. In between, the task is
still assigned to someone who may no longer act. So every action — a task page, the
API, bulk sign-off, a transfer — asks here at the moment it is taken: the owner must
hold the step's post today (the node's ``Holders``), or act today for someone who does
under a delegation valid today, or have taken the step over (转办) while holding a post
that may take it over. Every answer comes from the chain (accounts/chain.py), which a
request asks once.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts import chain
from accounts.models import Post, User

from . import steps


def _may_take_over(user: User, task, record) -> bool:
    """A step taken over by transfer stays with its new owner while their post qualifies
    for it (flows/approvals.transfer_candidates asks the same of the chain)."""
    roles = steps.transfer_roles(task.flow_task)
    unit_roles = {Post.Role.HEAD, Post.Role.LIAISON}
    if any(user in chain.holders(record.unit, role) for role in roles if role in unit_roles):
        return True
    around = [role for role in roles if role not in unit_roles]
    return bool(around) and user in chain.people_around(record.unit, around)


def refusal(task, record, user: User) -> str:
    """Why ``user`` may not act on ``task`` of ``record`` today ("" when they may)."""
    if task.owner_id != user.pk:
        return _("This task is not yours.")
    node = task.flow_task
    if not hasattr(node, "holders"):
        return ""
    if task.data.get("transferred"):
        if _may_take_over(user, task, record):
            return ""
    else:
        for holder in node.holders(record, task):
            if holder.pk == user.pk or chain.acting_for(holder).pk == user.pk:
                return ""
    behalf = task.data.get("on_behalf_of")
    if behalf and not task.data.get("transferred"):
        return _("You were acting on this step for someone whose delegation to you is not "
                 "valid today, so you can no longer act on it. It goes back to the person "
                 "the organisation chart names for it today.")
    return _("You no longer hold the post this step needs (%(step)s), so you can no longer "
             "act on it. It passes to whoever the organisation chart names for it today; "
             "ask the administrator if this is wrong.") % {"step": node.task_title}
