"""Throttles for the token endpoint (per client address) and for writes (per user).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("auth", "write"), read when a request arrives
rather than when the module is imported, so an operator (or a test) changing the setting takes effect.
The client address is DRF's `get_ident` under REST_FRAMEWORK["NUM_PROXIES"] (API_NUM_PROXIES, default 0):
X-Forwarded-For counts only as far as trusted proxies wrote it, so a forged header gets no fresh allowance.
"""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRate:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AuthRateThrottle(_SettingsRate, SimpleRateThrottle):
    """Password guesses per client address."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class WriteRateThrottle(_SettingsRate, SimpleRateThrottle):
    """Writes (POST/PUT/PATCH/DELETE) per authenticated user; reads are not throttled."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
