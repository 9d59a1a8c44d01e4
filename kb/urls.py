"""The public pages. Fixed words come before the slugs they would otherwise match.

The diagnosis app (its wizard at /<model>/<problem>/diagnose/ and the API) is included before
these in config/urls.py; RESERVED_SLUGS keep "faq", "procedures", "generations", "diagnose",
"faults", "search" and "offline" from ever being a problem or fault slug.
"""

from django.urls import path

from . import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("offline/", views.offline, name="offline"),
    path("<slug:model>/", views.vehicle, name="vehicle"),
    path("<slug:model>/faq/", views.faq, name="faq"),
    path("<slug:model>/procedures/<slug:slug>/", views.procedure, name="procedure"),
    path("<slug:model>/generations/<slug:code>/", views.generation, name="generation"),
    path("<slug:model>/<slug:problem>/", views.problem, name="problem"),
    path("<slug:model>/<slug:problem>/faults/<slug:fault>/", views.fault, name="fault"),
]
