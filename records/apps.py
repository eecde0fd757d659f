from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Records")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            entries,  # noqa: F401  (the kinds of record: records.kinds)
            receivers,  # noqa: F401  (audits logins and account changes)
        )
