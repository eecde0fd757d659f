"""Open a quarter's reports by hand (beat does it each morning: flows.tasks.open_quarter_if_due)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from flows.opening import open_quarter
from records.services.calendar import opening_waits_for
from records.services.reports import validate_period
from records.workdays import last_finished_quarter


class Command(BaseCommand):
    help = "Open the quarterly report of every active unit (default: the last finished quarter)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--quarter", type=int)

    def handle(self, *args, year=None, quarter=None, **options):
        default_year, default_quarter = last_finished_quarter(timezone.localdate())
        year, quarter = year or default_year, quarter or default_quarter
        try:
            validate_period(year, quarter)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        # the reports' deadlines would be counted over a year whose holidays are unknown
        waiting = opening_waits_for(year=year, quarter=quarter)
        if waiting:
            years = "、".join(str(y) for y in waiting)
            raise CommandError(_(
                "Not opened: the deadlines of %(year)s Q%(quarter)s run into %(years)s, whose "
                "holiday arrangement has not been entered. Enter the State Council's notice "
                "for %(years)s on the admin's working-day calendar page "
                "(/admin/records/workdayoverride/calendar/), then run this again.")
                % {"year": year, "quarter": quarter, "years": years})
        opened, problems = open_quarter(year=year, quarter=quarter)
        for problem in problems:
            self.stderr.write(self.style.WARNING(problem))
        self.stdout.write(self.style.SUCCESS(
            f"{year} Q{quarter}: opened {opened} report(s)."))
