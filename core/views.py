from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse


def health(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers and docker healthchecks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect("/admin/")
