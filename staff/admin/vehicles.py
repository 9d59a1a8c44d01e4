"""Makes, models and their generations, and the old public addresses that lead to new ones."""

from django.contrib import admin

from kb.models import (
    Generation,
    Make,
    MovedAddress,
    VehicleModel,
)

from .base import PublicAddress, SimpleHistoryAdmin, Translated, TranslatedTabularInline


class GenerationInline(TranslatedTabularInline):
    model = Generation
    extra = 0
    prepopulated_fields = {"code": ("name",)}


@admin.register(Make)
class MakeAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(MovedAddress)
class MovedAddressAdmin(admin.ModelAdmin):
    """Old public addresses and where they lead (kb/addresses.py); a content lead's."""

    list_display = ["old_path", "new_path", "date"]
    search_fields = ["old_path", "new_path"]


@admin.register(VehicleModel)
class VehicleModelAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["__str__", "slug"]
    list_filter = ["make"]
    search_fields = ["name", "slug", "make__name"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [GenerationInline]


@admin.register(Generation)
class GenerationAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["name", "code", "vehicle_model", "year_from", "year_to", "is_facelift"]
    list_filter = ["vehicle_model", "is_facelift"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("name",)}
