"""The shop's own test cases: what an owner at the car knows, and the causes that must come out.

A case belongs to a problem and a generation. Its facts are the answers that owner would give
(symptom slug → "y" or "n"); to every other question the owner says "don't know". `first` is
the cause that must rank first, `top3` the causes that must be in the top three. The content
check (diagnosis/validation.py) plays every active case through the wizard
(diagnosis/scenarios.py) and blocks publishing a problem while one of its cases fails.

Slugs, not foreign keys: a case reads whole in its fixture, and the content check names a
symptom or fault that was renamed or deleted instead of the case silently losing it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kb.models import Generation, NaturalKeyManager, Problem

# What an owner may state in a case's facts; "don't know" is every question left out.
FACT_VALUES = ("y", "n")
TOP = 3  # the causes the result dwells on (diagnosis.service.TOP_CAUSES)


class ScenarioCase(models.Model):
    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="scenario_cases",
        help_text=_("The problem whose wizard this case tests."),
        verbose_name=_("problem"),
    )
    generation = models.ForeignKey(
        Generation,
        on_delete=models.CASCADE,
        related_name="scenario_cases",
        help_text=_("The owner's car: a generation of the problem's model."),
        verbose_name=_("generation"),
    )
    name = models.CharField(
        max_length=200,
        help_text=_("What happened, in a line: “J11: silence, central locking works, fuse blown”."),
        verbose_name=_("name"),
    )
    slug = models.SlugField(
        max_length=80,
        help_text=_("Short name in the fixtures, unique within the problem."),
        verbose_name=_("slug"),
    )
    facts = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "What the owner knows: each question's answer, yes or no. To every question left "
            "out the owner answers “don't know”."
        ),
        verbose_name=_("facts"),
    )
    first = models.SlugField(
        max_length=80,
        blank=True,
        help_text=_("The cause that must rank first (its slug); empty when none must."),
        verbose_name=_("must come first"),
    )
    top3 = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Causes that must be in the top three (their slugs), besides the first."),
        verbose_name=_("must be in the top three"),
    )
    note = models.TextField(
        blank=True,
        help_text=_("Where the case comes from (a repair, the article), for colleagues."),
        verbose_name=_("note"),
    )
    is_active = models.BooleanField(
        default=True,
        help_text=_("Untick to keep the case without the content check playing it."),
        verbose_name=_("active"),
    )

    NATURAL_KEY = ("problem__vehicle_model__slug", "problem__slug", "slug")
    objects = NaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["problem", "first", "name"]
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slug"], name="scenario_case_slug_unique_per_problem"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.problem.natural_key(), self.slug)

    natural_key.dependencies = ["kb.problem", "kb.generation", "kb.fault", "kb.symptom"]

    @property
    def expected(self) -> list[str]:
        """Every cause that must be in the top three: the first, then the others."""
        causes = [self.first] if self.first else []
        return causes + [slug for slug in self.top3 or [] if slug not in causes]

    def clean(self):
        super().clean()
        if self.problem_id is None:
            return  # the field's own error says it
        errors: dict[str, list] = {}
        if self.generation_id is not None and (
            self.generation.vehicle_model_id != self.problem.vehicle_model_id
        ):
            errors["generation"] = [
                _("%(generation)s is not a generation of %(model)s, the problem's model.")
                % {"generation": self.generation, "model": self.problem.vehicle_model}
            ]
        if fact_errors := self._fact_errors():
            errors["facts"] = fact_errors
        errors.update(
            (field, messages) for field, messages in self._cause_errors().items() if messages
        )
        if errors:
            raise ValidationError(errors)

    def _fact_errors(self) -> list[str]:
        if not isinstance(self.facts, dict):
            return [_("Facts must be a mapping of question slugs to “y” or “n”.")]
        symptoms = {
            slug: group for slug, group in self.problem.symptoms.values_list("slug", "group__slug")
        }
        errors = []
        unknown = sorted(slug for slug in self.facts if slug not in symptoms)
        if unknown:
            errors.append(
                _("Not a question of this problem: %(unknown)s. Its questions are: %(valid)s.")
                % {"unknown": ", ".join(unknown), "valid": ", ".join(sorted(symptoms))}
            )
        wrong = sorted(slug for slug, value in self.facts.items() if value not in FACT_VALUES)
        if wrong:
            errors.append(
                _(
                    "Answer each question with “y” or “n” (%(slugs)s); leave a question out "
                    "when the owner does not know."
                )
                % {"slugs": ", ".join(wrong)}
            )
        yes_by_group: dict[str, list[str]] = {}
        for slug, value in self.facts.items():
            if value == "y" and symptoms.get(slug):
                yes_by_group.setdefault(symptoms[slug], []).append(slug)
        for members in yes_by_group.values():
            if len(members) > 1:
                errors.append(
                    _(
                        "%(slugs)s are answers of one question that exclude each other: only "
                        "one can be yes."
                    )
                    % {"slugs": " and ".join(sorted(members))}
                )
        return errors

    def _cause_errors(self) -> dict[str, list[str]]:
        faults = set(self.problem.faults.values_list("slug", flat=True))
        valid = ", ".join(sorted(faults))
        errors: dict[str, list[str]] = {"first": [], "top3": []}
        if self.first and self.first not in faults:
            errors["first"].append(
                _("“%(slug)s” is not a cause of this problem. Its causes are: %(valid)s.")
                % {"slug": self.first, "valid": valid}
            )
        top3 = self.top3 or []
        if not isinstance(top3, list) or not all(isinstance(slug, str) for slug in top3):
            errors["top3"].append(_("Give the causes as a list of slugs."))
            return errors
        unknown = sorted(slug for slug in top3 if slug not in faults)
        if unknown:
            errors["top3"].append(
                _("Not a cause of this problem: %(unknown)s. Its causes are: %(valid)s.")
                % {"unknown": ", ".join(unknown), "valid": valid}
            )
        if len(self.expected) > TOP:
            errors["top3"].append(
                _("At most %(count)s causes fit in the top three, the first included.")
                % {"count": TOP}
            )
        if not self.expected:
            errors["first"].append(
                _("Name the cause that must come first, or those that must be in the top three.")
            )
        return errors
