from typing import Any

from sightline.hub.services.search import search_index_rebuild


def seed(*, password: str, stdout: Any) -> None:
    """Index whatever the areas before have published, so the demo's search finds it."""
    count = search_index_rebuild()
    stdout.write(f"  hub search index: {count} items\n")
