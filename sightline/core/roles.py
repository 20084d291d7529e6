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
    def summary(self) -> str:
        """What someone with the role may do, in a sentence (the hint on "Add a role")."""
        return ROLE_SUMMARIES[self]

    @property
    def slug(self) -> str:
        """The role as it appears in addresses: ``review-officer``."""
        return {
            "administrator": "partnership-administrator",
            "review_group_member": "practice-review-group-member",
            "executive": "executive-member",
        }.get(self.value, self.value.replace("_", "-"))


ROLE_SUMMARIES = {
    Role.ADMINISTRATOR: "Runs Sightline for the partnership: sees and changes everything, "
    "including users, agencies, settings, the audit trail and the access log.",
    Role.REVIEW_OFFICER: "Runs case reviews: adds cases, records milestones and decisions, sees "
    "every case and its restricted details, and keeps the learning tracker.",
    Role.REVIEW_GROUP_MEMBER: "Follows the cases involving their agency, timeliness and the "
    "learning from reviews; sees a case's restricted details only when added to it.",
    Role.AGENCY_LEAD: "Speaks for their agency: sees its cases, updates its learning actions, "
    "makes its dissemination and audit returns, and sees who holds which role in it.",
    Role.EXECUTIVE: "Oversees the partnership: sees every case, the reports, the risk register "
    "and the Executive pack; accepts risks and records how the priorities are going.",
    Role.TRAINER: "Runs multi-agency training: writes courses, schedules sessions, marks "
    "registers and sees evaluations and the training report.",
    Role.PRACTITIONER: "Books multi-agency training, evaluates it and downloads certificates; "
    "sees no case reviews unless added to a case.",
}
