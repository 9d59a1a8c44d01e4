"""The "Preview the effect" button: what an unsaved edit does to owners (staff/preview.py)."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from diagnosis.content import EFFORT_COST
from diagnosis.scenarios import MEAN_QUESTIONS_TARGET
from kb.models import (
    FaultGroup,
    FaultRate,
    Likelihood,
    Problem,
    QuestionGroup,
    Symptom,
)
from staff.preview import Edit, preview


class PreviewEffect:
    """A "Preview the effect" button on the change form (and a likelihood's add form): per
    generation the wizard's first ranking, the ranking of all causes after the edited question
    is answered first, the problem's test cases and the saved scenarios, before and after the
    edit, computed with the engine on the form's unsaved values (staff/preview.py). Opens in
    a new tab; nothing is saved."""

    change_form_template = "admin/kb/change_form_with_preview.html"

    @property
    def previews_additions(self) -> bool:
        """A new likelihood or question joins a problem that exists: its add page previews
        the effect too (a new cause's page shows its starting chance instead)."""
        return self.model in (Likelihood, Symptom)

    def get_urls(self):
        meta = self.model._meta
        own = [
            path(
                "<path:object_id>/change/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{meta.app_label}_{meta.model_name}_preview",
            )
        ]
        if self.previews_additions:  # a new pair or question is an edit of a problem that exists
            own.append(
                path(
                    "add/preview/",
                    self.admin_site.admin_view(self.preview_view),
                    name=f"{meta.app_label}_{meta.model_name}_add_preview",
                )
            )
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_preview"] = change or self.previews_additions
        return super().render_change_form(request, context, add, change, form_url, obj)

    def edit_of(self, original, form, formsets):
        """What the form changes; the admins of faults, symptoms and likelihoods add theirs."""
        return Edit()

    def full_edit(self, original, form, formsets):
        if original is None and self.model is Likelihood:
            data = form.cleaned_data
            return Edit(likelihoods={(data["fault"].slug, data["symptom"].slug): data["p_yes"]})
        edit = self.edit_of(original, form, formsets)
        if isinstance(original, FaultGroup):
            edit.rates = self.rate_edits(original, formsets)
        subject = original or form.instance  # a new question is previewed as it would be saved
        effort = form.cleaned_data.get("effort")
        if isinstance(subject, Symptom | QuestionGroup) and effort is not None:
            edit.costs[subject.slug] = EFFORT_COST.get(effort, 1.0)
        if isinstance(original, QuestionGroup):
            edit.groups = (original.slug,)
        return edit

    def preview_view(self, request, object_id=None):
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            obj = original = None
        else:
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            original = type(obj).objects.get(pk=obj.pk)
        change = obj is not None
        errors, previews, problem = [], [], Problem.of(original)
        if request.method == "POST":
            form = self.get_form(request, obj, change=change)(
                request.POST, request.FILES, instance=obj
            )
            valid = form.is_valid()
            formsets, _inlines = self._create_formsets(request, form.instance, change=change)
            valid = all([formset.is_valid() for formset in formsets]) and valid
            if valid:
                edit = self.full_edit(original, form, formsets)
                problem = problem or Problem.of(form.instance)
                problems = (
                    [problem]
                    if problem
                    else Problem.objects.filter(faults__group=original).distinct().order_by("pk")
                )  # a fault type's rates: every problem with a fault of that type
                previews = [(item, preview(item, edit)) for item in problems]
            else:
                errors = [*form.errors.as_data().items()]
                for formset in formsets:
                    for inline_errors in formset.errors:
                        errors.extend(inline_errors.as_data().items())
        name = original if change else _("new")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Effect of your edit of %(kind)s “%(name)s”")
            % {"kind": self.model._meta.verbose_name, "name": name},
            "original": original,
            "problem": problem,
            "previews": previews,
            "generations": previews[0][1] if previews else [],
            "errors": errors,
            "posted": request.method == "POST",
            "mean_target": f"{MEAN_QUESTIONS_TARGET:g}",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/kb/preview.html", context)

    @staticmethod
    def rate_edits(group, formsets) -> dict:
        """(vehicle model, generation code, fault type) -> the new level's weight, or None
        where the generation loses its rate."""
        edits = {}
        for formset in formsets:
            for form in formset.forms if formset.model is FaultRate else ():
                data = getattr(form, "cleaned_data", None)
                if not data or not form.has_changed():
                    continue
                if form.instance.pk:  # the rate as saved, which the row replaces
                    saved = FaultRate.objects.get(pk=form.instance.pk).generation
                    edits[(saved.vehicle_model.slug, saved.code, group.slug)] = None
                generation, level = data.get("generation"), data.get("level")
                if generation and not data.get("DELETE"):
                    key = (generation.vehicle_model.slug, generation.code, group.slug)
                    edits[key] = level.weight if level else None
        return edits

    @staticmethod
    def likelihood_edits(formsets, pair_of) -> dict:
        """(fault slug, symptom slug) -> new probability, or None where a row is removed."""
        edits = {}
        for formset in formsets:
            if formset.model is not Likelihood:
                continue
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None)
                if not data or not form.has_changed():
                    continue
                if form.instance.pk:  # the pair as saved, which the row replaces
                    saved = Likelihood.objects.select_related("fault", "symptom").get(
                        pk=form.instance.pk
                    )
                    edits[(saved.fault.slug, saved.symptom.slug)] = None
                if not data.get("DELETE"):
                    edits[pair_of(data)] = data["p_yes"]
        return edits
