from django.urls import path

from . import views

app_name = "diagnosis"
urlpatterns = [
    path("api/v1/diagnose", views.api_diagnose, name="api"),
    path("<slug:model>/<slug:problem>/diagnose/", views.wizard, name="wizard"),
    path("<slug:model>/<slug:problem>/diagnose/print/", views.wizard_print, name="print"),
]
