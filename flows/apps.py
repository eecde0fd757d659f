from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = _("Flows")

    def ready(self):
        from django.utils.module_loading import import_string

        from records import kinds

        from . import signals  # noqa: F401  (connects the org-chart receivers)

        # each kind of record names its flow (records/entries.py); the flow binds itself
        for kind in kinds.all_kinds():
            import_string(kind.flow_path)
