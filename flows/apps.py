from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = _("Flows")

    def ready(self):
        from . import (
            quarterly,  # noqa: F401  (each flow binds itself to its kind of record)
            rectification,  # noqa: F401
            signals,  # noqa: F401  (connects the org-chart receivers)
        )
