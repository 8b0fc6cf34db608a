"""The token endpoint. The job and import API (which dispatches to the apps) lives in operations.api."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.base import ApiView
from core.api.serializers import TokenRequestSerializer, TokenSerializer
from core.api.throttles import AuthRateThrottle
from core.api_security import api_token_for


class AuthTokenView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"], auth=[], request=TokenRequestSerializer, responses={200: TokenSerializer},
        summary="Get an API token",
        description="Exchange a username and password for a token (the same token on every call). "
                    "Throttled per client address (API_THROTTLE_AUTH, default 20/min).",
        examples=[
            OpenApiExample("Credentials", value={"username": "rep1", "password": "a long password"}, request_only=True),
            OpenApiExample("Token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True),
        ],
    )
    def post(self, request):
        from rest_framework.authtoken.serializers import AuthTokenSerializer

        # Django's request, not DRF's wrapper: the login lockout (django-axes) marks it, and its middleware reads it
        serializer = AuthTokenSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        return Response({"token": api_token_for(user=serializer.validated_data["user"]).key})
