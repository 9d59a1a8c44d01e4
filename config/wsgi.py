import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

# After Django is set up (the front door imports the project's code): pages this process
# keeps are answered before Django's request handling, and Django's handler goes on with the
# request the front door built for the others (config/front_door.py).
from config.front_door import FrontDoor, Handler  # noqa: E402

django_application = Handler()
application = FrontDoor(django_application)
