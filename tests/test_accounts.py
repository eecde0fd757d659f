"""Logging in: audited, locked after repeated failures, password rules enforced."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from records.models import AuditEvent


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_login_and_a_failed_one_are_both_audited(head_sanitation):
    client = Client()
    assert _login(client, "head_sanitation", "wrong").status_code == 200
    assert _login(client, "head_sanitation", "demo-pass-123").status_code == 302
    actions = list(AuditEvent.objects.filter(action__startswith="account.login")
                   .values_list("action", "ip"))
    assert actions == [("account.login_failed", "127.0.0.1"), ("account.login", "127.0.0.1")]


def test_five_failures_lock_the_account_even_for_the_right_password(head_sanitation, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "head_sanitation", "guess")
    locked = _login(client, "head_sanitation", "demo-pass-123")
    assert locked.status_code in (403, 429)
    assert "锁定" in locked.content.decode() or "locked" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked
    assert _login(Client(), "head_legal", "demo-pass-123").status_code == 302


def test_weak_passwords_are_refused(head_sanitation):
    for weak in ("12345678", "password", "head_sanitation1"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=head_sanitation)


def test_creating_an_account_and_changing_a_password_are_audited(head_sanitation):
    from accounts.models import User

    User.objects.create_user("new_head", password="Xq7-long-enough")
    head_sanitation.set_password("Another-long-pass-9")
    head_sanitation.save()
    head_sanitation.save()  # nothing changed: nothing recorded
    assert list(AuditEvent.objects.filter(action__in=["account.create",
                                                      "account.password_change"])
                .order_by("pk").values_list("action", "target_id"))[-2:] == [
        ("account.create", str(User.objects.get(username="new_head").pk)),
        ("account.password_change", str(head_sanitation.pk))]
