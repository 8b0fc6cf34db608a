"""OpenAPI details shared by every endpoint: the error shape and the statuses any call may answer with."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable reason: invalid, not_found, permission_denied, conflict…")
    message = serializers.CharField(help_text="What went wrong, in words")
    fields = serializers.DictField(help_text="Per-field messages, as DRF gives them (lists, nested for nested input)")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_EXAMPLE = OpenApiExample(
    "Invalid input",
    value={"error": {"code": "invalid", "message": "Some fields are not valid.",
                     "fields": {"name": ["This field is required."]}}},
    response_only=True,
    status_codes=["400"],
)

COMMON_ERRORS = {
    "400": "Invalid input: `error.fields` has a message per field",
    "401": "No or invalid credentials (send `Authorization: Token <key>`)",
    "403": "Your role may not do this",
    "404": "No such object, or not one you may see",
    "406": "The `Accept` header asks for a format this endpoint does not give",
    "429": "Too many requests; retry after the `Retry-After` seconds",
}
WRITE_ERRORS = {
    "409": "Conflicts with the current state (e.g. a job already running, a lead someone else holds)",
    "415": "The body's `Content-Type` is not one this endpoint reads (JSON; multipart for uploads)",
}


def error_response(description: str, code: str = "") -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=[ERROR_EXAMPLE] if code == "400" else [])


class ApiAutoSchema(AutoSchema):
    """Documents the error responses every operation may give, in the one error shape."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(COMMON_ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(description, code), code,
                                                              direction=direction)
        return responses
