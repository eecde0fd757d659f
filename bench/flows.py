"""Bare viewflow: the quarterly report's steps and nothing of ours (no services, grants,
audit, deadlines, notifications, locks or custom views) — the benchmark's yardstick."""

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import UpdateProcessView

from accounts.models import User

from .models import BareProcess


class BareFlow(flow.Flow):
    process_class = BareProcess

    start = flow.StartHandle(this.start_process).Next(this.draft)
    draft = (flow.View(UpdateProcessView.as_view(fields=["text"]))
             .Assign(this.drafter).Next(this.review))
    review = (flow.View(UpdateProcessView.as_view(fields=["approved"]))
              .Assign(this.reviewer).Next(this.is_approved))
    is_approved = flow.If(this.approved).Then(this.end).Else(this.draft)
    end = flow.End()

    def start_process(self, activation, drafter: User, reviewer: User):
        activation.process.data = {"drafter": drafter.pk, "reviewer": reviewer.pk}
        activation.process.save()
        return activation.process

    def drafter(self, activation):
        return User.objects.get(pk=activation.process.data["drafter"])

    def reviewer(self, activation):
        return User.objects.get(pk=activation.process.data["reviewer"])

    def approved(self, activation):
        return activation.process.approved
