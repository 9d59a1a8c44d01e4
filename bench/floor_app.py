"""The bare Django floor of the load benchmark: `HttpResponse("ok")` behind SecurityMiddleware
and CommonMiddleware only, no database, no templates, no apps.

Served by the same gunicorn command and configuration as the project
(`gunicorn -c config/gunicorn.py --pythonpath bench floor_app:application`), it is what any
Django view costs on this machine: the honest yardstick for the project's pages. The
project's own `/bench/ok` runs behind the whole middleware stack, so a ratio against it hides
what that stack costs.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-floor-" + "x" * 50),
    ALLOWED_HOSTS=os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(","),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
    LOGGING_CONFIG=None,
)


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("ok", ok)]

application = get_wsgi_application()
