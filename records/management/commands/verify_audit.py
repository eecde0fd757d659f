from django.core.management.base import BaseCommand, CommandError

from records.audit import verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; report the first altered, inserted or removed event."

    def handle(self, *args, **options):
        checked, finding = verify()
        if finding:
            raise CommandError(f"Audit trail broken at event #{finding.event_id}: "
                               f"{finding.problem} ({checked} events before it are intact).")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events."))
