"""The bases of every content admin: fields a mechanic can fill (probabilities as words,
decimal commas, clean line ends, slugs made from the whole title), language tabs, public
addresses locked for editors, and history with revert in words and the content check after
each save.

SimpleHistoryAdmin adds a History page to every object, from which any earlier version can be
restored ("reverted"). The texts owners read have one field per language (kb/translation.py);
their admins (`Translated`) show them with language tabs (static/js/admin-language-tabs.js).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models, transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_localized_fieldname
from simple_history.admin import SimpleHistoryAdmin as HistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from kb import addresses
from kb.forms import CommaFloatField, ProbabilityField
from kb.models import (
    PROBABILITIES,
    ProbabilityWord,
    Problem,
)
from kb.slugs import key_words_slug
from kb.validation import findings


class LineText(forms.CharField):
    """Text whose line ends are "\n" whatever the browser sends ("\r\n"), so an untouched
    field never counts as changed, in the admin's log or in the history."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


TEXT_OVERRIDES = {
    models.TextField: {"form_class": LineText, "widget": forms.Textarea},
    models.FloatField: {"form_class": CommaFloatField},
}
PROBABILITY_FIELDS = {"p_yes", "p_yes_otherwise"}


class PlainFields:
    """Fields a mechanic can fill: probabilities as words, decimal commas, clean line ends."""

    formfield_overrides = TEXT_OVERRIDES

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in PROBABILITY_FIELDS:
            return ProbabilityField(
                words=list(ProbabilityWord.objects.all()),
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                required=not db_field.blank,
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        original = getattr(db_field, "translated_field", None)
        if isinstance(field, forms.CharField) and original is not None and not original.null:
            # A language's column may be NULL (not yet translated), but an emptied field is
            # saved as "", as the original field is: no NULL-to-"" change in the history.
            field.empty_value = ""
        return field


class SlugFromForm(forms.ModelForm):
    """The slug may be left empty: it is then made from `slug_from`'s key words, whole words
    only (the admin's JavaScript cut "the-lid-slowly-sinks-by-itself-after-you-lift-it-f")."""

    slug_from = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            source = self.fields[self.slug_from].label if self.slug_from in self.fields else ""
            self.fields["slug"].help_text = (
                _("Leave empty to make it from the key words of “%(field)s”.")
                % {"field": source or self.slug_from.replace("_", " ")}
                + " "
                + str(self.fields["slug"].help_text)
            )

    def clean(self):
        data = super().clean()
        # A translated source field is in the form once per language: slugs are made from
        # the English one, so a link is the same in every language.
        english = build_localized_fieldname(
            self.slug_from, settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        )
        source = data.get(english, data.get(self.slug_from))
        if "slug" in self.fields and not data.get("slug") and source:
            data["slug"] = key_words_slug(
                source, self._meta.model._meta.get_field("slug").max_length
            )
        return data


def slug_from(field: str) -> type[SlugFromForm]:
    return type(f"SlugFrom{field.title()}Form", (SlugFromForm,), {"slug_from": field})


class TabularInline(PlainFields, admin.TabularInline):
    pass


class StackedInline(PlainFields, admin.StackedInline):
    pass


class LanguageTabs:
    """Tabs above the form, one per language, that show only that language's fields (the
    language-neutral fields stay); a tab whose fields have an error is marked and opened."""

    class Media:
        js = ["js/admin-language-tabs.js"]
        css = {"all": ["css/admin-language-tabs.css"]}


class TranslatedTabularInline(LanguageTabs, PlainFields, TranslationTabularInline):
    pass


class TranslatedStackedInline(LanguageTabs, PlainFields, TranslationStackedInline):
    pass


class InWords(HistoricalRecordContextHelper):
    """A history page's changes show a probability as the forms offer it: “almost always
    (95 %) → ≈ sometimes (30 %)”, not 0.95 → 0.3."""

    def prepare_delta_change_value(self, change, value):
        if change.field in PROBABILITIES and isinstance(value, float):
            return ProbabilityWord.describe(value)
        return super().prepare_delta_change_value(change, value)


class SimpleHistoryAdmin(PlainFields, HistoryAdmin):
    """Every content admin: history and revert (the reason names the version), values in
    words, and after each save the content check's findings for what was edited, the
    edited object first when it is one of them."""

    def get_historical_record_context_helper(self, request, historical_record):
        return InWords(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        # A revert: its history rows say to which version, and what is restored with the
        # object (a procedure's steps) is restored with it or not at all.
        request.reverted_to = self.model.history.filter(history_id=version_id).first()
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version = getattr(request, "reverted_to", None)
        if version is None:
            return super().save_model(request, obj, form, change)
        when = date_format(localtime(version.history_date), "DATETIME_FORMAT")
        obj._change_reason = _("Reverted to the version of %(date)s") % {"date": when}
        super().save_model(request, obj, form, change)
        self.revert_parts(request, obj, version, obj._change_reason)
        return None

    def revert_parts(self, request, obj, version, reason):
        """Restore, as they were in `version`, the parts edited on the object's page that
        keep a history of their own (a procedure's steps); by default, none."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.report_findings(request, form.instance)

    def report_findings(self, request, obj):
        problem = Problem.of(obj)
        found = findings(problem) if problem else [f for f in findings() if f.obj == obj]
        found.sort(key=lambda finding: finding.obj != obj)  # the edited object first
        if not found:
            if problem:
                message = _("Content check: no finding for “%(problem)s”.") % {"problem": problem}
            else:
                message = _("Content check: no finding for this object.")
            messages.success(request, message)
            return
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a>{}: {}.</li>',
            (
                (
                    finding.admin_url,
                    finding.name[:1].upper() + finding.name[1:],
                    _(" (what you just saved: probably the cause)") if finding.obj == obj else "",
                    finding.message,
                )
                for finding in found
            ),
        )
        messages.warning(
            request,
            format_html(
                '{} <a href="{}">{}</a><ul class="cc-inline">{}</ul>',
                (
                    ngettext(
                        "Content check for “%(problem)s”: %(count)s finding.",
                        "Content check for “%(problem)s”: %(count)s findings.",
                        len(found),
                    )
                    if problem
                    else ngettext(
                        "Content check: %(count)s finding.",
                        "Content check: %(count)s findings.",
                        len(found),
                    )
                )
                % {"problem": problem, "count": len(found)},
                reverse("admin-content-check"),
                _("All findings"),
                items,
            ),
        )


class PublicAddress:
    """The slugs and codes in public URLs are read-only for staff without the right to change
    a public page's address (kb/addresses.py): a content lead's, whose rename leaves a
    redirect behind."""

    def get_readonly_fields(self, request, obj=None):
        locked = addresses.locked_fields(request.user, obj)
        return (*super().get_readonly_fields(request, obj), *locked)

    def get_prepopulated_fields(self, request, obj=None):
        locked = addresses.locked_fields(request.user, obj)
        fields = super().get_prepopulated_fields(request, obj)
        return {name: sources for name, sources in fields.items() if name not in locked}


class Translated(LanguageTabs, TranslationAdmin):
    """Put first among a translated model's admin bases: its fields in each language."""
