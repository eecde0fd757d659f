"""What every flow of the chain shares: row locks, assignees from the chain, record grants."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone
from viewflow.workflow import lock

from accounts import chain
from accounts.models import User
from records import kinds, notifications, permissions

from . import routing, steps


class ChainFlowMixin:
    """Mixed into each ``flow.Flow`` whose process moves one record (``record_model``, of
    the record kind ``record_kind``: records.kinds) along."""

    lock_impl = lock.select_for_update_lock
    record_model: type[Model]
    record_kind: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # the records layer asks the kind for its flow; it never imports the flows
        kinds.bind_flow(cls.record_kind, cls)

    @property
    def detail_url(self) -> str:
        return kinds.by_key(self.record_kind).detail_url

    def record_of(self, process) -> Model | None:
        # one row at most (process_id is unique): no ordering, no join for it
        return self.record_model.objects.filter(process_id=process.pk).order_by("pk").first()

    def status_of(self, process) -> str | None:
        """The record's status, fresh from the database: what the flow's switches ask."""
        return (self.record_model.objects.filter(process_id=process.pk).order_by("pk")
                .values_list("status", flat=True).first())

    def has_view_permission(self, user, obj=None):
        if obj is None:
            return user.is_authenticated
        record = self.record_of(obj)
        return record is not None and permissions.can_view(user, record)

    def task_due(self, activation, record):
        """The new task's deadline, as its owner is told it (the record's step deadline)."""
        return record.step_due

    def announce(self, activation) -> None:
        """Tell the new task's owner at once, in the app and by their channels (once per
        task: records.notifications.tasks_announce)."""
        task = activation.task
        if task.owner is None:
            return
        record = self.record_of(activation.process)
        notifications.tasks_announce([notifications.Announcement(
            owner=task.owner, record=record, task=task.pk, step=str(task.flow_task.task_title),
            url=task.flow_task.reverse("execute", args=[task.process_id, task.pk]),
            due=self.task_due(activation, record), on_behalf_of=on_behalf_of(task))])

    def assign(self, activation, assignee: chain.Assignee, level=None) -> User:
        """Give the task to the resolved person; remember for whom they act, and whom
        they replace by recusal (``level``: a flows.routing.Level)."""
        data = activation.task.data
        data["on_behalf_of"] = assignee.on_behalf_of.pk if assignee.on_behalf_of else None
        if level is not None:
            data["recused"] = level.as_data()
        if data.get("transferred") and activation.task.owner_id:
            # a transferred step stays with whoever took it over while they may act
            owner = User.objects.filter(pk=activation.task.owner_id, is_active=True).first()
            if owner is not None:
                data["on_behalf_of"] = None
                return owner
        return assignee.user

    # who holds each step's post today (ChainView.Holders: flows/qualification.py)

    def unit_head(self, record, task) -> list[User | None]:
        return [chain.head_of(record.unit)]

    def reviewers(self, record, task) -> list[User | None]:
        """Every level of the step's review by today's chain, and the secretary, who takes
        the step by recusal."""
        try:
            holders = routing.review_holders(record.unit, task.flow_task)
        except chain.ChainGap:
            holders = []
        return [*holders, chain.secretary()]

    def committee(self, record, task) -> list[User | None]:
        """The discipline committee, and the secretary, who verifies by recusal."""
        return [*chain.discipline_committee(), chain.secretary()]

    def assign_reviewer(self, activation) -> User:
        """The reviewer of the current level (逐级审核) of the step being created, recusal
        applied."""
        record = self.record_of(activation.process)
        index, levels = routing.current_level(record, activation.flow_task)
        activation.task.data["level"] = index + 1
        activation.task.data["levels"] = len(levels)
        return self.assign(activation, levels[index].assignee, levels[index])


def step_due(activation, record):
    """The deadline of the step just created, by its step's rule (flows/steps.py)."""
    step = steps.of(activation.flow_task)
    return step.deadline(record, timezone.localdate()) if step is not None else None


def on_behalf_of(task) -> User | None:
    pk = task.data.get("on_behalf_of")
    return User.objects.filter(pk=pk).first() if pk else None
