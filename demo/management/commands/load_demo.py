from django.core.management.base import BaseCommand

from demo.bureau import load_demo


class Command(BaseCommand):
    help = "Load the demo urban-management bureau and its problem list (safe to run again)."

    def handle(self, *args, **options):
        from demo.problems import load_demo_problems

        counts = load_demo()
        self.stdout.write(self.style.SUCCESS(
            "Demo bureau ready: {units} units, {users} users, {posts} posts, "
            "{oversights} oversights.".format(**counts)))
        registered = load_demo_problems()
        self.stdout.write(self.style.SUCCESS(
            f"Demo problem list: {registered} problem(s) registered." if registered
            else "Demo problem list already there."))
