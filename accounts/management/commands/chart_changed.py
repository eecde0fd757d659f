from django.core.management.base import BaseCommand

from accounts import chain


class Command(BaseCommand):
    help = ("Give the org chart a new version, after changing it outside the app (in SQL): "
            "every web process asks the database again.")

    def handle(self, *args, **options):
        chain.chart_changed()
        self.stdout.write(self.style.SUCCESS(f"The org chart's version is now "
                                             f"{chain.version()}."))
