"""Why the admin refused: a 403 that names what was asked for and which roles may do it.

Django's admin answers a missing permission with a bare PermissionDenied. Its URL names say
what was asked for (``admin:<app>_<model>_<action>``), and the groups holding that permission
are the roles that may do it, so a mechanic sees "To delete a vehicle model you need one of
these roles: Content lead." instead of a blank "403 Forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# The admin's URL actions, by the permission each needs.
PERMISSION_OF_ACTION = {
    "add": "add",
    "change": "change",
    "delete": "delete",
    "changelist": "view",
    "history": "view",
}
# Verbs in the infinitive, fitting "To … a <model>" (in Russian "Чтобы … «<model>»").
ACTION_WORDS = {
    "add": pgettext_lazy("refused action", "add"),
    "change": pgettext_lazy("refused action", "change"),
    "delete": pgettext_lazy("refused action", "delete"),
    "view": pgettext_lazy("refused action", "see"),
}


@dataclass(frozen=True)
class Refusal:
    action: str  # add, change, delete or view
    model: str  # the model's verbose name, in the active language
    roles: tuple[str, ...]  # groups holding the permission

    def sentence(self) -> str:
        words = {"action": ACTION_WORDS[self.action], "model": self.model}
        if not self.roles:
            return _("Only an administrator may %(action)s a %(model)s.") % words
        return _("To %(action)s a %(model)s you need one of these roles: %(roles)s.") % {
            **words,
            "roles": ", ".join(self.roles),
        }


def refusal_for(path: str) -> Refusal | None:
    """What an admin URL asked for and who may do it; None for any other URL."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "admin" or not match.url_name:
        return None
    name, _sep, url_action = match.url_name.rpartition("_")
    action = PERMISSION_OF_ACTION.get(url_action, "change")
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == name:
            codename = f"{action}_{model._meta.model_name}"
            roles = Group.objects.filter(
                permissions__codename=codename,
                permissions__content_type__app_label=model._meta.app_label,
            ).order_by("name")
            names = tuple(roles.values_list("name", flat=True))
            return Refusal(action, str(model._meta.verbose_name), names)
    return None
