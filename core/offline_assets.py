"""What the pages need from outside, served from here, so no page asks another host (the docs work offline).

- ReDoc: drf-spectacular-sidecar ships its bundle, but the stock page links Google Fonts and the bundle shows
  Redocly's logo from their CDN. Our page (core/templates/core/redoc.html) links no font (REDOC_UI_SETTINGS
  sets system fonts) and loads the bundle from `redoc_bundle`, the sidecar's file with that one image URL
  replaced by an inline blank image.
- The favicon every browser asks for at /favicon.ico (the admin and the docs pages also link it).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from drf_spectacular.views import SpectacularRedocView

SIDECAR_REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
BLANK_IMAGE = "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"
FAVICON = "favicon.ico"
CACHE_SECONDS = 24 * 3600


def _static_bytes(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} is missing")
    return Path(found).read_bytes()


@cache
def offline_redoc_bundle() -> bytes:
    return _static_bytes(SIDECAR_REDOC_BUNDLE).replace(REDOCLY_LOGO.encode(), BLANK_IMAGE.encode())


def _cached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def redoc_bundle(request: HttpRequest) -> HttpResponse:
    return _cached(HttpResponse(offline_redoc_bundle(), content_type="text/javascript; charset=utf-8"))


def favicon(request: HttpRequest) -> HttpResponse:
    return _cached(HttpResponse(_static_bytes(FAVICON), content_type="image/x-icon"))


class OfflineRedocView(SpectacularRedocView):
    template_name = "core/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("redoc-bundle")
