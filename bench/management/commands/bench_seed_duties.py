"""Build the duty records' benchmark city: the org chart, this year's duty list and a year of
records (see bench/duties.py)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Unit


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
        if connection.vendor == "postgresql":
            # millions of rows just written: the planner's statistics and the visibility
            # map now, as autovacuum would within minutes, rather than racing the
            # measurements that follow
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            counts["seconds"]["vacuum"] = round(time.monotonic() - started, 1)
            self.stdout.write(f"vacuumed and analysed ({counts['seconds']['vacuum']:.0f}s)")
        record = Path(settings.VAR_DIR) / "bench-duties-seed.json"
        record.parent.mkdir(exist_ok=True)
        record.write_text(json.dumps(counts))
        self.stdout.write(self.style.SUCCESS(f"Seeded: {counts}"))
