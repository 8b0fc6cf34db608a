"""Security helpers for the API: issuing tokens and refusing oversized uploads before they are read."""
from __future__ import annotations

from django.conf import settings
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The upload is larger than the limit."


def upload_limit_mib() -> int:
    return settings.UPLOAD_MAX_BYTES // (1024 * 1024)


def upload_refuse_oversized(*, content_length: str | None) -> None:
    """Refuse a request whose declared size already exceeds the limit, before Django spools it to disk."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        return
    if declared > settings.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD_BYTES:
        raise PayloadTooLarge(f"the upload is larger than the {upload_limit_mib()} MiB limit (UPLOAD_MAX_MB)")


def api_token_for(*, user) -> Token:
    """The user's API token, created on first request (one token per user, as DRF's TokenAuthentication expects)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token
