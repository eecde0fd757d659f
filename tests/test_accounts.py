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
    actions = list(AuditEvent.objects.filter(target_type="accounts.user")
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
