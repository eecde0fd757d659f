"""The reminder sweep: deadlines that act, counted in working days.

- N working days before a deadline (3 by default): remind the assignee, once per deadline;
- on the deadline: remind the assignee, and tell their supervising leader (a unit's
  task) or the secretary (a leader's or the committee's task);
- once overdue: escalate to the secretary and the discipline committee (and tell the
  assignee), then again every week while the item is open. The task stays where it is.

The chain is the day's: a leader, secretary or committee member absent under a delegation
valid that day is copied, and whoever acts for them is told as they would be.

Runs on Celery beat; safe to run any number of times a day (one notification per
person, item, kind and day, by the database's unique key).

In a year whose holidays are not known (records.workdays.is_known: neither the library
nor the administrator's confirmed entries cover it) any day may be a public holiday: the
sweep sends nothing then, and tells the administrators and the secretary instead, once a
day, which year to enter. Once it is entered the next sweep catches up: what is due soon
or overdue by then is reminded and escalated as usual.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import chain
from accounts.models import Oversight, Post, Unit
from records import kinds
from records.models import Notification
from records.notifications import item_key, notify
from records.services import assessments, duty_records
from records.services.calendar import calendar_missing_notify
from records.workdays import Calendar, add_working_days, is_known, is_provisional

from . import steps
from .models import CountersignPart
from .selectors import record_of_task

Kind = Notification.Kind
UNIT_ROLES = {Post.Role.HEAD, Post.Role.LIAISON}


def _supervisors(day: datetime.date) -> dict[int, object]:
    """unit id → supervising leader on ``day``, inherited down the tree (two queries)."""
    direct = {o.unit_id: o.leader for o in Oversight.objects.on(day).select_related("leader")}
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    resolved = {}
    for unit_id in parents:
        node = unit_id
        while node is not None and node not in direct:
            node = parents.get(node)
        resolved[unit_id] = direct.get(node)
    return resolved


def _deadline(record) -> datetime.date | None:
    return record.step_due if record.is_open else None


def _url(record) -> str:
    return kinds.kind_of(record).url(record)


def sweep(today: datetime.date | None = None) -> dict[str, int]:
    """Send the day's reminders and escalations for every open task; returns counts by kind."""
    today = today or timezone.localdate()
    counts = defaultdict(int)
    if not is_known(today.year):
        told = calendar_missing_notify(today=today, years=[today.year])
        if told:
            counts[Kind.CALENDAR_MISSING] += len(told)
        return dict(counts)
    calendar = Calendar(today - datetime.timedelta(days=7), today + datetime.timedelta(days=60))
    if not calendar.is_workday(today):
        return dict(counts)

    secretary = chain.secretary(today)
    committee = chain.discipline_committee(today)
    supervisors = _supervisors(today)
    # notices meant for someone absent today go to whoever acts for them; they are copied
    acting = chain.stand_ins(today)
    unit_people = set(Post.objects.on(today).filter(role__in=UNIT_ROLES)
                      .values_list("user_id", "unit_id"))
    reminded = set(Notification.objects.filter(kind=Kind.DUE_SOON, deadline__gte=today)
                   .values_list("key", "deadline"))
    last_escalated = {
        (row["key"], row["deadline"]): row["last"]
        for row in Notification.objects.filter(kind=Kind.OVERDUE)
        .values("key", "deadline").annotate(last=Max("day"))
    }
    soon = {}  # lead time in working days → the deadline that is that far from today

    tasks = (Task.objects.filter(status__in=[STATUS.ASSIGNED, STATUS.STARTED],
                                 flow_task_type="HUMAN", owner__isnull=False)
             .select_related("owner", *kinds.process_relations()))
    # a unit's part of a joint rectification is due on its own date (extensions per part)
    part_due = dict(CountersignPart.objects.filter(
        status=CountersignPart.Status.PENDING, task__status__in=[STATUS.ASSIGNED,
                                                                 STATUS.STARTED])
        .values_list("task_id", "due_date"))
    with override(settings.LANGUAGE_CODE):
        for task in tasks.iterator(chunk_size=2000):
            record = record_of_task(task)
            due = _deadline(record) if record else None
            if due is not None and part_due.get(task.pk):
                due = part_due[task.pk]
            if due is None:
                continue
            step = task.flow_task
            config = steps.reminder_rules(step)
            key, owner = item_key(record), task.owner
            what = _("%(item)s · %(step)s") % {"item": record, "step": step.task_title}
            common = dict(record=record, url=_url(record), day=today, deadline=due)
            lead = config["before"]
            if lead not in soon:
                soon[lead] = add_working_days(today, lead)
            if today < due <= soon[lead] and (key, due) not in reminded:
                title = _("Due on %(due)s: %(what)s") % {"due": due, "what": what}
                if is_provisional(due):
                    title = _("%(title)s (provisional: %(year)s is counted Monday to Friday "
                              "until its holidays are entered)") % {"title": title,
                                                                     "year": due.year}
                counts[Kind.DUE_SOON] += len(notify(
                    recipients=[owner], kind=Kind.DUE_SOON, **common, title=title[:200]))
            elif due == today:
                counts[Kind.DUE_TODAY] += len(notify(
                    recipients=[owner], kind=Kind.DUE_TODAY, **common,
                    title=_("Due today: %(what)s") % {"what": what}))
                is_units_task = (owner.pk, record.unit_id) in unit_people
                above = supervisors.get(record.unit_id) if is_units_task else secretary
                above = above if above != owner else secretary
                title = _("Due today, with %(owner)s: %(what)s") % {"owner": owner,
                                                                    "what": what}
                stand_in = acting.get(above.pk) if above is not None else None
                counts[Kind.DUE_TODAY_LEADER] += len(notify(
                    recipients=[stand_in or above], kind=Kind.DUE_TODAY_LEADER, **common,
                    title=title[:200]))
                if stand_in is not None:
                    counts[Kind.DUE_TODAY_LEADER] += len(notify(
                        recipients=[above], kind=Kind.DUE_TODAY_LEADER, **common,
                        title=(_("%(title)s (%(acting)s acts for you)")
                               % {"title": title, "acting": stand_in})[:200]))
            elif due < today:
                last = last_escalated.get((key, due))
                if last is None or (today - last).days >= config["repeat_every_days"]:
                    # the absent secretary or committee member is copied, their stand-in
                    # told
                    told = [secretary, *committee, owner]
                    counts[Kind.OVERDUE] += len(notify(
                        recipients=[*told, *(acting.get(p.pk) for p in told if p)],
                        kind=Kind.OVERDUE, **common,
                        title=(_("Overdue since %(due)s, with %(owner)s: %(what)s")
                               % {"due": due, "owner": owner, "what": what})[:200]))
        told = _extension_reminders(today, acting)
        behind = duty_records.duty_reminders(today, acting)
        # the assessment's steps: whom each still waits on, before and after its deadline
        assessed = assessments.assessment_reminders(today, acting)
    if told:
        counts[Kind.EXTENSION] = told
    if behind:
        counts[Kind.DUTY_BEHIND] = behind
    if assessed:
        counts[Kind.ASSESSMENT] = assessed
    return dict(counts)


