"""The content of the knowledge base: vehicles, problems, faults, symptoms, procedures, FAQ.

Every model has a natural key, so fixtures name objects by slug rather than by database id:
they stay diffable and load idempotently on any database.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

# Slugs that would shadow the fixed URL segments under /<model>/.
RESERVED_SLUGS = frozenset(
    {"faq", "procedures", "generations", "diagnose", "faults", "search", "offline"}
)


def not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is a reserved URL word; choose another slug.", params={"value": value}
        )


def probability_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 1}),
        name=name,
        violation_error_message=f"{field} must be between 0 and 1.",
    )


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Make(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class VehicleModel(models.Model):
    make = models.ForeignKey(Make, on_delete=models.PROTECT, related_name="vehicle_models")
    slug = models.SlugField(unique=True, help_text="URL word, e.g. nissan-qashqai.")
    name = models.CharField(max_length=100, help_text="Without the make, e.g. Qashqai.")

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["make__name", "name"]
        verbose_name = "vehicle model"

    def __str__(self):
        return f"{self.make.name} {self.name}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("kb:vehicle", args=[self.slug])

    def generation_for_year(self, year: int):
        return self.generations.for_year(year).first()


class GenerationQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(Q(year_to__isnull=True) | Q(year_to__gte=year), year_from__lte=year)


class GenerationManager(models.Manager.from_queryset(GenerationQuerySet)):
    def get_by_natural_key(self, vehicle_model_slug, code):
        return self.get(vehicle_model__slug=vehicle_model_slug, code=code)


class Generation(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, related_name="generations"
    )
    code = models.SlugField(help_text="URL word, e.g. j11-facelift.")
    name = models.CharField(max_length=100, help_text="e.g. J11 (facelift).")
    year_from = models.PositiveSmallIntegerField()
    year_to = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while still in production."
    )
    is_facelift = models.BooleanField(default=False)

    objects = GenerationManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["vehicle_model", "year_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "code"], name="generation_code_unique_per_model"
            ),
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=F("year_from")),
                name="generation_years_in_order",
                violation_error_message="The last year cannot be before the first year.",
            ),
            models.CheckConstraint(
                condition=Q(year_from__gte=1886) & Q(year_from__lte=2100),
                name="generation_year_plausible",
                violation_error_message="The first year must be between 1886 and 2100.",
            ),
        ]

    def __str__(self):
        return f"{self.vehicle_model} {self.name}"

    def natural_key(self):
        return (*self.vehicle_model.natural_key(), self.code)

    natural_key.dependencies = ["kb.vehiclemodel"]

    @property
    def years(self) -> str:
        return f"{self.year_from}–{self.year_to or ''}"

    def get_absolute_url(self):
        return reverse("kb:generation", args=[self.vehicle_model.slug, self.code])


class Problem(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, related_name="problems"
    )
    slug = models.SlugField(validators=[not_reserved], help_text="URL word, e.g. trunk-wont-open.")
    title = models.CharField(max_length=150, help_text="As an owner says it: “Trunk won't open”.")
    summary = models.CharField(
        max_length=300, help_text="One or two sentences; the page's meta description."
    )
    introduction = models.TextField(help_text="Why it happens and how to go about it.")
    buyer_advice = models.TextField(blank=True, help_text="What to check when buying a used car.")
    emergency_procedure = models.ForeignKey(
        "Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emergency_for",
        help_text="Opened by “Get my things out now” on every step of the diagnosis.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class ProblemManager(models.Manager):
        def get_by_natural_key(self, vehicle_model_slug, slug):
            return self.get(vehicle_model__slug=vehicle_model_slug, slug=slug)

    objects = ProblemManager()

    class Meta:
        ordering = ["vehicle_model", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "slug"], name="problem_slug_unique_per_model"
            ),
        ]

    def __str__(self):
        return f"{self.vehicle_model}: {self.title}"

    def natural_key(self):
        return (*self.vehicle_model.natural_key(), self.slug)

    natural_key.dependencies = ["kb.vehiclemodel", "kb.procedure"]

    def get_absolute_url(self):
        return reverse("kb:problem", args=[self.vehicle_model.slug, self.slug])

    def get_diagnose_url(self):
        return reverse("diagnosis:wizard", args=[self.vehicle_model.slug, self.slug])


class RateLevel(models.Model):
    """A word of the fault-rate table (High, Average, Low, Neutral) and the prior it means."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    weight = models.FloatField(
        help_text="Relative prior weight of a fault at this level (only ratios matter)."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Higher means more frequent.")

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="rate_level_weight_positive",
                violation_error_message="A weight must be greater than 0.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class FaultGroup(models.Model):
    """A row of the fault-rate table ("Lock malfunction"), with its level per generation."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    in_rate_table = models.BooleanField(
        default=True,
        help_text="Shown as a row of the public fault-rate table. Off for the neutral group "
        "of faults the source table does not cover.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class FaultRateManager(models.Manager):
    def get_by_natural_key(self, group_slug, vehicle_model_slug, generation_code):
        return self.get(
            group__slug=group_slug,
            generation__vehicle_model__slug=vehicle_model_slug,
            generation__code=generation_code,
        )


class FaultRate(models.Model):
    group = models.ForeignKey(FaultGroup, on_delete=models.CASCADE, related_name="rates")
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="rates")
    level = models.ForeignKey(RateLevel, on_delete=models.PROTECT, related_name="rates")

    objects = FaultRateManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "generation"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "generation"], name="one_rate_per_group_and_generation"
            ),
        ]

    def __str__(self):
        return f"{self.group} in {self.generation.name}: {self.level}"

    def natural_key(self):
        return (*self.group.natural_key(), *self.generation.natural_key())

    natural_key.dependencies = ["kb.faultgroup", "kb.generation"]


class Fault(models.Model):
    class Category(models.TextChoices):
        ELECTRICAL = "electrical", "Electrical supply"
        SMART_KEY = "smart-key", "Smart Key"
        MECHANICAL = "mechanical", "Mechanical: handle and cable"
        LOCK = "lock", "Lock and drive"
        SOFTWARE = "software", "Software"
        BODY = "body", "Body and lid"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="faults")
    slug = models.SlugField(validators=[not_reserved])
    name = models.CharField(max_length=150, help_text="Short, in plain words.")
    summary = models.CharField(max_length=300, help_text="One sentence; the meta description.")
    description = models.TextField(help_text="How it happens and how it shows.")
    signs = models.TextField(
        blank=True, help_text="The signs as the source states them, one per line."
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    group = models.ForeignKey(
        FaultGroup,
        on_delete=models.PROTECT,
        related_name="faults",
        help_text="Its row of the fault-rate table, which gives its prior per generation.",
    )
    prior_factor = models.FloatField(
        default=1.0,
        help_text="Multiplies the group's rate for this fault; 1 leaves the table's level as is.",
    )
    procedures = models.ManyToManyField(
        "Procedure", blank=True, related_name="faults", help_text="What to do about it."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(m2m_fields=[procedures])

    class FaultManager(models.Manager):
        def get_by_natural_key(self, vehicle_model_slug, problem_slug, slug):
            return self.get(
                problem__vehicle_model__slug=vehicle_model_slug,
                problem__slug=problem_slug,
                slug=slug,
            )

    objects = FaultManager()

    class Meta:
        ordering = ["problem", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slug"], name="fault_slug_unique_per_problem"
            ),
            models.CheckConstraint(
                condition=Q(prior_factor__gt=0),
                name="fault_prior_factor_positive",
                violation_error_message="The prior factor must be greater than 0.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.problem.natural_key(), self.slug)

    natural_key.dependencies = ["kb.problem", "kb.faultgroup", "kb.procedure"]

    def get_absolute_url(self):
        problem = self.problem
        return reverse("kb:fault", args=[problem.vehicle_model.slug, problem.slug, self.slug])

    def sign_list(self) -> list[str]:
        return [line.strip() for line in self.signs.splitlines() if line.strip()]


class Symptom(models.Model):
    class Effort(models.IntegerChoices):
        GLANCE = 1, "Look or remember"
        CHECK = 2, "Try something at the car"
        TOOL = 3, "Needs a tool (multimeter)"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="symptoms")
    slug = models.SlugField()
    question = models.CharField(
        max_length=250, help_text="A yes/no question a non-mechanic can answer."
    )
    help_text = models.TextField(blank=True, help_text="How to find out; shown under the question.")
    statement = models.CharField(
        max_length=200,
        help_text="The answer “yes” as a short statement, used in explanations: "
        "“complete silence when you press the button”.",
    )
    effort = models.PositiveSmallIntegerField(choices=Effort.choices, default=Effort.GLANCE)
    p_yes_otherwise = models.FloatField(
        default=0.2,
        verbose_name="P(yes) for any other cause",
        help_text="How likely a “yes” is when the cause is a fault not listed for this symptom.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class SymptomManager(models.Manager):
        def get_by_natural_key(self, vehicle_model_slug, problem_slug, slug):
            return self.get(
                problem__vehicle_model__slug=vehicle_model_slug,
                problem__slug=problem_slug,
                slug=slug,
            )

    objects = SymptomManager()

    class Meta:
        ordering = ["problem", "order", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slug"], name="symptom_slug_unique_per_problem"
            ),
            probability_check("p_yes_otherwise", "symptom_p_yes_otherwise_is_probability"),
        ]

    def __str__(self):
        return self.question

    def natural_key(self):
        return (*self.problem.natural_key(), self.slug)

    natural_key.dependencies = ["kb.problem"]


class Likelihood(models.Model):
    """How likely a “yes” to the symptom's question is when this fault is the cause."""

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="likelihoods")
    symptom = models.ForeignKey(Symptom, on_delete=models.CASCADE, related_name="likelihoods")
    p_yes = models.FloatField(verbose_name="P(yes) for this fault")
    note = models.CharField(max_length=200, blank=True, help_text="Why this value (for editors).")

    history = HistoricalRecords()

    class LikelihoodManager(models.Manager):
        def get_by_natural_key(self, model_slug, problem_slug, fault_slug, symptom_slug):
            return self.get(
                fault__problem__vehicle_model__slug=model_slug,
                fault__problem__slug=problem_slug,
                fault__slug=fault_slug,
                symptom__slug=symptom_slug,
                symptom__problem__slug=problem_slug,
            )

    objects = LikelihoodManager()

    class Meta:
        ordering = ["fault", "symptom"]
        constraints = [
            models.UniqueConstraint(fields=["fault", "symptom"], name="one_likelihood_per_pair"),
            probability_check("p_yes", "likelihood_p_yes_is_probability"),
        ]

    def __str__(self):
        return f"{self.fault.slug} / {self.symptom.slug}: {self.p_yes}"

    def natural_key(self):
        return (*self.fault.natural_key(), self.symptom.slug)

    natural_key.dependencies = ["kb.fault", "kb.symptom"]

    def clean(self):
        if self.fault_id and self.symptom_id and self.fault.problem_id != self.symptom.problem_id:
            raise ValidationError({"symptom": "The symptom must belong to the fault's problem."})


