"""What every API view shares: role permission, write throttle, orjson, pagination, errors and schema."""
from __future__ import annotations

from django.http import Http404
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.views import APIView

from core.api.authentication import RoleTokenAuthentication
from core.api.errors import api_exception_handler
from core.api.pagination import StandardPagination
from core.api.permissions import HasRole
from core.api.renderers import ORJSONRenderer
from core.api.schema import ApiAutoSchema
from core.api.throttles import WriteRateThrottle


MAX_PK = 2**63 - 1


def parse_pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None
    if not 0 < pk <= MAX_PK:
        raise Http404("Not found.")
    return pk


class ApiMixin:
    authentication_classes = [RoleTokenAuthentication, SessionAuthentication]
    schema = ApiAutoSchema()
    renderer_classes = [ORJSONRenderer, BrowsableAPIRenderer]
    permission_classes = [HasRole]
    throttle_classes = [WriteRateThrottle]
    pagination_class = StandardPagination
    read_roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] = frozenset()
    action_roles: dict[str, frozenset[str]] = {}
    read_only = False

    def get_exception_handler(self):
        return api_exception_handler

    def get_object(self):
        """404 for ids no row can have (not a number, or beyond a 64-bit key) instead of a database error."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup in self.kwargs and self.lookup_field == "pk":
            self.kwargs[lookup] = parse_pk(self.kwargs[lookup])
        return super().get_object()


class ApiView(ApiMixin, APIView):
    pass


class ApiViewSet(ApiMixin, viewsets.GenericViewSet):
    pass


class ApiReadOnlyViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    read_only = True


class ApiModelViewSet(ApiMixin, viewsets.ModelViewSet):
    pass
