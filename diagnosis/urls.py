from django.urls import path

from . import views

# The API (views.api_diagnose) is routed in config/urls.py, outside the language prefix.
app_name = "diagnosis"
urlpatterns = [
    path("<slug:model>/<slug:problem>/diagnose/", views.wizard, name="wizard"),
    path("<slug:model>/<slug:problem>/diagnose/print/", views.wizard_print, name="print"),
    path("<slug:model>/<slug:problem>/diagnose/qr.svg", views.wizard_qr, name="qr"),
]
