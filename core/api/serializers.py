"""Serializers every API shares (a blank-or-choice field) and the token's; the job and import API's live in
operations.api.serializers."""
from __future__ import annotations

from rest_framework import serializers


def blank_or(choices) -> serializers.ChoiceField:
    """A read-only choice that may be empty (DRF drops allow_blank from read-only model fields, so the schema
    would otherwise promise one of the choices)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`")
