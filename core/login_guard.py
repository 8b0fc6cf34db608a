"""Who is knocking, and the answer to a locked-out login (django-axes calls both; see settings "Login lockout").

The client address is the one the throttles use (DRF's rule with NUM_PROXIES = API_NUM_PROXIES): the TCP peer
when no proxy is trusted, else the address the outermost trusted proxy saw. A header the client wrote itself
never picks the address, so neither the token throttle nor the lockout can be dodged by forging it.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from core.api.errors import API_PREFIX, error_body

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    return BaseThrottle().get_ident(request)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (f"Too many failed logins for this username from your address: locked out for {minutes} minutes "
            f"(after {settings.AXES_FAILURE_LIMIT} failures). An admin can lift it under Axes › Access attempts.")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    username = (credentials or {}).get("username", "")
    logger.warning("login locked out: username=%r address=%s path=%s", username, client_address(request),
                   request.path)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body(code="locked_out", message=lockout_message()), status=403)
    return render(request, "admin/locked_out.html",
                  {"title": "Locked out", "message": lockout_message(), "site_header": "campaign-engine"}, status=403)
