"""The content of the knowledge base: vehicles, problems, faults, symptoms, procedures, FAQ.

Every model has a natural key, so fixtures name objects by slug rather than by database id:
they stay diffable and load idempotently on any database.

The models whose texts owners read in English and Russian get their language columns and
their history in kb/translation.py (history must be registered after the columns exist); the
others declare ``history`` here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .exact_json import ExactEncoder

# Slugs that would shadow the fixed URL segments under /<model>/.
RESERVED_SLUGS = frozenset(
    {"faq", "procedures", "generations", "diagnose", "faults", "search", "offline"}
)


def not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is a reserved URL word; choose another slug."), params={"value": value}
        )


def probability_validators(label: str) -> list:
    """Checked on the field, so the form shows the error beside it with its label."""
    # %% for the validator's params; lazy, so the admin shows it in the staff member's language
    message = format_lazy(_("{label} must be between 0 %% and 100 %%."), label=label)
    return [MinValueValidator(0, message), MaxValueValidator(1, message)]


def probability_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 1}),
        name=name,
        violation_error_message=format_lazy(_("{field} must be between 0 and 1."), field=field),
    )


class NaturalKeyManager(models.Manager):
    """Finds an object by its natural key, as fixtures name it.

    Each model says in `NATURAL_KEY` which lookups its natural key's parts are, in order; its
    `natural_key()` returns the values in that order.
    """

    def get_by_natural_key(self, *values):
        lookups = self.model.NATURAL_KEY
        if len(values) != len(lookups):
            raise self.model.DoesNotExist(
                f"{self.model._meta.label} is named by {len(lookups)} values, not {values!r}"
            )
        return self.get(**dict(zip(lookups, values, strict=True)))


class Source(models.TextChoices):
    """Where a fact comes from: owners see "estimate" beside what the article does not state."""

    ARTICLE = "article", _("The article")
    ESTIMATE = "estimate", _("Editor's estimate")


@dataclass(frozen=True, slots=True)
class Cost:
    """One price range of a procedure, e.g. the original part at 15,000–25,000."""

    kind: str  # the fields' stem: part_original, part_analogue or labour
    label: str
    low: int
    high: int  # equal to low when the content gives one price

    @property
    def is_part(self) -> bool:
        return self.kind != "labour"


COST_KINDS = (
    ("part_original", _("Original part")),
    ("part_analogue", _("Aftermarket part")),
    ("labour", _("Labor")),
)
PRICE_FIELDS = tuple(f"{kind}_{end}" for kind, _ in COST_KINDS for end in ("min", "max"))


def cost_ranges(read: Callable[[str], int | None]) -> tuple[Cost, ...]:
    """The price ranges a procedure gives, reading its fields with `read` (an attribute of a
    model instance or a key of a `values()` row): the one place a range is made."""
    costs = []
    for kind, label in COST_KINDS:
        low, high = read(f"{kind}_min"), read(f"{kind}_max")
        if low is not None:
            costs.append(Cost(kind, str(label), low, high if high is not None else low))
    return tuple(costs)


class Effort(models.IntegerChoices):
    """What answering a question asks of the owner; the wizard weighs questions by it."""

    GLANCE = 1, _("Look or remember")
    CHECK = 2, _("Try something at the car")
    TOOL = 3, _("Needs a tool (multimeter)")


class Make(models.Model):
    slug = models.SlugField(
        unique=True,
        help_text=_("URL word, e.g. nissan. Lower case, words joined by hyphens."),
        verbose_name=_("slug"),
    )
    name = models.CharField(
        max_length=100, help_text=_("As owners write it, e.g. Nissan."), verbose_name=_("name")
    )

    NATURAL_KEY = ("slug",)
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("make")
        verbose_name_plural = _("makes")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class VehicleModel(models.Model):
    make = models.ForeignKey(
        Make,
        on_delete=models.PROTECT,
        related_name="vehicle_models",
        help_text=_("Its maker."),
        verbose_name=_("make"),
    )
    slug = models.SlugField(
        unique=True, help_text=_("URL word, e.g. nissan-qashqai."), verbose_name=_("slug")
    )
    name = models.CharField(
        max_length=100, help_text=_("Without the make, e.g. Qashqai."), verbose_name=_("name")
    )

    NATURAL_KEY = ("slug",)
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["make__name", "name"]
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")

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


class GenerationManager(NaturalKeyManager.from_queryset(GenerationQuerySet)):
    pass


class Generation(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="generations",
        help_text=_("The model this generation belongs to."),
        verbose_name=_("vehicle model"),
    )
    code = models.SlugField(help_text=_("URL word, e.g. j11-facelift."), verbose_name=_("code"))
    name = models.CharField(
        max_length=100, help_text=_("e.g. J11 (facelift)."), verbose_name=_("name")
    )
    year_from = models.PositiveSmallIntegerField(
        help_text=_(
            "First model year it was sold; the wizard maps an owner's year to a generation."
        ),
        verbose_name=_("first year"),
    )
    year_to = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Empty while still in production."),
        verbose_name=_("last year"),
    )
    is_facelift = models.BooleanField(
        default=False,
        help_text=_("Tick for a facelift of the generation before; shown as such to owners."),
        verbose_name=_("facelift"),
    )

    NATURAL_KEY = ("vehicle_model__slug", "code")
    objects = GenerationManager()

    class Meta:
        ordering = ["vehicle_model", "year_from"]
        verbose_name = _("generation")
        verbose_name_plural = _("generations")
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "code"], name="generation_code_unique_per_model"
            ),
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=F("year_from")),
                name="generation_years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
            models.CheckConstraint(
                condition=Q(year_from__gte=1886) & Q(year_from__lte=2100),
                name="generation_year_plausible",
                violation_error_message=_("The first year must be between 1886 and 2100."),
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


class ProblemQuerySet(models.QuerySet):
    def published(self):
        """What owners see: published, with at least one fault. Publishing is refused without
        one (kb.validation.readiness), but the faults of a published problem can be deleted
        since; its pages then leave the home page and the sitemap with its wizard (a 404)."""
        has_a_fault = models.Exists(Fault.objects.filter(problem=models.OuterRef("pk")))
        return self.filter(is_published=True).filter(has_a_fault)


class Problem(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="problems",
        help_text=_("The car this problem is about."),
        verbose_name=_("vehicle model"),
    )
    slug = models.SlugField(
        validators=[not_reserved],
        help_text=_("URL word, e.g. trunk-wont-open."),
        verbose_name=_("slug"),
    )
    title = models.CharField(
        max_length=150,
        help_text=_("As an owner says it: “Trunk won't open”."),
        verbose_name=_("title"),
    )
    summary = models.CharField(
        max_length=300,
        help_text=_("One or two sentences; the page's meta description."),
        verbose_name=_("summary"),
    )
    introduction = models.TextField(
        help_text=_("Why it happens and how to go about it."), verbose_name=_("introduction")
    )
    buyer_advice = models.TextField(
        blank=True,
        help_text=_("What to check when buying a used car."),
        verbose_name=_("advice for buyers"),
    )
    emergency_procedure = models.ForeignKey(
        "Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emergency_for",
        help_text=_("Opened by “Get my things out now” on every step of the diagnosis."),
        verbose_name=_("emergency procedure"),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "Off while you build it: a draft is seen only by staff (the wizard works for "
            "you, with a “draft” banner) and is absent from public pages, the sitemap, search and "
            "the API. Tick it when the content check shows no finding for this problem."
        ),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first in lists of the model's problems."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("vehicle_model__slug", "slug")
    objects = NaturalKeyManager.from_queryset(ProblemQuerySet)()

    class Meta:
        ordering = ["vehicle_model", "order", "title"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        # kb/addresses.py: the slugs and codes in public URLs, once public, are a lead's
        permissions = [("change_public_address", _("Can change the address of a public page"))]
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

    @property
    def is_draft(self) -> bool:
        return not self.is_published

    @staticmethod
    def of(obj) -> "Problem | None":
        """The problem whose diagnosis an object takes part in, if it belongs to one."""
        match obj:
            case Problem():
                return obj
            case Fault() | Symptom() | QuestionGroup():
                return obj.problem
            case Likelihood():
                return obj.fault.problem
        # an app above kb whose object belongs to a problem (diagnosis's test cases)
        problem = getattr(obj, "problem", None)
        return problem if isinstance(problem, Problem) else None


class RateLevel(models.Model):
    """A word of the fault-rate table (High, Average, Low, Neutral) and the prior it means."""

    slug = models.SlugField(
        unique=True, help_text=_("Its name for fixtures, e.g. high."), verbose_name=_("slug")
    )
    name = models.CharField(
        max_length=50,
        help_text=_("The word of the fault-rate table, e.g. High."),
        verbose_name=_("name"),
    )
    weight = models.FloatField(
        help_text=_("Relative prior weight of a fault at this level (only ratios matter)."),
        verbose_name=_("weight"),
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text=_("Higher means more frequent."), verbose_name=_("order")
    )

    NATURAL_KEY = ("slug",)
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["-order"]
        verbose_name = _("rate level")
        verbose_name_plural = _("rate levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="rate_level_weight_positive",
                violation_error_message=_("A weight must be greater than 0."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class FaultGroup(models.Model):
    """A fault type: a row of the fault-rate table ("Lock malfunction"), with its level per
    generation."""

    slug = models.SlugField(
        unique=True,
        help_text=_("Its name for fixtures and links, e.g. lock-malfunction."),
        verbose_name=_("slug"),
    )
    name = models.CharField(
        max_length=100,
        help_text=_("The row of the fault-rate table, e.g. Lock malfunction."),
        verbose_name=_("name"),
    )
    in_rate_table = models.BooleanField(
        default=True,
        help_text=_(
            "Shown as a row of the public fault-rate table. Off for the neutral group "
            "of faults the source table does not cover."
        ),
        verbose_name=_("in the fault-rate table"),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first in the public fault-rate table."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("slug",)
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("fault type")
        verbose_name_plural = _("fault types")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class FaultRate(models.Model):
    group = models.ForeignKey(
        FaultGroup,
        on_delete=models.CASCADE,
        related_name="rates",
        help_text=_("The fault type (row of the fault-rate table)."),
        verbose_name=_("fault type"),
    )
    generation = models.ForeignKey(
        Generation,
        on_delete=models.CASCADE,
        related_name="rates",
        help_text=_("The generation (column of the table)."),
        verbose_name=_("generation"),
    )
    level = models.ForeignKey(
        RateLevel,
        on_delete=models.PROTECT,
        related_name="rates",
        help_text=_(
            "How often this type of fault happens in this generation: sets the "
            "starting likelihood of its faults."
        ),
        verbose_name=_("level"),
    )

    NATURAL_KEY = ("group__slug", "generation__vehicle_model__slug", "generation__code")
    objects = NaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "generation"]
        verbose_name = _("fault rate")
        verbose_name_plural = _("fault rates")
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
        ELECTRICAL = "electrical", _("Electrical supply")
        SMART_KEY = "smart-key", _("Smart Key")
        MECHANICAL = "mechanical", _("Mechanical: handle and cable")
        LOCK = "lock", _("Lock and drive")
        SOFTWARE = "software", _("Software")
        BODY = "body", _("Body and lid")

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="faults",
        help_text=_(
            "The problem this is a cause of. Its questions and likelihoods must be of "
            "the same problem."
        ),
        verbose_name=_("problem"),
    )
    slug = models.SlugField(
        validators=[not_reserved],
        help_text=_("URL word, made from the name; keep it once public (links use it)."),
        verbose_name=_("slug"),
    )
    name = models.CharField(
        max_length=150, help_text=_("Short, in plain words."), verbose_name=_("name")
    )
    short_name = models.CharField(
        max_length=60,
        blank=True,
        help_text=_(
            "A noun phrase for the wizard's headings and lists, the report form and the print "
            "view, e.g. “Weak 12 V battery”. Empty: the name is used."
        ),
        verbose_name=_("short name"),
    )
    summary = models.CharField(
        max_length=300,
        help_text=_("One sentence; the meta description."),
        verbose_name=_("summary"),
    )
    description = models.TextField(
        help_text=_("How it happens and how it shows."), verbose_name=_("description")
    )
    signs = models.TextField(
        blank=True,
        help_text=_("The signs as the source states them, one per line."),
        verbose_name=_("signs"),
    )
    category = models.CharField(
        max_length=20,
        choices=Category.choices,
        help_text=_("The heading it is listed under on the problem page."),
        verbose_name=_("category"),
    )
    group = models.ForeignKey(
        FaultGroup,
        on_delete=models.PROTECT,
        related_name="faults",
        help_text=_("Its row of the fault-rate table, which gives its prior per generation."),
        verbose_name=_("fault type"),
    )
    share = models.FloatField(
        default=1.0,
        validators=[
            MinValueValidator(0, _("A share must be greater than 0 and at most 1.")),
            MaxValueValidator(1, _("A share must be greater than 0 and at most 1.")),
        ],
        help_text=_(
            "This fault's part of its type's rate in this problem, from 0 to 1. The "
            "shares of one type's faults add up to 1 (the content check says when they do not): "
            "the table rates the type, and the shares divide that rate among its faults."
        ),
        verbose_name=_("share"),
    )
    procedures = models.ManyToManyField(
        "Procedure",
        blank=True,
        related_name="faults",
        help_text=_("What to do about it."),
        verbose_name=_("procedures"),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first in lists of the problem's causes."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("problem__vehicle_model__slug", "problem__slug", "slug")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["problem", "order", "name"]
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slug"], name="fault_slug_unique_per_problem"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1),
                name="fault_share_within_type",
                violation_error_message=_("A share must be greater than 0 and at most 1."),
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
    Effort = Effort  # kept reachable as Symptom.Effort

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="symptoms",
        help_text=_("The problem whose diagnosis asks this question."),
        verbose_name=_("problem"),
    )
    slug = models.SlugField(
        help_text=_(
            "URL word of the question (answers in links use it), made from its key "
            "words; keep it once public."
        ),
        verbose_name=_("slug"),
    )
    question = models.CharField(
        max_length=250,
        help_text=_("A yes/no question a non-mechanic can answer."),
        verbose_name=_("question"),
    )
    help_text = models.TextField(
        blank=True,
        help_text=_("How to find out; shown under the question."),
        verbose_name=_("help text"),
    )
    statement = models.CharField(
        max_length=200,
        help_text=_(
            "The answer “yes” as a short statement, used in explanations: "
            "“complete silence when you press the button”."
        ),
        verbose_name=_("statement"),
    )
    effort = models.PositiveSmallIntegerField(
        choices=Effort.choices,
        default=Effort.GLANCE,
        help_text=_(
            "What answering asks of the owner; the wizard asks easy questions first "
            "when they tell as much."
        ),
        verbose_name=_("effort"),
    )
    group = models.ForeignKey(
        "QuestionGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        help_text=_(
            "Set when this symptom is one answer of a question whose answers exclude "
            "each other; it is then asked only as an option of that question."
        ),
        verbose_name=_("question with exclusive answers"),
    )
    option_label = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Its button when asked as an option of its group, e.g. “Complete silence”."),
        verbose_name=_("option label"),
    )
    p_yes_otherwise = models.FloatField(
        default=0.2,  # for scripts; the admin's add form makes the editor choose
        verbose_name=_("how often “yes” with any other cause"),
        validators=probability_validators(_("How often “yes” with any other cause")),
        help_text=_(
            "Of 100 cars with this problem whose cause has no likelihood for this "
            "question, how many owners would answer “yes”. Low (rarely) makes a “yes” strong "
            "evidence for the causes that have one; near the causes' own values makes the "
            "question tell little."
        ),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first when two questions are equally useful."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("problem__vehicle_model__slug", "problem__slug", "slug")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["problem", "order", "slug"]
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
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

    natural_key.dependencies = ["kb.problem", "kb.questiongroup"]

    def clean(self):
        if self.group_id and self.problem_id and self.group.problem_id != self.problem_id:
            raise ValidationError({"group": _("The question must belong to the same problem.")})
        if self.problem_id and QuestionGroup.objects.filter(
            problem=self.problem_id, slug=self.slug
        ):
            raise ValidationError({"slug": _("A question group of this problem has this slug.")})


class QuestionGroup(models.Model):
    """One question whose answers exclude each other; each answer is a member symptom.

    "What happens when you press the open button?": complete silence / the motor clicks but
    the lid stays. Asked as one question with its members as options plus "none of these" and
    "don't know", and scored as one answer, so no evidence counts twice. In URLs an option is
    still written as its member symptoms: `member:y` and `other-member:n`.
    """

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="question_groups",
        help_text=_("The problem whose diagnosis asks this question."),
        verbose_name=_("problem"),
    )
    slug = models.SlugField(
        help_text=_("Must differ from every symptom's slug in the problem."), verbose_name=_("slug")
    )
    question = models.CharField(
        max_length=250,
        help_text=_("The question, asked in plain words."),
        verbose_name=_("question"),
    )
    help_text = models.TextField(
        blank=True,
        help_text=_("How to find out; shown under the question."),
        verbose_name=_("help text"),
    )
    none_label = models.CharField(
        max_length=120,
        default="None of these",
        help_text=_("The option that says no member applies."),
        verbose_name=_("“none of these” label"),
    )
    effort = models.PositiveSmallIntegerField(
        choices=Effort.choices,
        default=Effort.GLANCE,
        help_text=_("What answering asks of the owner; the wizard asks easy questions first."),
        verbose_name=_("effort"),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first when two questions are equally useful."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("problem__vehicle_model__slug", "problem__slug", "slug")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["problem", "order", "slug"]
        verbose_name = _("question with exclusive answers")
        verbose_name_plural = _("questions with exclusive answers")
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slug"], name="question_group_slug_unique_per_problem"
            ),
        ]

    def __str__(self):
        return self.question

    def natural_key(self):
        return (*self.problem.natural_key(), self.slug)

    natural_key.dependencies = ["kb.problem"]

    def clean(self):
        if self.problem_id and Symptom.objects.filter(problem=self.problem_id, slug=self.slug):
            raise ValidationError({"slug": _("A symptom of this problem already has this slug.")})


class Likelihood(models.Model):
    """How likely a “yes” to the symptom's question is when this fault is the cause."""

    fault = models.ForeignKey(
        Fault,
        on_delete=models.CASCADE,
        related_name="likelihoods",
        help_text=_("The cause."),
        verbose_name=_("fault"),
    )
    symptom = models.ForeignKey(
        Symptom,
        on_delete=models.CASCADE,
        related_name="likelihoods",
        help_text=_("The question, of the same problem as the cause."),
        verbose_name=_("symptom"),
    )
    p_yes = models.FloatField(
        verbose_name=_("how often “yes” with this cause"),
        validators=probability_validators(_("How often “yes” with this cause")),
        help_text=_(
            "Of 100 cars where this fault is the cause, how many owners would answer "
            "the question “yes”. Far above the question's value for other causes, a “yes” points "
            "to this fault and a “no” away from it; far below, the reverse."
        ),
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Why this value (for editors)."),
        verbose_name=_("note"),
    )

    history = HistoricalRecords()

    NATURAL_KEY = (
        "fault__problem__vehicle_model__slug",
        "fault__problem__slug",
        "fault__slug",
        "symptom__slug",
    )
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["fault", "symptom"]
        verbose_name = _("likelihood")
        verbose_name_plural = _("likelihoods")
        constraints = [
            models.UniqueConstraint(fields=["fault", "symptom"], name="one_likelihood_per_pair"),
            probability_check("p_yes", "likelihood_p_yes_is_probability"),
        ]

    def __str__(self):
        # In words, as the admin and the content check name it: the cause, then the "yes".
        return f"{self.fault.name} — {self.symptom.statement}: {self.p_yes * 100:.4g} %"

    def natural_key(self):
        return (*self.fault.natural_key(), self.symptom.slug)

    natural_key.dependencies = ["kb.fault", "kb.symptom"]

    def clean(self):
        if self.fault_id and self.symptom_id and self.fault.problem_id != self.symptom.problem_id:
            raise ValidationError({"symptom": _("The symptom must belong to the fault's problem.")})


