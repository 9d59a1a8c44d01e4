"""Any content change bumps one version number; caches key on it, so they go stale at once.

The bump waits for the COMMIT (``transaction.on_commit``): bumped before it, a concurrent
request could read the new version with the old rows and cache the old content under the
new version, keeping an edit invisible until the next one.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .content_version import bump_content_version
from .models import CONTENT_MODELS, FaqEntry, Fault


def _content_changed(sender, using=None, **kwargs):
    transaction.on_commit(bump_content_version, using=using)


for model in CONTENT_MODELS:
    post_save.connect(_content_changed, sender=model, dispatch_uid=f"kb-save-{model.__name__}")
    post_delete.connect(_content_changed, sender=model, dispatch_uid=f"kb-del-{model.__name__}")
for through in (Fault.procedures.through, FaqEntry.procedures.through):
    m2m_changed.connect(_content_changed, sender=through, dispatch_uid=f"kb-m2m-{through.__name__}")


# Staff see public pages as everyone does, but never from their browser's cache: the page
# cache middleware (config/middleware.py) sets or deletes its marker cookie from these.
def _logged_in(sender, request, user, **kwargs):
    if request is not None:
        request.staff_marker = bool(user.is_staff)


def _logged_out(sender, request, user, **kwargs):
    if request is not None:
        request.staff_marker = False


user_logged_in.connect(_logged_in, dispatch_uid="kb-staff-marker-in")
user_logged_out.connect(_logged_out, dispatch_uid="kb-staff-marker-out")
