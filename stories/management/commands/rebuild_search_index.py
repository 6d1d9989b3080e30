from django.core.management.base import BaseCommand
from django.db import transaction

from stories.search import documents_rebuild


class Command(BaseCommand):
    help = (
        "Rewrites the search index of every published story. Saves keep it in step on their own; run this after "
        "restoring a database from a dump or after changing stories with raw SQL."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            count = documents_rebuild()
        self.stdout.write(f"Search index rebuilt: {count} published stories.")