class SafetyWarning(models.Model):
    """A danger the owner must know of, shown with the steps it applies to."""

    slug = models.SlugField(
        unique=True,
        help_text=_("Its name for fixtures, e.g. battery-terminal."),
        verbose_name=_("slug"),
    )
    title = models.CharField(
        max_length=150,
        help_text=_("The danger in a few words, e.g. Disconnect the battery first."),
        verbose_name=_("title"),
    )
    text = models.TextField(
        help_text=_("What can happen and how to avoid it, in plain words."), verbose_name=_("text")
    )

    NATURAL_KEY = ("slug",)
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)


class Procedure(models.Model):
    class Kind(models.TextChoices):
        QUICK_CHECK = "quick-check", _("Quick check")
        EMERGENCY = "emergency", _("Emergency access")
        REPAIR = "repair", _("Repair")
        MAINTENANCE = "maintenance", _("Maintenance")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("Easy: anyone")
        MODERATE = 2, _("Moderate: basic tools")
        HARD = 3, _("Hard: best left to a workshop")

    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="procedures",
        help_text=_("The car this procedure is for."),
        verbose_name=_("vehicle model"),
    )
    slug = models.SlugField(
        help_text=_("URL word, made from the title; keep it once public."), verbose_name=_("slug")
    )
    title = models.CharField(
        max_length=150,
        help_text=_("What the owner does, e.g. Replace the trunk fuse."),
        verbose_name=_("title"),
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        help_text=_("Quick check, emergency access, repair or maintenance: where it is listed."),
        verbose_name=_("kind"),
    )
    summary = models.CharField(
        max_length=300,
        help_text=_("One sentence; the meta description."),
        verbose_name=_("summary"),
    )
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ESTIMATE,
        help_text=_("Where the procedure as a whole comes from."),
        verbose_name=_("source"),
    )
    introduction = models.TextField(
        blank=True,
        help_text=_("Why and when to do it; shown above the steps."),
        verbose_name=_("introduction"),
    )
    tools = models.TextField(
        blank=True, help_text=_("One tool or material per line."), verbose_name=_("tools")
    )
    tips = models.TextField(
        blank=True, help_text=_("Practical advice, one per line."), verbose_name=_("tips")
    )
    difficulty = models.PositiveSmallIntegerField(
        choices=Difficulty.choices,
        help_text=_("Who can do it: shown to owners so they know when to go to a workshop."),
        verbose_name=_("difficulty"),
    )
    time_min_minutes = models.PositiveIntegerField(
        help_text=_("Shortest time it takes, in minutes."), verbose_name=_("shortest time (min)")
    )
    time_max_minutes = models.PositiveIntegerField(
        help_text=_("Longest time it takes, in minutes."), verbose_name=_("longest time (min)")
    )
    time_source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ESTIMATE,
        help_text=_("Where the time comes from; owners see “estimate” unless it is the article."),
        verbose_name=_("source of the time"),
    )
    interval = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("For maintenance: how often, e.g. every six months."),
        verbose_name=_("interval"),
    )
    currency = models.CharField(
        max_length=3, default="RUB", help_text=_("ISO 4217 code."), verbose_name=_("currency")
    )
    cost_source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ESTIMATE,
        help_text=_("Where the prices come from; owners see “estimate” unless it is the article."),
        verbose_name=_("source of the prices"),
    )
    part_original_min = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Lowest price of the original part (empty when no part is needed)."),
        verbose_name=_("original part from"),
    )
    part_original_max = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Highest price of the original part (empty when one price)."),
        verbose_name=_("original part up to"),
    )
    part_analogue_min = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Lowest price of an analogue part."),
        verbose_name=_("aftermarket part from"),
    )
    part_analogue_max = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Highest price of an analogue part."),
        verbose_name=_("aftermarket part up to"),
    )
    labour_min = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Lowest workshop price for the work."),
        verbose_name=_("labor from"),
    )
    labour_max = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Highest workshop price for the work."),
        verbose_name=_("labor up to"),
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Lower comes first: from the simplest check to the most complex."),
        verbose_name=_("order"),
    )

    NATURAL_KEY = ("vehicle_model__slug", "slug")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["vehicle_model", "order", "title"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle_model", "slug"], name="procedure_slug_unique_per_model"
            ),
            models.CheckConstraint(
                condition=Q(time_max_minutes__gte=F("time_min_minutes")),
                name="procedure_time_range_in_order",
                violation_error_message=_("The longest time cannot be below the shortest."),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{low}__isnull": True})
                    | Q(**{f"{high}__isnull": True})
                    | Q(**{f"{high}__gte": F(low)}),
                    name=f"procedure_{low.removesuffix('_min')}_range_in_order",
                    violation_error_message=_(
                        "A price range's maximum cannot be below its minimum."
                    ),
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
    def costs(self) -> tuple[Cost, ...]:
        return cost_ranges(lambda name: getattr(self, name))

    @property
    def has_costs(self) -> bool:
        return bool(self.costs)

    # Owners see "estimate" beside what the source article does not state.
    @property
    def is_estimate(self) -> bool:
        return self.source == Source.ESTIMATE

    @property
    def time_is_estimate(self) -> bool:
        return self.time_source == Source.ESTIMATE

    @property
    def costs_are_estimate(self) -> bool:
        return self.has_costs and self.cost_source == Source.ESTIMATE

    def has_estimates(self, steps=None) -> bool:
        """Whether a page showing this procedure (and `steps`, if given) shows an estimate."""
        return (
            self.is_estimate
            or self.time_is_estimate
            or self.costs_are_estimate
            or any(step.is_estimate for step in steps or ())
        )


class Step(models.Model):
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="steps",
        help_text=_("The procedure this step is part of."),
        verbose_name=_("procedure"),
    )
    number = models.PositiveSmallIntegerField(
        help_text=_("Its place in the procedure; filled in and renumbered for you."),
        verbose_name=_("number"),
    )
    title = models.CharField(
        max_length=150,
        help_text=_("The step in a few words, e.g. Remove the trim."),
        verbose_name=_("title"),
    )
    text = models.TextField(help_text=_("What to do, in plain words."), verbose_name=_("text"))
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ESTIMATE,
        help_text=_("Where this step comes from; owners see “estimate” unless it is the article."),
        verbose_name=_("source"),
    )
    warning = models.ForeignKey(
        SafetyWarning,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        help_text=_("Shown with this step, where the danger is."),
        verbose_name=_("warning"),
    )

    NATURAL_KEY = ("procedure__vehicle_model__slug", "procedure__slug", "number")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["procedure", "number"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="step_number_unique_per_procedure"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="step_number_from_one",
                violation_error_message=_("Steps are numbered from 1."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (*self.procedure.natural_key(), self.number)

    natural_key.dependencies = ["kb.procedure", "kb.safetywarning"]

    @property
    def is_estimate(self) -> bool:
        return self.source == Source.ESTIMATE


class FaqEntry(models.Model):
    vehicle_model = models.ForeignKey(
        VehicleModel,
        on_delete=models.CASCADE,
        related_name="faq_entries",
        help_text=_("The car this question is about."),
        verbose_name=_("vehicle model"),
    )
    problem = models.ForeignKey(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_entries",
        help_text=_(
            "The problem it belongs to, if any (it is hidden while the problem is a draft)."
        ),
        verbose_name=_("problem"),
    )
    slug = models.SlugField(
        help_text=_("Anchor of the answer in links, made from the question."),
        verbose_name=_("slug"),
    )
    question = models.CharField(
        max_length=250, help_text=_("As an owner asks it."), verbose_name=_("question")
    )
    answer = models.TextField(help_text=_("A short, plain answer."), verbose_name=_("answer"))
    procedures = models.ManyToManyField(
        Procedure,
        blank=True,
        related_name="faq_entries",
        help_text=_("Procedures the answer points to."),
        verbose_name=_("procedures"),
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text=_("Lower comes first on the FAQ page."), verbose_name=_("order")
    )

    NATURAL_KEY = ("vehicle_model__slug", "slug")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ["vehicle_model", "order"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
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


# The fields that hold a probability (0 to 1); history pages show them as words and %.
PROBABILITIES = frozenset({"p_yes", "p_yes_otherwise", "share", "value"})


class ProbabilityWord(models.Model):
    """A word editors choose a probability by ("usually") and the value it stands for.

    Tuned by a content lead. Likelihoods keep the number chosen, so changing a word's value
    changes the choice offered from then on, not the likelihoods already saved.
    """

    # Unique in each language (Meta), not as one column: a unique field would give its
    # uniqueness to each language's column of the history too, where a word repeats.
    word = models.CharField(max_length=40, help_text=_("e.g. usually."), verbose_name=_("word"))
    value = models.FloatField(
        validators=probability_validators(_("The value")),
        help_text=_("What the word means, from 0 to 1: 0.8 is 8 owners in 10."),
        verbose_name=_("value"),
    )

    # Its word is in each language (kb/translation.py, which also registers its history).

    class Meta:
        ordering = ["-value"]
        constraints = [
            models.UniqueConstraint(
                fields=[f"word_{code}"],
                name=f"probability_word_unique_{code}",
            )
            for code, _name in settings.LANGUAGES
        ]
        verbose_name = _("probability word")
        verbose_name_plural = _("probability words")

    def __str__(self):
        return f"{self.word} ({self.value * 100:.4g} %)"

    @classmethod
    def describe(cls, value: float | None) -> str:
        """A probability as the nearest word and its percentage: “usually (80 %)”, or
        “≈ usually (78 %)” when no word stands for it exactly."""
        if value is None:
            return "—"
        shown = f"{value * 100:.4g} %"
        words = list(cls.objects.all())
        if not words:
            return shown
        nearest = min(words, key=lambda word: abs(word.value - value))
        exact = abs(nearest.value - value) < 1e-9
        return f"{nearest.word if exact else '≈ ' + nearest.word} ({shown})"


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
    QuestionGroup,
    Likelihood,
    SafetyWarning,
    Procedure,
    Step,
    FaqEntry,
)


class Deletion(models.Model):
    """One delete, with all it took along (kb/deletions.py writes it, "Recently deleted"
    restores it as a unit): the rows as they were just before, the many-to-many links that
    went with them, and the references the delete emptied (on_delete=SET_NULL)."""

    date = models.DateTimeField(
        default=timezone.now, db_index=True, editable=False, verbose_name=_("deleted")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("deleted by"),
    )
    label = models.CharField(max_length=500, editable=False, verbose_name=_("what"))
    # Django's "python" serialization of every deleted row, parents before children.
    rows = models.JSONField(
        default=list, encoder=ExactEncoder, editable=False, verbose_name=_("deleted rows")
    )
    # [through model label, {column: id, column: id}] for each link deleted with them.
    links = models.JSONField(default=list, editable=False, verbose_name=_("deleted links"))
    # [model label, field attname, the deleted object's id, [ids of the rows that lost it]].
    references = models.JSONField(
        default=list, editable=False, verbose_name=_("emptied references")
    )
    restored = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("restored")
    )
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("restored by"),
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("deletion")
        verbose_name_plural = _("deletions")

    def __str__(self):
        return self.label


class MovedAddress(models.Model):
    """A public page's old address and where it went (kb/addresses.py): a content lead renamed
    a slug or a code of something already public, and links, bookmarks and search engines
    still ask for the old one; they get a permanent redirect."""

    old_path = models.CharField(
        max_length=500,
        unique=True,
        help_text=_("The address that was public, e.g. /nissan-qashqai/old-slug/."),
        verbose_name=_("old address"),
    )
    new_path = models.CharField(
        max_length=500,
        help_text=_("Where a request for it (or for a page under it) is sent."),
        verbose_name=_("new address"),
    )
    date = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("moved"))

    class Meta:
        ordering = ["-date"]
        verbose_name = _("moved address")
        verbose_name_plural = _("moved addresses")

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"


