"""Confirmed fixes: owners' reports from the wizard, workshops' from the admin, and the
per-problem switch that lets them refine the priors (reports/learning.py).

No report stores who sent it: no address, no account, no cookie.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kb.models import Fault, Generation, Likelihood, Problem

from .learning import MIN_STRENGTH, NEW_WEIGHT_MAX

OTHER_TEXT_MAX = 500
ANSWERS_MAX = 2048  # diagnosis.query.MAX_QUERY_LENGTH: no valid URL state is longer
MILEAGE_MAX = 2_000_000
YEAR_MIN, YEAR_MAX = 1950, 2100


def _mileage_validators():
    return [MaxValueValidator(MILEAGE_MAX)]


def _year_validators():
    return [MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]


class OwnerReport(models.Model):
    """“Did this fix it?”, answered by an owner after a diagnosis or on a repair card."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        VERIFIED = "verified", _("Verified")
        SPAM = "spam", _("Spam")

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="owner_reports", verbose_name=_("problem")
    )
    generation = models.ForeignKey(
        Generation,
        on_delete=models.CASCADE,
        related_name="owner_reports",
        verbose_name=_("generation"),
    )
    answers = models.CharField(
        max_length=ANSWERS_MAX,
        blank=True,
        help_text=_("The answers given, as in the wizard's URL (symptom:y,symptom:n,…)."),
        verbose_name=_("answers"),
    )
    ranking = models.JSONField(
        default=list,
        help_text=_(
            "The ranking the owner saw: [fault slug, probability] best first, "
            "recomputed on the server from the answers."
        ),
        verbose_name=_("ranking"),
    )
    fault = models.ForeignKey(
        Fault,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="owner_reports",
        help_text=_("The cause it turned out to be; empty for “something else”."),
        verbose_name=_("fault"),
    )
    other_text = models.CharField(
        _("something else"),
        max_length=OTHER_TEXT_MAX,
        blank=True,
        help_text=_("In the owner's words."),
    )
    model_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_year_validators(), verbose_name=_("model year")
    )
    mileage = models.PositiveIntegerField(
        _("mileage (km)"), null=True, blank=True, validators=_mileage_validators()
    )
    content_version = models.CharField(max_length=40, blank=True, verbose_name=_("content version"))
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.NEW,
        help_text=_(
            "Spam counts nowhere; verified counts with the problem's verified weight; new "
            "(not reviewed) with the weight of an unreviewed report, 0 unless staff raise it."
        ),
        verbose_name=_("status"),
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("received"))

    history = HistoricalRecords(excluded_fields=["ranking"])

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("owner report")
        verbose_name_plural = _("owner reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fault__isnull=False) | ~models.Q(other_text=""),
                name="owner_report_names_a_cause",
            )
        ]

    def __str__(self):
        cause = self.fault.name if self.fault_id else f"something else: {self.other_text[:60]}"
        return f"{self.generation.code}: {cause} ({self.created:%Y-%m-%d})"


class WorkshopReport(models.Model):
    """A repair a workshop confirmed, recorded by staff; it counts with the workshop weight."""

    generation = models.ForeignKey(
        Generation,
        on_delete=models.PROTECT,
        related_name="workshop_reports",
        verbose_name=_("generation"),
    )
    fault = models.ForeignKey(
        Fault,
        on_delete=models.PROTECT,
        related_name="workshop_reports",
        help_text=_("The fault the workshop found and fixed."),
        verbose_name=_("fault"),
    )
    model_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_year_validators(), verbose_name=_("model year")
    )
    mileage = models.PositiveIntegerField(
        _("mileage (km)"), null=True, blank=True, validators=_mileage_validators()
    )
    answers = models.CharField(
        max_length=ANSWERS_MAX,
        blank=True,
        help_text=_(
            "Optional: the symptoms as the wizard writes them, e.g. "
            "no-sound-on-press:y,car-electrics-weak:n. They feed the likelihood check."
        ),
        verbose_name=_("answers"),
    )
    workshop = models.CharField(
        max_length=150, blank=True, help_text=_("Who repaired it."), verbose_name=_("workshop")
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    created = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("recorded"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("workshop report")
        verbose_name_plural = _("workshop reports")

    def __str__(self):
        return f"{self.generation.code}: {self.fault.name} ({self.workshop or 'workshop'})"

    @property
    def problem(self):
        return self.fault.problem

    def clean(self):
        if self.fault_id and self.generation_id:
            model_id = self.fault.problem.vehicle_model_id
            if self.generation.vehicle_model_id != model_id:
                raise ValidationError(
                    {"generation": _("The generation must be of the fault's vehicle model.")}
                )


class PriorLearning(models.Model):
    """Whether confirmed fixes refine a problem's priors, and how strongly they count."""

    problem = models.OneToOneField(
        Problem, on_delete=models.CASCADE, related_name="learning", verbose_name=_("problem")
    )
    enabled = models.BooleanField(
        _("learning on"),
        default=False,
        help_text=_("Off: the priors are the fault-rate table's, whatever the reports say."),
    )
    strength = models.FloatField(
        default=50.0,
        validators=[MinValueValidator(MIN_STRENGTH), MaxValueValidator(1_000_000)],
        help_text=_(
            "How many reports the fault-rate table is worth. 50: fifty confirmed fixes "
            "move the priors halfway from the table towards what the reports say."
        ),
        verbose_name=_("strength of the table"),
    )
    verified_weight = models.FloatField(
        default=2.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How many owner reports a verified owner report counts as."),
        verbose_name=_("weight of a verified report"),
    )
    workshop_weight = models.FloatField(
        default=5.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How many owner reports a workshop report counts as."),
        verbose_name=_("weight of a workshop report"),
    )
    new_weight = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(NEW_WEIGHT_MAX)],
        help_text=_(
            "How many owner reports an unreviewed owner report counts as: 0 (nothing until "
            "staff verify it) unless raised, at most 0.2, as anyone can send one "
            "(docs/content.md)."
        ),
        verbose_name=_("weight of an unreviewed report"),
    )
    # Kept current by reports.signals: {generation id: {fault id: {owner|verified|workshop: n}}},
    # so compiling the content reads it in the problem's own query (no extra SQL query).
    counts = models.JSONField(default=dict, blank=True, editable=False, verbose_name=_("counts"))

    history = HistoricalRecords(excluded_fields=["counts"])

    class Meta:
        verbose_name = _("prior learning")
        verbose_name_plural = _("prior learning")

    def __str__(self):
        if self.enabled:
            return gettext("%(problem)s: learning on") % {"problem": self.problem}
        return gettext("%(problem)s: learning off") % {"problem": self.problem}


class LikelihoodCheck(Likelihood):
    """The likelihoods as the admin compares them with the answers in reports."""

    class Meta:
        proxy = True
        verbose_name = _("likelihood vs reports")
        verbose_name_plural = _("likelihoods vs reports")
