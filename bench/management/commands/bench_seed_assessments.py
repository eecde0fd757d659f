"""Build the assessment benchmark's city: the duty records' city, then this year's quarterly
reports and problems (see bench/assessments.py)."""


from django.core.management.base import BaseCommand, CommandError

from accounts.models import Unit
from bench.seed import settle


class Command(BaseCommand):
    help = ("Build the assessment benchmark: units under bureaus, this year's duty list and "
            "per-item × 40 records a unit, this year's quarterly reports and problems.")

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=5000)
        parser.add_argument("--per-item", type=int, default=10,
                            help="duty records a year per unit and list item")
        parser.add_argument("--problems", type=int, default=3,
                            help="problems a unit found this year")

    def handle(self, *args, units, per_item, problems, **options):
        from bench.assessments import seed_assessments

        if Unit.objects.exists():
            raise CommandError("The database already has units: seed an empty database "
                               "(e.g. `manage.py flush`) so the figures describe one city.")
        if units < 1 or per_item < 1 or problems < 0:
            raise CommandError("--units and --per-item must be at least 1, --problems 0 or "
                               "more.")
        counts = seed_assessments(units=units, per_item=per_item, problems=problems,
                                  log=self.stdout.write)
        settle(counts, "bench-assessments-seed", self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Seeded: {counts}"))
