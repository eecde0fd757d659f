"""When the org chart changes, re-derive grants in the background, and end the sessions
of people whose post has ended."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import Delegation, Oversight, Post, Unit
from records.audit import audit
from records.services.accounts import account_sign_out_if_postless


def enqueue_rederive(unit_ids: set[int]) -> None:
    from .tasks import rederive_grants

    if unit_ids:
        ids = sorted(unit_ids)
        transaction.on_commit(lambda: rederive_grants.delay(ids))


def audit_chart_change(instance, created: bool) -> None:
    """Every org-chart change is an audit event, with the period after the change."""
    from records.audit import current_user

    user = current_user.get()
    fields = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    audit(actor=user if user is not None and user.is_authenticated else None,
          action=f"orgchart.{instance._meta.model_name}.{'create' if created else 'change'}",
          target=instance, after=fields)


@receiver(post_save, sender=Unit)
def unit_changed(sender, instance: Unit, created, **kwargs):
    audit_chart_change(instance, created)


@receiver(post_save, sender=Post)
def post_changed(sender, instance: Post, created, **kwargs):
    from .grants import subtree

    audit_chart_change(instance, created)
    enqueue_rederive(subtree({instance.unit_id}))
    if instance.valid_to and instance.valid_to < timezone.localdate():
        account_sign_out_if_postless(user=instance.user, reason="post ended", post=instance.pk)


@receiver(post_save, sender=Oversight)
def oversight_changed(sender, instance: Oversight, created, **kwargs):
    from .grants import subtree

    audit_chart_change(instance, created)
    enqueue_rederive(subtree({instance.unit_id}))


@receiver(post_save, sender=Delegation)
def delegation_changed(sender, instance: Delegation, created, **kwargs):
    from .grants import units_of_people

    audit_chart_change(instance, created)
    enqueue_rederive(units_of_people({instance.absent_id, instance.acting_id}))
