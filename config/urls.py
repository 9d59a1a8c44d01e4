from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from diagnosis import api
from diagnosis.views import api_diagnose
from kb import sitemaps
from kb.views import healthz, ok, readyz, robots_txt, service_worker
from staff import path_map as path_map_views
from staff import views as admin_views
from usage import admin_views as usage_views

admin.site.site_header = _("Car faults: content")
admin.site.site_title = _("Car faults admin")

urlpatterns = [
    path(
        "admin/content-check/",
        admin.site.admin_view(admin_views.content_check),
        name="admin-content-check",
    ),
    path(
        "admin/recently-deleted/",
        admin.site.admin_view(admin_views.recently_deleted),
        name="admin-recently-deleted",
    ),
    path("admin/guide/", admin.site.admin_view(admin_views.guide), name="admin-guide"),
    path("admin/usage/", admin.site.admin_view(usage_views.dashboard), name="admin-usage"),
    path(
        "admin/usage/export.csv",
        admin.site.admin_view(usage_views.export_csv),
        name="admin-usage-csv",
    ),
    path(
        "admin/usage/flush/",
        admin.site.admin_view(usage_views.flush_now),
        name="admin-usage-flush",
    ),
    path(
        "admin/map/",
        admin.site.admin_view(path_map_views.index),
        name="admin-path-map-index",
    ),
    path(
        "admin/map/<slug:model>/<slug:problem>/<slug:generation>/",
        admin.site.admin_view(path_map_views.page),
        name="admin-path-map",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("bench/ok", ok, name="bench-ok"),
    path("robots.txt", robots_txt, name="robots"),
    path("sw.js", service_worker, name="service-worker"),
    # The sitemap index and its sections (kb/sitemaps.py); robots.txt names the index.
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemaps/site.xml", sitemaps.site_section, name="sitemap-site"),
    path("sitemaps/models/<slug:model>.xml", sitemaps.model_section, name="sitemap-model"),
    # The API takes its language from ?lang= or Accept-Language (web/locale.py).
    path("api/v1/diagnose", api_diagnose, name="api"),
    # The catalogue a workshop system walks to a diagnosis, and the API's OpenAPI document
    # (diagnosis/api.py; the bodies: kb/catalogue.py).
    path("api/v1/makes", api.makes, name="api-makes"),
    path("api/v1/makes/<slug:make>/models", api.models, name="api-models"),
    path("api/v1/models/<slug:model>/generations", api.generations, name="api-generations"),
    path(
        "api/v1/models/<slug:model>/generations/<slug:generation>/problems",
        api.problems,
        name="api-problems",
    ),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
    # The admin's language form posts here (Django's set_language: a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
]
# The public pages: English at today's URLs, Russian under /ru/.
urlpatterns += i18n_patterns(
    path("", include("reports.urls")),
    path("", include("diagnosis.urls")),
    path("", include("kb.urls")),
    prefix_default_language=False,
)

handler400 = "diagnosis.api.bad_request"
handler403 = "kb.views.permission_denied"
handler404 = "kb.views.page_not_found"
handler500 = "kb.views.server_error"
