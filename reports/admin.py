"""The admin of confirmed fixes: owner reports (spam / verified), workshop reports, the
learning switch per problem with what it does to the priors, and likelihoods vs reports."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from diagnosis import content
from diagnosis.query import ANSWER_WORDS

from .forms import WorkshopReportForm
from .models import LikelihoodCheck, OwnerReport, PriorLearning, WorkshopReport
from .overview import apply_observed, observed_for, prior_overview


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _compiled_of(report):
    problem = report.problem
    return content.compiled_problem(problem.vehicle_model.slug, problem.slug)


def answers_in_words(compiled, answers: str) -> list[tuple[str, str]]:
    """The wizard's answer tokens (symptom:y,…) as (question, answer) in the active language;
    a question removed from the content since keeps its slug."""
    symptoms = compiled.symptoms if compiled is not None else {}
    pairs = []
    for token in filter(None, answers.split(",")):
        slug, _sep, value = token.partition(":")
        symptom = symptoms.get(slug)
        pairs.append((symptom.question if symptom else slug, str(ANSWER_WORDS.get(value, value))))
    return pairs


def _answers_list(compiled, answers: str):
    pairs = answers_in_words(compiled, answers)
    if not pairs:
        return "—"
    return format_html(
        '<ul class="report-answers">{}</ul>',
        format_html_join("", "<li>{}: <strong>{}</strong></li>", pairs),
    )


def _set_status(modeladmin, request, queryset, status, reason):
    changed = 0
    for report in queryset.exclude(status=status):
        report.status = status
        report._change_reason = reason
        report.save(update_fields=["status"])
        changed += 1
    message = ngettext(
        "%(count)d report marked %(status)s.", "%(count)d reports marked %(status)s.", changed
    ) % {"count": changed, "status": OwnerReport.Status(status).label.lower()}
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.register(OwnerReport)
class OwnerReportAdmin(SimpleHistoryAdmin):
    list_display = ["created", "problem", "generation", "cause", "model_year", "mileage", "status"]
    list_filter = ["status", "problem", "generation", "fault"]
    search_fields = ["other_text", "answers"]
    date_hierarchy = "created"
    actions = ["mark_verified", "mark_spam", "mark_new"]
    fields = [
        "status",
        "problem",
        "generation",
        "fault",
        "other_text",
        "model_year",
        "mileage",
        "answers_given",
        "ranking_shown",
        "content_version",
        "created",
    ]
    readonly_fields = [f for f in fields if f != "status"]

    def get_queryset(self, request):
        related = ("problem__vehicle_model", "generation", "fault")
        return super().get_queryset(request).select_related(*related)

    def has_add_permission(self, request):
        return False  # owners send them from the site

    @admin.display(description=gettext_lazy("cause"))
    def cause(self, obj):
        return (
            obj.fault.name
            if obj.fault_id
            else _("Something else: %(text)s") % {"text": obj.other_text[:80]}
        )

    @admin.display(description=gettext_lazy("answers"))
    def answers_given(self, obj):
        return _answers_list(_compiled_of(obj), obj.answers)

    @admin.display(description=gettext_lazy("ranking shown"))
    def ranking_shown(self, obj):
        compiled = _compiled_of(obj)
        faults = compiled.faults if compiled is not None else {}

        def name(slug):
            return faults[slug].name if slug in faults else slug

        ranked = ((name(slug), _percent(p)) for slug, p in obj.ranking[:5])
        return format_html_join(", ", "{} {}", ranked)

    @admin.action(
        description=gettext_lazy("Mark as verified (counts with the verified weight)"),
        permissions=["change"],
    )
    def mark_verified(self, request, queryset):
        _set_status(self, request, queryset, OwnerReport.Status.VERIFIED, "marked verified")

    @admin.action(description=gettext_lazy("Mark as spam (counts nowhere)"), permissions=["change"])
    def mark_spam(self, request, queryset):
        _set_status(self, request, queryset, OwnerReport.Status.SPAM, "marked spam")

    @admin.action(description=gettext_lazy("Mark as new (not reviewed)"), permissions=["change"])
    def mark_new(self, request, queryset):
        _set_status(self, request, queryset, OwnerReport.Status.NEW, "marked new")


@admin.register(WorkshopReport)
class WorkshopReportAdmin(SimpleHistoryAdmin):
    form = WorkshopReportForm
    list_display = ["created", "generation", "fault", "model_year", "mileage", "workshop"]
    list_filter = ["generation", "fault__problem", "fault"]
    search_fields = ["workshop", "note", "answers"]
    list_select_related = ["generation", "fault"]
    readonly_fields = ["answers_given"]

    @admin.display(description=gettext_lazy("answers, in words"))
    def answers_given(self, obj):
        if obj.pk is None:
            return "—"
        problem = obj.fault.problem
        compiled = content.compiled_problem(problem.vehicle_model.slug, problem.slug)
        return _answers_list(compiled, obj.answers)


@admin.register(PriorLearning)
class PriorLearningAdmin(SimpleHistoryAdmin):
    list_display = [
        "problem",
        "enabled",
        "strength",
        "verified_weight",
        "workshop_weight",
        "new_weight",
    ]
    fields = [*list_display, "priors"]
    readonly_fields = ["priors"]

    def get_readonly_fields(self, request, obj=None):
        return ["problem", "priors"] if obj else ["priors"]

    @admin.display(description=gettext_lazy("priors per generation"))
    def priors(self, obj):
        if obj is None or obj.pk is None:
            return _("Saved settings show their effect here.")
        tables = []
        for generation in prior_overview(obj):
            rows = format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td>"
                "<td>{}</td></tr>",
                (
                    (
                        row.name,
                        _percent(row.table),
                        row.reports,
                        _percent(row.share),
                        _percent(row.blended),
                        row.rank_change,
                    )
                    for row in generation.rows
                ),
            )
            tables.append(
                format_html(
                    "<h3>{} · {}</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th>"
                    "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
                    generation.name,
                    ngettext(
                        "%(count)d confirmed report",
                        "%(count)d confirmed reports",
                        generation.reports,
                    )
                    % {"count": generation.reports},
                    _("Fault"),
                    _("Table prior"),
                    _("Confirmed"),
                    _("Confirmed share (weighted)"),
                    _("Blended prior") if obj.enabled else _("Blended prior (if learning were on)"),
                    _("First ranking"),
                    rows,
                )
            )
        return format_html_join("", "{}", ((table,) for table in tables))


@admin.register(LikelihoodCheck)
class LikelihoodCheckAdmin(admin.ModelAdmin):
    """Authored likelihoods against the yes-rate in reports; one action applies an observed
    value as an ordinary edit of the likelihood (kept in its history). Nothing else does."""

    list_display = ["fault", "symptom", "authored", "observed", "reports", "interval"]
    list_filter = ["fault__problem", "fault"]
    list_select_related = ["fault__problem", "symptom"]
    actions = ["apply_observed_value"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("fault__problem", "symptom")

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)  # evaluated once; the list shows these objects
        for likelihood, seen in zip(page, observed_for(page).values(), strict=True):
            likelihood.observation = seen
        return changelist

    @staticmethod
    def _seen(obj):
        seen = getattr(obj, "observation", None)
        return seen if seen is not None else observed_for([obj])[obj.pk]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("kb.change_likelihood") and super().has_change_permission(
            request, obj
        )

    def get_readonly_fields(self, request, obj=None):
        return ["fault", "symptom", "p_yes", "note"]

    @admin.display(description=gettext_lazy("authored"), ordering="p_yes")
    def authored(self, obj):
        return _percent(obj.p_yes)

    @admin.display(description=gettext_lazy("observed"))
    def observed(self, obj):
        return _percent(self._seen(obj).rate)

    @admin.display(description=gettext_lazy("reports"))
    def reports(self, obj):
        seen = self._seen(obj)
        return _("%(reports)s (%(yes)s yes)") % {"reports": seen.reports, "yes": seen.yes}

    # xgettext:no-python-format
    @admin.display(description=gettext_lazy("95 % interval"))
    def interval(self, obj):
        bounds = self._seen(obj).interval
        if bounds is None:
            return "—"
        low, high = bounds
        outside = not (low <= obj.p_yes <= high)
        text = f"{low * 100:.0f}–{high * 100:.0f} %"
        return (
            format_html(
                "<strong>{}</strong>", _("%(interval)s (authored outside)") % {"interval": text}
            )
            if outside
            else text
        )

    @admin.action(
        description=gettext_lazy("Apply the observed yes-rate to the selected likelihoods"),
        permissions=["change"],
    )
    def apply_observed_value(self, request, queryset):
        changed = apply_observed(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d likelihood set to the observed yes-rate; the change is in its "
                "history and can be reverted there.",
                "%(count)d likelihoods set to the observed yes-rate; each change is in the "
                "likelihood's history and can be reverted there.",
                len(changed),
            )
            % {"count": len(changed)},
            messages.SUCCESS,
        )
