"""System assurance. For now, the strategic plan's priorities, which training courses and
(later) the plan's action plans and measures hang from."""

from django.db import models
from django.db.models.functions import Lower


class Priority(models.Model):
    """One of the partnership's strategic priorities, such as safeguarding under 1s."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(Lower("name"), name="priority_name_unique_ci")]

    def __str__(self) -> str:
        return self.name
