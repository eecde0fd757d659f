from django.core.management.base import BaseCommand

from demo.bureau import load_demo


class Command(BaseCommand):
    help = ("Load the demo urban-management bureau and its recent past, dated from today: the "
            "year's duty list and the records kept against it, last year's annual reports, the "
            "last two quarters' reports, the latest holiday spot check, and last year's "
            "year-end assessment and this year's (safe to run again).")

    def handle(self, *args, **options):
        from demo.history import load_demo_history
        from records.models import DutyRecord

        counts = {}
        played = load_demo_history(setup=lambda: counts.update(load_demo()), assessments=True)
        self.stdout.write(self.style.SUCCESS(
            "Demo bureau ready: {units} units, {users} users, {posts} posts, "
            "{oversights} oversights.".format(**counts)))
        if played["steps"]:
            self.stdout.write(self.style.SUCCESS(
                "Demo history played: {records} duty records, {annual} year of annual reports, "
                "{quarters} quarters of reports, {problems} problems of a spot check, {steps} "
                "steps on the working days before today, {assessments} year-end "
                "assessments.".format(records=DutyRecord.objects.count(), **played)))
        else:
            self.stdout.write(self.style.SUCCESS("Demo history already there."))
