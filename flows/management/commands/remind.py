from django.core.management.base import BaseCommand

from flows.reminders import sweep


class Command(BaseCommand):
    help = "Run today's reminder and escalation sweep now (Celery beat also runs it)."

    def handle(self, *args, **options):
        counts = sweep()
        self.stdout.write(self.style.SUCCESS(
            "Reminders sent: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none")))
