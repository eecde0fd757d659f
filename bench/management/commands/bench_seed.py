"""Build a city for the benchmark through the real services and flows (see bench/seed.py)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Unit


class Command(BaseCommand):
    help = "Build a benchmark city: units under bureaus, years of reports and problems."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=50)
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--problems-per-unit", type=int, default=10)
        parser.add_argument("--sweep-days", type=int, default=3)

    def handle(self, *args, units, years, problems_per_unit, sweep_days, **options):
        from bench.seed import seed

        if Unit.objects.exists():
            raise CommandError("The database already has units: seed an empty database "
                               "(e.g. `manage.py flush`) so the figures describe one city.")
        if units < 1 or years < 1:
            raise CommandError("--units and --years must be at least 1.")
        counts = seed(units=units, years=years, problems_per_unit=problems_per_unit,
                      sweep_days=sweep_days, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # a million rows just written: have the planner's statistics and the visibility
            # map ready now, as autovacuum would within minutes, rather than racing the
            # measurements that follow (a vacuum under way made one page's p95 3.7 × its
            # median)
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"vacuumed and analysed ({time.monotonic() - started:.0f}s)")
        # bench/run.py reports how long the city took to build
        record = Path(settings.VAR_DIR) / "bench-seed.json"
        record.parent.mkdir(exist_ok=True)
        record.write_text(json.dumps({**counts, "years": years}))
        self.stdout.write(self.style.SUCCESS(f"Seeded: {counts}"))
