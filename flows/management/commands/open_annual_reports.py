"""Open the leaders' annual reports by hand (beat does it every January:
flows.tasks.open_annual_reports_if_due)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from flows.opening import open_annual_reports


class Command(BaseCommand):
    help = ("Open the annual report of every member of each leadership group, as of the first "
            "working day of the next January (default: last year).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)

    def handle(self, *args, year=None, **options):
        this_year = timezone.localdate().year
        year = year or this_year - 1
        if not 2000 <= year < this_year:
            raise CommandError(_("The year must be a year that has ended, from 2000 to "
                                 "%(year)s.") % {"year": this_year - 1})
        opened, problems = open_annual_reports(year=year)
        for problem in problems:
            self.stderr.write(self.style.WARNING(problem))
        self.stdout.write(self.style.SUCCESS(f"{year}: opened {opened} annual report(s)."))
