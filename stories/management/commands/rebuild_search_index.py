from django.core.management.base import BaseCommand
from django.db import transaction

from stories.search import documents_rebuild
from stories.services import facet_counts_update, skill_story_counts_update


class Command(BaseCommand):
    help = (
        "Rewrites the search index of every published story and recounts each skill's published stories and the "
        "filters' counts. Saves keep all three in step on their own; run this after restoring a database from a dump "
        "or after changing stories with raw SQL."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            count = documents_rebuild()
            skill_story_counts_update()
            facet_counts_update()
        self.stdout.write(f"Search index, skill story counts and facet counts rebuilt: {count} published stories.")
