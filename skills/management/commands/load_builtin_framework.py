from django.core.management.base import BaseCommand

from skills.services import framework_load_builtin


class Command(BaseCommand):
    help = "Loads the built-in lightweight skills framework, or brings it up to date (safe to run again)."

    def handle(self, *args, **options) -> None:
        framework = framework_load_builtin()
        self.stdout.write(f"{framework}: {framework.skills.count()} skills, strengths and categories.")
