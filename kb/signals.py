"""Any content change retires the versions (kb/content_version.py) of what it belongs to:
kb/scopes.py says which, and retires them once the transaction commits.

A fixture load (``raw``: loaddata, load_content) retires the site: it may change anything.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .content_version import SITE
from .models import CONTENT_MODELS, FaqEntry, Fault
from .scopes import moved_scopes, retire_on_commit, scopes_of


def _before_save(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._kb_moved_scopes = moved_scopes(instance)


def _content_changed(sender, instance, using=None, raw=False, **kwargs):
    if raw:
        retire_on_commit({SITE}, using=using)
        return
    moved = instance.__dict__.pop("_kb_moved_scopes", set())
    retire_on_commit(scopes_of(instance) | moved, using=using)


def _before_delete(sender, instance, **kwargs):
    # read now: the rows naming what it belonged to (a fault's procedure links) go with it
    instance._kb_deleted_scopes = scopes_of(instance)


def _deleted(sender, instance, using=None, **kwargs):
    scopes = instance.__dict__.pop("_kb_deleted_scopes", None)
    retire_on_commit(scopes if scopes is not None else scopes_of(instance), using=using)


def _links_changed(sender, instance, using=None, action="", **kwargs):
    # a fault's or a FAQ entry's procedures (the instance is either side of the link)
    if action.startswith("post_"):
        retire_on_commit(scopes_of(instance), using=using)


for model in CONTENT_MODELS:
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"kb-pre-{model.__name__}")
    post_save.connect(_content_changed, sender=model, dispatch_uid=f"kb-save-{model.__name__}")
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"kb-pre-del-{model.__name__}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"kb-del-{model.__name__}")
for through in (Fault.procedures.through, FaqEntry.procedures.through):
    m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"kb-m2m-{through.__name__}")


# Staff see public pages as everyone does, but never from their browser's cache: the page
# cache middleware (kb/middleware.py) sets or deletes its marker cookie from these.
def _logged_in(sender, request, user, **kwargs):
    if request is not None:
        request.staff_marker = bool(user.is_staff)


def _logged_out(sender, request, user, **kwargs):
    if request is not None:
        request.staff_marker = False


user_logged_in.connect(_logged_in, dispatch_uid="kb-staff-marker-in")
user_logged_out.connect(_logged_out, dispatch_uid="kb-staff-marker-out")
