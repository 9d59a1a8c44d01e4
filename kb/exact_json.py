"""JSON that keeps every digit of a date (used by `backup` and by kb.models.Deletion)."""

import datetime

from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    """Django's fixtures keep milliseconds (ECMA-262 dates); a backup keeps every digit, so
    history dates come back exactly as they were."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)
