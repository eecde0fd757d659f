"""What every flow of the chain shares: row locks, assignees from the chain, record grants."""

from __future__ import annotations

from django.db.models import Model
from viewflow.workflow import lock

from accounts import chain
from accounts.models import User
from records import permissions

from . import routing


class ChainFlowMixin:
    """Mixed into each ``flow.Flow`` whose process moves one record (``record_model``) along."""

    lock_impl = lock.select_for_update_lock
    record_model: type[Model]

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
        node = task.flow_task
        key = f"{type(self).__name__.removesuffix('Flow').lower()}.{node.name}"
        try:
            holders = routing.review_holders(record.unit, key)
        except chain.ChainGap:
            holders = []
        return [*holders, chain.secretary()]

    def committee(self, record, task) -> list[User | None]:
        """The discipline committee, and the secretary, who verifies by recusal."""
        return [*chain.discipline_committee(), chain.secretary()]

    def assign_reviewer(self, activation, step: str) -> User:
        """The reviewer of the current level (逐级审核), recusal applied."""
        record = self.record_of(activation.process)
        index, levels = routing.current_level(record, step)
        activation.task.data["level"] = index + 1
        activation.task.data["levels"] = len(levels)
        return self.assign(activation, levels[index].assignee, levels[index])


def on_behalf_of(task) -> User | None:
    pk = task.data.get("on_behalf_of")
    return User.objects.filter(pk=pk).first() if pk else None
