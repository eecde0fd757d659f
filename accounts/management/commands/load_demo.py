from django.core.management.base import BaseCommand

from accounts.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo urban-management bureau (safe to run again)."

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(self.style.SUCCESS(
            "Demo bureau ready: {units} units, {users} users, {posts} posts, "
            "{oversights} oversights.".format(**counts)))
