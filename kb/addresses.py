"""Public addresses: the slugs and codes in public URLs, locked once public, and the old
address of a page a content lead renamed answering a permanent redirect.

A vehicle model's slug, a generation's code, a procedure's slug and, once its problem is
published, a problem's or a fault's slug are in URLs that owners bookmark, share in a QR code
and find in search engines. An editor may not change them (the admin shows them read-only); a
content lead (permission ``kb.change_public_address``) may, and the old address is kept as a
MovedAddress. A request for it (or for any page under it: a model's slug carries all its
pages) that finds nothing answers 301 to the new one (kb.views.page_not_found), in either
language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import translation

from .models import Fault, Generation, MovedAddress, Problem, Procedure, VehicleModel

PERMISSION = "kb.change_public_address"
# model -> the fields its public URL is made of
ADDRESS_FIELDS = {
    VehicleModel: ("slug",),
    Generation: ("code",),
    Procedure: ("slug",),
    Problem: ("slug",),
    Fault: ("slug",),
}


def is_public(obj) -> bool:
    if isinstance(obj, Problem):
        return obj.is_published
    if isinstance(obj, Fault):
        return obj.problem.is_published
    return True


def locked_fields(user, obj) -> tuple[str, ...]:
    """The address fields ``user`` may not change on ``obj`` (none on a new object)."""
    if obj is None or obj.pk is None or user.has_perm(PERMISSION) or not is_public(obj):
        return ()
    return ADDRESS_FIELDS.get(type(obj), ())


def _path(obj) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the unprefixed (English) address
        return obj.get_absolute_url()


def record_move(old: str, new: str) -> None:
    """Old → new, and every earlier move that led to ``old`` now leads to ``new``."""
    if old == new:
        return
    for moved in MovedAddress.objects.filter(new_path__startswith=old):
        moved.new_path = new + moved.new_path[len(old) :]
        moved.save(update_fields=["new_path"])
    MovedAddress.objects.filter(old_path=new).delete()  # renamed back: the page is there again
    MovedAddress.objects.update_or_create(old_path=old, defaults={"new_path": new})


@receiver(pre_save)
def _remember_the_old_address(sender, instance, raw=False, **kwargs):
    fields = ADDRESS_FIELDS.get(sender)
    if raw or not fields or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).first()
    if before is None or not is_public(before):
        return
    if all(getattr(before, f) == getattr(instance, f) for f in fields):
        return
    old, new = _path(before), _path(instance)
    transaction.on_commit(lambda: record_move(old, new))


def moved_to(path: str) -> str | None:
    """Where a path that found nothing went, if a page it was (or was under) moved."""
    language = translation.get_language_from_path(path)
    prefix = f"/{language}" if language and path.startswith(f"/{language}/") else ""
    bare = path[len(prefix) :]
    parts = bare.strip("/").split("/")
    candidates = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    found = max(
        MovedAddress.objects.filter(old_path__in=candidates),
        key=lambda moved: len(moved.old_path),
        default=None,
    )
    if found is None:
        return None
    return prefix + found.new_path + bare[len(found.old_path) :]
