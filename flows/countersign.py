"""Countersign (会签): one step that several people act on.

A countersign step has three nodes in a flow's graph::

    start_parts = countersign.Start(this.part_units).Next(this.write_part)
    write_part = countersign.PartView(views.SomeView.as_view()).Assign(this.assign_part)
                 .Next(this.parts_joined)
    parts_joined = countersign.Join().Next(this.after_parts)

``Start`` opens one part (a ``CountersignPart`` row) per participant — the callable
returns units (their head is resolved when the part's task is created) or users — and
``PartView`` gives each part its own task. How the parts run is configuration, per
step, in ``settings.DUTYCHAIN_COUNTERSIGN`` (``{"<flow>.<part node>": mode}``):

- ``all``: every participant gets a task at once; the step completes when all have acted;
- ``any``: every participant gets a task at once; the first to act decides, the other
  tasks are cancelled and their parts marked “not needed”;
- ``sequence``: one after another in the order given; the next participant's task is
  created when the previous one has acted.

The mode is read when the step opens and kept on its parts, so a changed setting
applies to the next step opened, never to one running. Every flow of ours holds the
process row lock while a task runs, so two participants acting at once are serialised:
in ``any`` mode the second finds their task cancelled and nothing is changed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import this
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.view import ViewActivation

from accounts.models import Unit, User
from records.audit import audit

from . import nodes
from .models import CountersignPart
from .nodes import ChainView

Mode = CountersignPart.Mode
Status = CountersignPart.Status
DEFAULT_MODE = Mode.ALL
PART_KEY = "countersign_part"


def step_key(node) -> str:
    """``rectification.rectify_parts``: the flow's short name and the part node's name."""
    return f"{node.flow_class.__name__.removesuffix('Flow').lower()}.{node.name}"


def mode_for(node) -> str:
    """A countersign step's mode: its step's (flows/steps.py), unless settings override it."""
    configured = getattr(settings, "DUTYCHAIN_COUNTERSIGN", None) or {}
    default = getattr(getattr(node, "step", None), "countersign", "") or DEFAULT_MODE
    mode = configured.get(step_key(node), default)
    if mode not in Mode.values:
        raise ImproperlyConfigured(
            f"DUTYCHAIN_COUNTERSIGN[{step_key(node)!r}] is {mode!r}; "
            f"use one of {', '.join(Mode.values)}.")
    return mode


def part_of(task) -> CountersignPart | None:
    pk = (task.data or {}).get(PART_KEY)
    return CountersignPart.objects.filter(pk=pk).first() if pk else None


def parts_of(process, step: str, round: int | None = None) -> list[CountersignPart]:
    """The parts of a step (of its latest round, unless one is given), in order."""
    parts = CountersignPart.objects.filter(process=process, step=step)
    if round is None:
        round = parts.aggregate(last=Max("round"))["last"]
    return list(parts.filter(round=round).select_related("unit", "participant", "on_behalf_of")
                .order_by("position"))


class StartActivation(SplitActivation):
    """Opens the parts of one round and creates the first task(s)."""

    @Activation.status.super()
    def activate(self):
        node = self.flow_task
        part_node = node._part_node
        seats = list(node._participants(self) or [])
        if not seats:
            raise FlowRuntimeError(f"No participants for the countersign {node.name}")
        mode = mode_for(part_node)
        last = (CountersignPart.objects.filter(process=self.process, step=part_node.name)
                .aggregate(last=Max("round"))["last"] or 0)
        # bulk_create sets the primary keys on PostgreSQL and SQLite (3.35+)
        parts = CountersignPart.objects.bulk_create([
            CountersignPart(
                process=self.process, step=part_node.name, round=last + 1, position=position,
                mode=mode, unit=seat if isinstance(seat, Unit) else None,
                participant=seat if isinstance(seat, User) else None)
            for position, seat in enumerate(seats, 1)
        ])
        first = parts[:1] if mode == Mode.SEQUENCE else parts
        self.next_tasks = [(part_node, {PART_KEY: part.pk}) for part in first]


class Start(nodes.Split):
    """Opens a countersign step: one part per participant (see the module's docstring)."""

    activation_class = StartActivation

    def __init__(self, participants, **kwargs):
        super().__init__(**kwargs)
        self._participants = participants
        self._part_node = None

    def Next(self, node, case=None):
        if self._activate_next:
            raise ValueError("A countersign start has one next node: its part node.")
        self._part_node = node
        return super().Next(node)

    def _resolve(self, instance):
        super()._resolve(instance)
        self._participants = this.resolve(instance, self._participants)
        self._part_node = this.resolve(instance, self._part_node)


class PartActivation(ViewActivation):
    """A participant's task: linked to its part; in sequence mode it hands on to the next."""

    @Activation.status.super()
    def create_next(self):
        part = part_of(self.task)
        following = None
        if part is not None and part.mode == Mode.SEQUENCE:
            following = (CountersignPart.objects.filter(
                process_id=part.process_id, step=part.step, round=part.round,
                position__gt=part.position, status=Status.PENDING, task__isnull=True)
                .order_by("position").first())
        if following is not None:
            yield self.flow_task._create(prev_activation=self, token=self.task.token,
                                         data={PART_KEY: following.pk})
        else:
            yield from super().create_next.original()


class PartView(ChainView):
    """The node of a participant's task. Its ``Assign`` callable gets the activation;
    ``part_of(activation.task)`` names the part (and its unit) to resolve the owner for."""

    activation_class = PartActivation

    def _resolve(self, instance):
        super()._resolve(instance)
        flow_hook = self._on_create

        def on_create(activation):
            link_task(activation)
            if flow_hook is not None:
                flow_hook(activation)

        self._on_create = on_create


def link_task(activation) -> CountersignPart:
    """The task was created and assigned: the part remembers it and its participant."""
    task = activation.task
    part = part_of(task)
    part.task = task
    part.participant = task.owner
    behalf = (task.data or {}).get("on_behalf_of")
    part.on_behalf_of_id = behalf
    part.save(update_fields=["task", "participant", "on_behalf_of"])
    return part


class CountersignJoinActivation(JoinActivation):
    def cancel_active_tasks(self, active_tasks):
        tasks = list(active_tasks)
        super().cancel_active_tasks(active_tasks)
        # the first to act decided (any mode): the others' parts are not needed
        CountersignPart.objects.filter(task__in=tasks, status=Status.PENDING).update(
            status=Status.NOT_NEEDED, acted_at=timezone.now())


def _decided(activation, active_tasks) -> bool:
    """In ``any`` mode the first part done completes the step."""
    return CountersignPart.objects.filter(
        task__in=activation.task.previous.all(), mode=Mode.ANY, status=Status.DONE).exists()


class Join(nodes.Join):
    """Waits for the parts: all of them (all, sequence) or the first (any)."""

    activation_class = CountersignJoinActivation

    def __init__(self, **kwargs):
        super().__init__(continue_on_condition=_decided, **kwargs)


def submit_part(*, task, by: User, text: str, target: Model) -> CountersignPart:
    """The participant writes their part; the caller completes the task. Audited on ``target``.

    Refused, with nothing changed, for anyone but the task's owner and for a part that is
    no longer pending.
    """
    part = CountersignPart.objects.select_for_update().filter(
        pk=(task.data or {}).get(PART_KEY)).first()
    if part is None:
        raise ValidationError(_("This task is not a part of a countersign."))
    if task.owner_id != by.pk:
        raise ValidationError(_("Only %(who)s writes this part.") % {"who": task.owner})
    if part.status != Status.PENDING:
        raise ValidationError(_("This part is already %(status)s; nothing was changed.")
                              % {"status": part.get_status_display()})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your part.")})
    part.status, part.text, part.acted_at = Status.DONE, text, timezone.now()
    part.participant = by
    part.on_behalf_of_id = (task.data or {}).get("on_behalf_of")
    part.save(update_fields=["status", "text", "acted_at", "participant", "on_behalf_of"])
    audit(actor=by, action="countersign.part", target=target, step=part.step,
          round=part.round, position=part.position, mode=part.mode,
          unit=part.unit.code if part.unit else None,
          on_behalf_of=part.on_behalf_of.username if part.on_behalf_of else None)
    return part


def progress(parts: list[CountersignPart]) -> tuple[int, int]:
    """(done, needed): in any mode one part is needed."""
    done = sum(1 for part in parts if part.status == Status.DONE)
    needed = 1 if parts and parts[0].mode == Mode.ANY else len(parts)
    return done, needed
