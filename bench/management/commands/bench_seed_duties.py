"""Build the duty records' benchmark city: the org chart, this year's duty list and a year of
records (see bench/duties.py)."""


from django.core.management.base import BaseCommand, CommandError

from accounts.models import Unit
from bench.seed import settle


class Command(BaseCommand):
    help = ("Build the duty records' benchmark: units under bureaus, this year's 40-item duty "
            "list, and per-item × 40 records a unit (2,000,000 at 5,000 units).")

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=5000)
        parser.add_argument("--per-item", type=int, default=10,
                            help="records a year per unit and list item")

    def handle(self, *args, units, per_item, **options):
        from bench.duties import seed_duties

        if Unit.objects.exists():
            raise CommandError("The database already has units: seed an empty database "
                               "(e.g. `manage.py flush`) so the figures describe one city.")
        if units < 1 or per_item < 1:
            raise CommandError("--units and --per-item must be at least 1.")
        counts = seed_duties(units=units, per_item=per_item, log=self.stdout.write)
        settle(counts, "bench-duties-seed", self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Seeded: {counts}"))
