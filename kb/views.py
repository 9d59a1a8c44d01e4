from django.db import connection
from django.http import HttpResponse, JsonResponse


def ok(request):
    return HttpResponse("ok")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def robots_txt(request):
    return HttpResponse("User-agent: *\n", content_type="text/plain")


def page_not_found(request, exception):
    return HttpResponse("not found", status=404)