class SafetyWarning(models.Model):
    """A danger the owner must know of, shown with the steps it applies to."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=150)
    text = models.TextField()

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = "warning"

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)


class Procedure(models.Model):
    class Kind(models.TextChoices):
        QUICK_CHECK = "quick-check", "Quick check"
        EMERGENCY = "emergency", "Emergency access"
        REPAIR = "repair", "Repair"
        MAINTENANCE = "maintenance", "Maintenance"

    class Difficulty(models.IntegerChoices):
        EASY = 1, "Easy: anyone"
        MODERATE = 2, "Moderate: basic tools"
        HARD = 3, "Hard: best left to a workshop"

    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, related_name="procedures"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300, help_text="One sentence; the meta description.")
    introduction = models.TextField(blank=True)
    tools = models.TextField(blank=True, help_text="One tool or material per line.")
    tips = models.TextField(blank=True, help_text="Practical advice, one per line.")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices)
    time_min_minutes = models.PositiveIntegerField()
    time_max_minutes = models.PositiveIntegerField()
    interval = models.CharField(
        max_length=100, blank=True, help_text="For maintenance: how often, e.g. every six months."
    )
    currency = models.CharField(max_length=3, default="RUB", help_text="ISO 4217 code.")
    part_original_min = models.PositiveIntegerField(null=True, blank=True)
    part_original_max = models.PositiveIntegerField(null=True, blank=True)
    part_analogue_min = models.PositiveIntegerField(null=True, blank=True)
    part_analogue_max = models.PositiveIntegerField(null=True, blank=True)
    labour_min = models.PositiveIntegerField(null=True, blank=True)
    labour_max = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower comes first: from the simplest check to the most complex."
    )

    history = HistoricalRecords()

    class ProcedureManager(models.Manager):
        def get_by_natural_key(self, vehicle_model_slug, slug):
            return self.get(vehicle_model__slug=vehicle_model_slug, slug=slug)

    objects = ProcedureManager()

    class Meta:
        ordering = ["vehicle_model", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "slug"], name="procedure_slug_unique_per_model"
            ),
            models.CheckConstraint(
                condition=Q(time_max_minutes__gte=F("time_min_minutes")),
                name="procedure_time_range_in_order",
                violation_error_message="The longest time cannot be below the shortest.",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{low}__isnull": True})
                    | Q(**{f"{high}__isnull": True})
                    | Q(**{f"{high}__gte": F(low)}),
                    name=f"procedure_{low.removesuffix('_min')}_range_in_order",
                    violation_error_message="A price range's maximum cannot be below its minimum.",
                )
                for low, high in [
                    ("part_original_min", "part_original_max"),
                    ("part_analogue_min", "part_analogue_max"),
                    ("labour_min", "labour_max"),
                ]
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (*self.vehicle_model.natural_key(), self.slug)

    natural_key.dependencies = ["kb.vehiclemodel"]

    def get_absolute_url(self):
        return reverse("kb:procedure", args=[self.vehicle_model.slug, self.slug])

    def tool_list(self) -> list[str]:
        return [line.strip() for line in self.tools.splitlines() if line.strip()]

    def tip_list(self) -> list[str]:
        return [line.strip() for line in self.tips.splitlines() if line.strip()]

    @property
    def has_costs(self) -> bool:
        return any(
            value is not None
            for value in (self.part_original_min, self.part_analogue_min, self.labour_min)
        )


class StepManager(models.Manager):
    def get_by_natural_key(self, vehicle_model_slug, procedure_slug, number):
        return self.get(
            procedure__vehicle_model__slug=vehicle_model_slug,
            procedure__slug=procedure_slug,
            number=number,
        )


class Step(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    text = models.TextField()
    warning = models.ForeignKey(
        SafetyWarning,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        help_text="Shown with this step, where the danger is.",
    )

    objects = StepManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="step_number_unique_per_procedure"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="step_number_from_one",
                violation_error_message="Steps are numbered from 1.",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.procedure.natural_key(), self.number)

    natural_key.dependencies = ["kb.procedure", "kb.safetywarning"]


class FaqEntry(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel, on_delete=models.CASCADE, related_name="faq_entries"
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="faq_entries"
    )
    slug = models.SlugField()
    question = models.CharField(max_length=250)
    answer = models.TextField()
    procedures = models.ManyToManyField(Procedure, blank=True, related_name="faq_entries")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(m2m_fields=[procedures])

    class FaqManager(models.Manager):
        def get_by_natural_key(self, vehicle_model_slug, slug):
            return self.get(vehicle_model__slug=vehicle_model_slug, slug=slug)

    objects = FaqManager()

    class Meta:
        ordering = ["vehicle_model", "order"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "slug"], name="faq_slug_unique_per_model"
            ),
        ]

    def __str__(self):
        return self.question

    def natural_key(self):
        return (*self.vehicle_model.natural_key(), self.slug)

    natural_key.dependencies = ["kb.vehiclemodel", "kb.problem", "kb.procedure"]

    def get_absolute_url(self):
        return reverse("kb:faq", args=[self.vehicle_model.slug]) + f"#{self.slug}"


# The models whose change must invalidate compiled content and cached pages.
CONTENT_MODELS = (
    Make,
    VehicleModel,
    Generation,
    Problem,
    RateLevel,
    FaultGroup,
    FaultRate,
    Fault,
    Symptom,
    Likelihood,
    SafetyWarning,
    Procedure,
    Step,
    FaqEntry,
)
