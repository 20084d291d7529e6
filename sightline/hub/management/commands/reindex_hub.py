"""sightline reindex_hub: make the learning hub's search index again from every approved item."""

from typing import Any

from django.core.management.base import BaseCommand

from sightline.hub.services.search import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the learning hub's search index from every approved item."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_index_rebuild()
        self.stdout.write(f"The hub's search index holds {count} items.")
