"""Search synonyms: owners' words and the pages' words for them, per language (kb/search.py)."""

from django.contrib import admin

from kb.models import SearchSynonym

from .base import SimpleHistoryAdmin


@admin.register(SearchSynonym)
class SearchSynonymAdmin(SimpleHistoryAdmin):
    """Search expands a query with them at once (docs/content.md, "Search synonyms")."""

    list_display = ["words", "means", "language"]
    list_filter = ["language"]
    search_fields = ["words", "means"]
