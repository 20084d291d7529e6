"""The partnership's roles: shared vocabulary for every app's policies."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Partnership administrator"
    REVIEW_OFFICER = "review_officer", "Review officer"
    REVIEW_GROUP_MEMBER = "review_group_member", "Practice review group member"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    EXECUTIVE = "executive", "Executive member"
    TRAINER = "trainer", "Trainer"
    PRACTITIONER = "practitioner", "Practitioner"

    @property
    def slug(self) -> str:
        """The role as it appears in addresses: ``review-officer``."""
        return {
            "administrator": "partnership-administrator",
            "review_group_member": "practice-review-group-member",
            "executive": "executive-member",
        }.get(self.value, self.value.replace("_", "-"))
