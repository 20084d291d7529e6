"""The learning report's cached figures follow the records they are counted from."""

from typing import Any

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from sightline.core.services import figures_changed

from .selectors import LEARNING_FIGURES


def learning_records_changed(sender: Any, **kwargs: Any) -> None:
    """Any save or deletion of a learning record (by the services or not), of an agency (its
    name) or of a case (its reference, a recommendation's source) gives the learning
    report's inputs a new version. Writes in bulk call ``figures_changed`` themselves."""
    figures_changed(LEARNING_FIGURES)


def connect() -> None:
    """Every save of a learning record, an agency or a case; deletions only of actions and
    recommendations (a receiver on a model's deletions makes Django fetch each row a bulk
    delete removes, and the import, the one place evidence is deleted, marks the change
    itself)."""
    saved = [
        *apps.get_app_config("learning").get_models(),
        apps.get_model("accounts", "Agency"),
        apps.get_model("reviews", "Case"),
    ]
    for sender in saved:
        post_save.connect(
            learning_records_changed, sender=sender, dispatch_uid=f"learning.saved.{sender}"
        )
    for sender in (
        apps.get_model("learning", "Action"),
        apps.get_model("learning", "Recommendation"),
    ):
        post_delete.connect(
            learning_records_changed, sender=sender, dispatch_uid=f"learning.deleted.{sender}"
        )
