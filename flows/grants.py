"""Re-deriving who may see what when the chain changes (a post ends, oversight moves,
a delegation starts or ends). Runs in the background (flows.tasks.rederive_grants).

For every record of the affected units the wanted grants are:
- the unit's head and liaisons today (and whoever acts for them);
- for an open record, its supervising leader today (and whoever acts for them);
- everybody who was given a step of it — a leader who no longer oversees the unit
  keeps read access to what they themselves acted on, and loses the rest;
- whoever registered or opened it.
Open steps follow the chain: they go to today's holder of their post (the acting person
when a delegation starts, back when it ends — an ended delegation leaves nothing behind;
the new head when a head's post ends).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Model
from viewflow.workflow.models import Task

from accounts import chain
from accounts.models import Unit, User
from records import kinds, permissions
from records.audit import audit
from records.models import CopyTo
from records.selectors import OPEN_STATUSES

from . import extensions


def _people_of(unit: Unit, is_open: bool) -> set[int]:
    people = permissions.unit_drafters(unit)
    if is_open:
        leader = chain.supervisor_of(unit)
        if leader is not None:
            people |= {leader, chain.acting_for(leader)}
    return {person.pk for person in people}


def _follow_chain(record: Model, tasks: list[Task]) -> None:
    """Open steps go to whoever the chain names for them today — the same resolver that
    assigned them — so a post that ends or a delegation that starts or ends moves them."""
    for task in tasks:
        if task.status not in OPEN_STATUSES or task.owner_id is None:
            continue
        activation = task.flow_task.activation_class(task)
        before = (task.owner_id, task.data.get("on_behalf_of"))
        try:
            owner = task.flow_task.calc_owner(activation)
        except chain.ChainGap as gap:
            task.data["on_behalf_of"] = before[1]
            # nobody holds the post: the step stays where it is, but whoever still has it
            # may no longer act on it (flows/qualification.py), so someone must be told
            _report_no_holder(record, task, gap)
            continue
        if (owner.pk, task.data.get("on_behalf_of")) == before:
            continue
        previous = task.owner
        task.owner = owner
        task.save(update_fields=["owner", "data"])
        # the ledger's assignee moves with the step it names (not with another unit's part
        # of a countersign)
        kinds.kind_of(record).follow_assignee(record, previous, owner)
        audit(actor=None, action="task.reassign", target=record, task=task.pk,
              from_user=previous.username, to_user=owner.username, reason="chain changed")
        # whoever the step came to hears of it at once, as of a new task
        task.flow_task.flow_class.instance.announce(activation)


def _report_no_holder(record: Model, task: Task, gap: chain.ChainGap) -> None:
    """Tell the administrators and the secretary, once a day, that a step of ``record`` has
    nobody who may act on it, and why (the chain's gap): the org chart needs a new holder."""
    from django.utils.translation import gettext as _

    from records.models import Notification
    from records.notifications import notify

    from .qualification import refusal

    if not refusal(task, record, task.owner):
        return
    recipients = [*User.objects.filter(is_superuser=True, is_active=True), chain.secretary()]
    notify(recipients=recipients, kind=Notification.Kind.NO_HOLDER, record=record,
           title=_("Nobody may act on %(item)s · %(step)s") % {
               "item": record, "step": task.flow_task.task_title},
           body=_("%(gap)s It stays with %(owner)s, who no longer holds the post, until the "
                  "organisation chart names someone for it.") % {"gap": gap, "owner": task.owner},
           url=kinds.kind_of(record).url(record))


def rederive_for_units(unit_ids: list[int]) -> dict[str, int]:
    """Bring the grants of every record of these units in line with today's chain."""
    counts = defaultdict(int)
    units = Unit.objects.in_bulk(unit_ids)
    for kind in kinds.all_kinds():
        model = kind.model
        records = list(model.objects.filter(unit_id__in=unit_ids).select_related("unit"))
        co_units = {}
        if kind.involved_units_field:
            # a record several units share: their heads' parts (countersign) follow the chain
            field = model._meta.get_field(kind.involved_units_field)
            seen = {record.pk for record in records}
            records += [r for r in model.objects.filter(
                **{f"{field.name}__in": unit_ids}).exclude(pk__in=seen).distinct()
                .select_related("unit")]
            units.update(Unit.objects.in_bulk({r.unit_id for r in records} - set(units)))
            # ... and their drafters read it from registration on
            for record_id, unit_id in field.remote_field.through.objects.filter(
                    **{f"{field.m2m_field_name()}__in": [r.pk for r in records]}).values_list(
                    field.m2m_field_name(), field.m2m_reverse_field_name()):
                co_units.setdefault(record_id, []).append(unit_id)
            units.update(Unit.objects.in_bulk(
                {u for ids in co_units.values() for u in ids} - set(units)))
        by_process = {r.process_id: r for r in records if r.process_id}
        tasks = defaultdict(list)
        for task in Task.objects.filter(process_id__in=by_process, flow_task_type="HUMAN") \
                .select_related("owner"):
            tasks[task.process_id].append(task)
        copied = defaultdict(set)  # 抄送: a copy keeps its reader
        for record_id, recipient_id in CopyTo.objects.of_many(records).values_list(
                "record_id", "recipient_id"):
            copied[record_id].add(recipient_id)
        with transaction.atomic():
            for process_id, process_tasks in tasks.items():
                _follow_chain(by_process[process_id], process_tasks)
            people_cache = {}
            for record in records:
                key = (record.unit_id, record.is_open)
                if key not in people_cache:
                    people_cache[key] = _people_of(units[record.unit_id], record.is_open)
                wanted = set(people_cache[key])
                for co_unit in co_units.get(record.pk, ()):
                    wanted |= {p.pk for p in permissions.unit_drafters(units[co_unit])}
                # open steps' owners, and those who finished a step (they acted on it)
                wanted |= {t.owner_id for t in tasks.get(record.process_id, [])
                           if t.owner_id and (t.status in OPEN_STATUSES or t.finished)
                           and t.status != "CANCELED"}
                wanted.add(getattr(record, "registered_by_id", None)
                           or getattr(record, "opened_by_id", None))
                wanted |= copied.get(record.pk, set())
                wanted.discard(None)
                added, removed = _sync(record, wanted)
                counts["added"] += added
                counts["removed"] += removed
    # a pending extension request goes to whoever decides it by today's chain
    moved = extensions.deciders_follow_chain(unit_ids)
    if moved:
        counts["extensions_moved"] = moved
    return dict(counts)


def _sync(record: Model, wanted: set[int]) -> tuple[int, int]:
    table = kinds.kind_of(record).grant_table
    codename = f"view_{record._meta.model_name}"
    have = set(table.objects.filter(content_object=record, permission__codename=codename)
               .values_list("user_id", flat=True))
    stale = have - wanted
    if stale:
        table.objects.filter(content_object=record, permission__codename=codename,
                             user_id__in=stale).delete()
    missing = wanted - have
    if missing:
        permissions.grant_view(record, User.objects.filter(pk__in=missing))
    if stale or missing:
        audit(actor=None, action="permission.rederive", target=record,
              added=sorted(missing), removed=sorted(stale))
    return len(missing), len(stale)


def units_of_people(user_ids: set[int]) -> set[int]:
    """Units where these people hold a step, a post or an oversight (a delegation's reach)."""
    from accounts.models import Oversight, Post

    open_steps = Task.objects.filter(owner_id__in=user_ids, status__in=OPEN_STATUSES) \
        .values_list(*(f"process__{kind.process_relation}__unit_id"
                       for kind in kinds.all_kinds()))
    overseen = Oversight.objects.filter(leader_id__in=user_ids).values_list("unit_id", flat=True)
    posts = Post.objects.filter(user_id__in=user_ids).values_list("unit_id", flat=True)
    return {unit for pair in open_steps for unit in pair if unit} | subtree(set(overseen)) \
        | set(posts)


def subtree(unit_ids: set[int]) -> set[int]:
    """The units and every unit below them (oversight is inherited down the tree)."""
    children = defaultdict(list)
    for pk, parent in Unit.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, stack = set(), list(unit_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children[pk])
    return found


