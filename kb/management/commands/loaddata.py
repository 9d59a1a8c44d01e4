"""Django's loaddata, validating every object as the admin would before it is saved.

Without this, a fixture with p_yes 1.5 fails on SQLite with a bare "CHECK constraint failed"
that names neither the object nor the field. Here it fails naming the file (Django adds it),
the object by its natural key, and the field. loaddata runs in one transaction, so a failing
fixture loads nothing of itself.
"""

from django.core.exceptions import ValidationError
from django.core.management.commands import loaddata
from simple_history.models import HistoricalChanges


class FixtureContentError(ValueError):
    pass


class Command(loaddata.Command):
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
            raise FixtureContentError(f"{describe(instance)}: {explain(error)}") from error
        return super().save_obj(obj)


def describe(instance) -> str:
    key = instance.natural_key() if hasattr(instance, "natural_key") else (instance.pk,)
    try:
        name = ", ".join(str(part) for part in key)
    except Exception:  # a natural key that needs a related object not loaded yet
        name = f"pk={instance.pk}"
    return f"{instance._meta.label_lower} ({name})"


def explain(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"field {field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