# --- search synonyms (kb/search.py) ---


def synonyms_cache_key() -> str:
    """Where `SearchSynonym.table()` keeps the table (per release: its shape is the code's)."""
    from web.release import release_id

    return f"search:synonyms:{release_id()}"


class SearchSynonym(models.Model):
    """Words owners type that the pages do not use, and the words the pages use for them.

    Search expands an owner's query with them before matching: on the Russian site «брелок»
    also searches for «ключ», on the English one "tailgate" for "trunk". Content staff keep
    them per language; a phrase ("сколько стоит") matches only as a whole.
    """

    NATURAL_KEY = ("language", "words")

    language = models.CharField(
        max_length=8,
        choices=[("en", _("English site")), ("ru", _("Russian site"))],  # settings.LANGUAGES
        help_text=_("The site whose searches it expands."),
        verbose_name=_("language"),
    )
    words = models.CharField(
        max_length=300,
        help_text=_("What owners type, separated by commas, e.g. tailgate, boot, hatch."),
        verbose_name=_("owners’ words"),
    )
    means = models.CharField(
        max_length=300,
        help_text=_(
            "The words the pages use for it, separated by commas, e.g. trunk. "
            "A search for any owners’ word also finds these."
        ),
        verbose_name=_("pages’ words"),
    )

    objects = NaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "words"]
        constraints = [
            models.UniqueConstraint(fields=["language", "words"], name="unique_synonym_words")
        ]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self):
        return f"{self.words} → {self.means}"

    def natural_key(self):
        return (self.language, self.words)

    @staticmethod
    def split(text: str) -> list[str]:
        """A comma-separated field as its phrases."""
        return [phrase.strip() for phrase in text.split(",") if phrase.strip()]

    @classmethod
    def table(cls) -> dict[str, list[tuple[list[str], list[str]]]]:
        """Every language's synonyms as (owners' phrases, pages' phrases), kept in the cache
        until one is edited (a search reads it on every query, the database only after an
        edit)."""
        from django.core.cache import cache

        table = cache.get(synonyms_cache_key())
        if table is None:
            table = {}
            for synonym in cls.objects.all():
                table.setdefault(synonym.language, []).append(
                    (cls.split(synonym.words), cls.split(synonym.means))
                )
            cache.set(synonyms_cache_key(), table, timeout=None)
        return table

    @staticmethod
    def forget(**kwargs) -> None:
        """After an edit: the next search reads the table again (and, its key holding what
        the query was expanded to, no longer finds the results cached before)."""
        from django.core.cache import cache

        cache.delete(synonyms_cache_key())


models.signals.post_save.connect(SearchSynonym.forget, sender=SearchSynonym)
models.signals.post_delete.connect(SearchSynonym.forget, sender=SearchSynonym)
