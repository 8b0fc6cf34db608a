"""One JSON shape for every API failure, so clients parse errors one way.

    {"error": {"code": "invalid", "message": "Some fields are not valid.",
               "fields": {"name": ["This field is required."]}}}

`fields` keeps DRF's per-field dict (nested for nested input). A `UserError` raised by a service is a
problem the caller can fix: 409 when it is a `ConflictError` (a conflict with the current state: a job
already running, a lead someone else holds), 400 otherwise — never a 500.

Failures outside a DRF view (a path no route matches, such as ``/api/v1/campaigns/0.5/``, or an error
Django handles itself) answer the same shape under /api/: ``api_not_found`` closes the API's URL list, and
Django's handler400/403/404/500 (config/urls.py) are ``api_or_html_*`` below.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ConflictError, UserError

INVALID_MESSAGE = "Some fields are not valid."


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return INVALID_MESSAGE
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else INVALID_MESSAGE
    return str(detail)


def _validation_body(detail) -> dict:
    if isinstance(detail, dict):
        general = detail.get("non_field_errors")
        message = _first_message(general) if general else INVALID_MESSAGE
        return error_body(code="invalid", message=message, fields=detail)
    return error_body(code="invalid", message=_first_message(detail), fields={"non_field_errors": detail})


def api_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, UserError):
        conflict = isinstance(exc, ConflictError)
        return Response(
            error_body(code="conflict" if conflict else "refused", message=str(exc)),
            status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        detail = getattr(exc, "detail", response.data)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(code=code if isinstance(code, str) else "error", message=_first_message(detail))
    return response


# --- Errors Django answers itself (no DRF view involved) ------------------------------------------------------------

API_PREFIX = "/api/"
DJANGO_ERRORS = {
    400: ("bad_request", "Bad request."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    500: ("server_error", "Server error: the request was not carried out; the error has been logged."),
}


def _json_error(status_code: int, message: str = "") -> JsonResponse:
    code, default = DJANGO_ERRORS[status_code]
    return JsonResponse(error_body(code=code, message=message or default), status=status_code)


def _slash_hint(path: str) -> str:
    """A path that names a route but for its trailing slash says so (the API does not redirect)."""
    if path.endswith("/"):
        return ""
    try:
        match = resolve(path + "/")
    except Resolver404:
        return ""
    return "" if match.func is api_not_found else f"Not found. Did you mean {path}/ (with a trailing slash)?"


@csrf_exempt  # a write to no route is a 404, not a CSRF failure page
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any /api/ path no route matches (a non-integer id, a typo): the JSON envelope, in DEBUG too."""
    return _json_error(404, _slash_hint(request.path))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_or_html_bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _json_error(400) if _is_api(request) else defaults.bad_request(request, exception)


def api_or_html_permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _json_error(403) if _is_api(request) else defaults.permission_denied(request, exception)


def api_or_html_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _json_error(404) if _is_api(request) else defaults.page_not_found(request, exception)


def api_or_html_server_error(request: HttpRequest) -> HttpResponse:
    return _json_error(500) if _is_api(request) else defaults.server_error(request)
