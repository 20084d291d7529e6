"""Each decided recommendation and each action gets the history its current values imply,
with the best date known, so the figures as at an earlier date read the same before and
after this is deployed:

- a decision is dated by the audit trail's latest change of it (the day, in UK time); when
  that change created the recommendation (an import or the add form), or there is none, by
  the day the recommendation was made. Never before the made date.
- an action's statuses are its progress updates' changes of status (each on its date), then
  its current status: complete on its completed date; closed without completion on its
  closed date, or the made date when none was recorded (imports give none); an open status
  not yet in the history on its last change's day.
"""

import datetime

from django.db import migrations
from django.utils import timezone

BATCH = 1000


def _decision_dates(AuditEvent):
    """The UK day of each recommendation's latest audited change of its decision, or None
    when that change created the recommendation."""
    latest = {}
    events = (
        AuditEvent.objects.filter(object_type="learning.recommendation")
        .order_by("occurred_at", "id")
        .values_list("object_id", "kind", "occurred_at", "changes")
    )
    for object_id, kind, occurred_at, changes in events.iterator():
        if isinstance(changes, dict) and "decision" in changes:
            latest[object_id] = None if kind == "create" else timezone.localdate(occurred_at)
    return latest


def carry_over(apps, schema_editor):
    Recommendation = apps.get_model("learning", "Recommendation")
    RecommendationDecision = apps.get_model("learning", "RecommendationDecision")
    Action = apps.get_model("learning", "Action")
    ActionStatusChange = apps.get_model("learning", "ActionStatusChange")
    ProgressUpdate = apps.get_model("learning", "ProgressUpdate")
    AuditEvent = apps.get_model("core", "AuditEvent")

    dated = _decision_dates(AuditEvent)
    decisions = []
    for rec in Recommendation.objects.exclude(decision="").order_by("pk").iterator():
        day = dated.get(str(rec.pk))
        decisions.append(
            RecommendationDecision(
                recommendation_id=rec.pk,
                decision=rec.decision,
                reason=rec.decision_reason,
                decided_on=max(day, rec.made_date) if day else rec.made_date,
                recorded_at=rec.updated_at,
            )
        )
    RecommendationDecision.objects.bulk_create(decisions, batch_size=BATCH)

    updates: dict[int, list[tuple[str, datetime.date]]] = {}
    for action_id, status, on in (
        ProgressUpdate.objects.order_by("id").values_list("action_id", "status", "on").iterator()
    ):
        updates.setdefault(action_id, []).append((status, on))
    changes: list[object] = []
    actions = Action.objects.select_related("recommendation").order_by("pk")
    for action in actions.iterator(chunk_size=BATCH):
        made = action.recommendation.made_date
        rows = []
        status = "not_started"
        for new_status, on in updates.get(action.pk, []):
            if new_status != status:
                rows.append((new_status, on))
                status = new_status
        if action.status == "complete":
            rows.append(("complete", action.completed_date))
        elif action.status == "closed_incomplete":
            rows.append(("closed_incomplete", action.closed_date or made))
        elif action.status != status:
            rows.append((action.status, max(timezone.localdate(action.updated_at), made)))
        changes.extend(
            ActionStatusChange(
                action_id=action.pk,
                status=row_status,
                on=on,
                via="carried_over",
                recorded_at=action.updated_at,
            )
            for row_status, on in rows
        )
        if len(changes) >= BATCH:
            ActionStatusChange.objects.bulk_create(changes)
            changes = []
    ActionStatusChange.objects.bulk_create(changes)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_append_only_triggers"),
        ("learning", "0009_recommendation_decisions"),
    ]

    # Going back, the history tables are dropped by 0009's reversal.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
