from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The pages people use: lists, records, the ledger, circulars, notifications."""

    name = "web"
    verbose_name = _("Pages")
