from django.core.management.base import BaseCommand

from reflection.demo import storyteller_demo_open, toolkit_demo_load
from stories.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Loads the demo organisation, accounts, the demo employee's plan and the demo storyteller's openness to "
        "conversations. Safe to run again: data is kept."
    )

    def handle(self, *args, **options) -> None:
        created = demo_load()
        plan = toolkit_demo_load()
        storyteller_demo_open()
        self.stdout.write(
            f"Demo content: {created['stories']} new stories, {created['storytellers']} new storytellers, "
            f"{created['opportunities']} new opportunities"
            + (", and the demo employee's plan (shared with the demo manager)." if plan else ".")
        )
        self.stdout.write(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {account.first_name} {account.last_name}, {account.role}")
