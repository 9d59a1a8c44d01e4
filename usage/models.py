"""Daily usage counts, flushed from the cache by `manage.py flush_usage` (never by a request).

Content is named by slug, not by foreign key: a count stays readable after staff rename or
delete a question, and counting needs no database lookup.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    """How often one thing happened on one day (UTC): see usage/events.py for the kinds."""

    class Kind(models.TextChoices):
        START = "start", _("wizard started")
        ANSWER = "answer", _("question answered")
        SHOWN = "shown", _("question shown")
        RESULT = "result", _("result reached")

    day = models.DateField(verbose_name=_("day"))
    kind = models.CharField(max_length=10, choices=Kind, verbose_name=_("kind"))
    problem = models.CharField(
        max_length=201, help_text=_("<model slug>/<problem slug>"), verbose_name=_("problem")
    )
    generation = models.CharField(max_length=100, verbose_name=_("generation"))
    question = models.CharField(
        max_length=100, blank=True, help_text=_("symptom or group slug"), verbose_name=_("question")
    )
    answer = models.CharField(
        max_length=1, blank=True, help_text=_("y, n or u"), verbose_name=_("answer")
    )
    fault = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("the top cause of a result"),
        verbose_name=_("fault"),
    )
    count = models.PositiveBigIntegerField(default=0, verbose_name=_("count"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "problem", "generation", "question", "answer", "fault"],
                name="usage_one_count_per_day_and_event",
            )
        ]
        indexes = [models.Index(fields=["day", "kind"])]
        verbose_name = _("daily usage count")
        verbose_name_plural = _("daily usage counts")

    def __str__(self):
        parts = [self.problem, self.generation, self.question, self.answer, self.fault]
        return f"{self.day} {self.kind} {' '.join(p for p in parts if p)}: {self.count}"


class FlushedBatch(models.Model):
    """A batch of counts taken from Redis and written here, by its name: written in the same
    transaction as its counts, so a flush interrupted after the commit never adds a batch
    twice."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    flushed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("flushed at"))

    class Meta:
        verbose_name = _("flushed batch")
        verbose_name_plural = _("flushed batches")

    def __str__(self):
        return self.name