def _extension_reminders(today: datetime.date, acting: dict) -> int:
    """Extension requests to decide by today, or overdue: their decider (or whoever acts for
    them) is reminded, each morning until it is decided."""
    from records.models import ExtensionRequest

    told = 0
    for request in (ExtensionRequest.objects.filter(
            decision=ExtensionRequest.Decision.PENDING, decide_by__lte=today,
            decider__isnull=False).select_related("problem__unit", "decider")):
        decider = acting.get(request.decider_id, request.decider)
        what = _("extension of %(problem)s to %(new)s") % {"problem": request.problem,
                                                           "new": request.new_date}
        title = (_("Decide today: %(what)s") if request.decide_by == today
                 else _("Decision overdue since %(due)s: %(what)s")) % {
            "due": request.decide_by, "what": what}
        told += len(notify(recipients=[decider], kind=Kind.EXTENSION, record=request.problem,
                           url=_url(request.problem), day=today, deadline=request.decide_by,
                           title=title[:200]))
    return told


def notices_for(record) -> list[Notification]:
    """Reminders and escalations about one record, for its history."""
    return list(Notification.objects.filter(key=item_key(record))
                .exclude(kind__in=[Kind.ASSIGNED, Kind.COPIED, Kind.TRANSFERRED, Kind.WITHDRAWN,
                                   Kind.URGED])
                .select_related("recipient")
                .order_by("day", "kind", "pk"))
