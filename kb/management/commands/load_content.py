"""`manage.py load_content`: Django's loaddata, validating every object as the admin would
before it is saved, and recording history. A command of its own name: Django's `loaddata` (and
modeltranslation's) stay as they are for anything else.

Without this, a fixture with p_yes 1.5 fails on SQLite with a bare "CHECK constraint failed"
that names neither the object nor the field. Here it fails naming the file (Django adds it),
the object by its natural key, and the field. loaddata runs in one transaction, so a failing
fixture loads nothing of itself.

Every object loaded also gets a history row ("Loaded from a fixture") unless its last history
row already holds the same values: loaddata saves raw, which django-simple-history does not
record, so shipped content had no history and its first edit in the admin could not be
reverted. With the row, it can, from the first edit on.
"""

from django.core.exceptions import ValidationError
from django.core.management.commands import loaddata
from django.db.models.signals import post_save
from simple_history.models import HistoricalChanges

LOADED_REASON = "Loaded from a fixture"


class FixtureContentError(ValueError):
    pass


class Command(loaddata.Command):
    help = (
        "Load the shipped content (fixtures) as loaddata does, validating each object as the "
        "admin would (a bad one is named with its field) and recording a history row for each "
        "object it creates or changes."
    )

    def save_obj(self, obj):
        instance = obj.object
        if isinstance(instance, HistoricalChanges):
            # A history row records what was, as it was (a null change reason, a user since
            # deleted): it is not content to validate, and the admin never edits it.
            return super().save_obj(obj)
        deferred = {field.name for field in obj.deferred_fields}
        if instance.pk is not None and type(instance)._base_manager.filter(pk=instance.pk).exists():
            instance._state.adding = False  # reloading: validate as an update of that row
        try:
            instance.full_clean(exclude=deferred)
        except ValidationError as error:
            self.invalid(instance, error)
        saved = super().save_obj(obj)
        if saved:  # after super(), which also sets the many-to-many relations
            record_history(instance, self.using)
        return saved

    def invalid(self, instance, error: ValidationError) -> None:
        """A shipped fixture must pass: refuse it (and, loaddata being atomic, the file)."""
        raise FixtureContentError(f"{describe(instance)}: {explain(error)}") from error


def record_history(instance, using) -> None:
    """Add a history row for a loaded object, as the admin's save would have."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return
    latest = instance.history.using(using).first()
    # only the fields the history keeps (a model may exclude some, as reports' rankings are)
    kept = {f.attname for f in history.model._meta.concrete_fields}
    fields = [f for f in instance._meta.concrete_fields if f.attname in kept]
    if latest is not None and all(
        getattr(latest, f.attname) == getattr(instance, f.attname) for f in fields
    ):
        return  # reloading unchanged content adds nothing
    instance._change_reason = LOADED_REASON
    # simple_history records on post_save unless the save is raw, as loaddata's are.
    post_save.send(
        sender=type(instance),
        instance=instance,
        created=latest is None,
        raw=False,
        using=using,
        update_fields=None,
    )


def describe(instance) -> str:
    key = instance.natural_key() if hasattr(instance, "natural_key") else (instance.pk,)
    try:
        name = ", ".join(str(part) for part in key)
    except Exception:  # a natural key that needs a related object not loaded yet
        name = f"pk={instance.pk}"
    return f"{instance._meta.label_lower} ({name})"


def explanations(error: ValidationError) -> list[str]:
    """One part per field in error ("field slug: …"), the object's own errors as they are."""
    if hasattr(error, "error_dict"):
        return [
            f"field {field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        ]
    return [" ".join(error.messages)]


def explain(error: ValidationError) -> str:
    return "; ".join(explanations(error))
