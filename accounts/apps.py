from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation chart")

    def ready(self):
        from . import signals  # noqa: F401 - a new version of the chart on every change
