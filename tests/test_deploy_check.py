"""`manage.py check --deploy` passes under the production settings on a bare machine.

A bare machine has Python, git and make and no system packages: no Chinese font for the
approval sheet's PDF, which then uses reportlab's built-in one (records/documents/sheet_pdf.py). The
README's production recipe runs the check; CI installs the fonts, so the test that matters
there hides them. Each run keeps its state in a temporary VAR_DIR, not the checkout's var/.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = ("check", "--deploy", "--fail-level", "WARNING")


def _production(tmp_path, *args):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DUTYCHAIN_PDF_FONT", "DEBUG")}
    environment.update(DJANGO_SETTINGS_MODULE="config.production",
                       SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
                       ALLOWED_HOSTS="x",
                       VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_on_this_machine(tmp_path):
    result = _production(tmp_path, *CHECK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_passes_without_any_chinese_font(tmp_path):
    """What a bare machine sees, even where CI has installed the fonts."""
    script = ("from django.core.management import call_command; from records.documents import sheet_pdf as sheets;"
              f"sheets.DEFAULT_PDF_FONTS = ({str(tmp_path / 'wqy-zenhei.ttc')!r},);"
              "assert sheets.pdf_font_path() is None;"
              f"call_command(*{CHECK!r})")
    result = _production(tmp_path, "shell", "-c", script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

