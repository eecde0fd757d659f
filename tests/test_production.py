"""Production settings pass Django's deployment checks and refuse to start without a key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.production",
                   "ALLOWED_HOSTS": "dutychain.example.gov.cn", **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, timeout=120,
                            env={**environment, "DJANGO_SETTINGS_MODULE": "config.production"},
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    short = _manage("check", SECRET_KEY="short")
    assert short.returncode != 0 and "50 characters" in short.stderr


def test_production_pages_carry_a_content_security_policy():
    script = ("from django.test import Client; from django.conf import settings;"
              "settings.ALLOWED_HOSTS=['testserver'];"
              "r = Client().get('/accounts/login/', secure=True);"
              "print(r.status_code); print(r.headers.get('Content-Security-Policy'))")
    result = _manage("shell", "-c", script, SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode == 0, result.stderr
    assert "default-src 'self'" in result.stdout and "frame-ancestors 'none'" in result.stdout


def test_a_machine_without_secret_key_gets_its_own_random_key(settings):
    import pytest

    from config.settings import VAR_DIR

    if os.environ.get("SECRET_KEY"):
        pytest.skip("SECRET_KEY is set in this environment")
    key = (VAR_DIR / "secret-key").read_text().strip()
    assert len(key) >= 50 and "insecure" not in settings.SECRET_KEY
