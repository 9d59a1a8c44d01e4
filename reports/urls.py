from django.urls import path

from . import views

app_name = "reports"
# Under .../diagnose/, a word no problem or fault slug may take (kb.models.RESERVED_SLUGS).
urlpatterns = [
    path("<slug:model>/<slug:problem>/diagnose/report/", views.report, name="report"),
    path("<slug:model>/<slug:problem>/diagnose/report/thanks/", views.thanks, name="thanks"),
]
