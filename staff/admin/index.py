"""The admin index, in the order content is built."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- the admin index, in the order content is built ---------------------------------------------

BUILD_ORDER = [
    (
        gettext_lazy("1. Vehicle: make, model and generations"),
        ["make", "vehiclemodel", "generation"],
    ),
    (gettext_lazy("2. Problem (starts as a draft)"), ["problem"]),
    (
        gettext_lazy("3. Fault types and their rates per generation"),
        ["faultgroup", "faultrate", "ratelevel"],
    ),
    (gettext_lazy("4. Faults: the possible causes"), ["fault"]),
    (
        gettext_lazy("5. Questions and how often “yes” with each cause"),
        ["symptom", "questiongroup", "likelihood", "probabilityword"],
    ),
    (gettext_lazy("6. Procedures, steps and warnings"), ["procedure", "step", "safetywarning"]),
    (gettext_lazy("7. Frequently asked questions"), ["faqentry"]),
    (gettext_lazy("8. Search: owners' words for the pages' words"), ["searchsynonym"]),
]
_default_app_list = admin.site.get_app_list


def guided_app_list(request, app_label=None):
    """The content models grouped in the order a new problem is built, not alphabetically."""
    apps = _default_app_list(request, app_label)
    kb = next((app for app in apps if app["app_label"] == "kb"), None)
    if kb is None:
        return apps
    by_name = {model["object_name"].lower(): model for model in kb["models"]}
    sections = []
    for title, names in BUILD_ORDER:
        members = [by_name.pop(name) for name in names if name in by_name]
        if members:
            sections.append({**kb, "name": title, "models": members})
    if by_name:
        sections.append({**kb, "name": _("Other content"), "models": list(by_name.values())})
    return sections + [app for app in apps if app["app_label"] != "kb"]


admin.site.get_app_list = guided_app_list
