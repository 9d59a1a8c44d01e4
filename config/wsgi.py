import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

# After Django is set up (the front door imports the project's code): pages this process
# keeps are answered before Django's request handling (config/front_door.py).
from config.front_door import FrontDoor  # noqa: E402

application = FrontDoor(django_application)
