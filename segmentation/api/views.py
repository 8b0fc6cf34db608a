"""Read endpoints for customers and their segment history, segmentation runs and segments."""
from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ApiReadOnlyViewSet, parse_pk
from segmentation.api import examples
from segmentation.api.serializers import (
    CustomerSerializer, MembershipSerializer, SegmentationRunDetailSerializer, SegmentationRunSerializer,
    SegmentSerializer,
)
from segmentation.models import Customer, Segment, SegmentationRun
from segmentation.roles import CUSTOMER_READERS


class CustomerFilter(filters.FilterSet):
    income_min = filters.NumberFilter(field_name="income", lookup_expr="gte", label="Income at least")
    income_max = filters.NumberFilter(field_name="income", lookup_expr="lte", label="Income at most")
    segment_key = filters.NumberFilter(field_name="segment__key", label="Segment key (stable across runs)")

    class Meta:
        model = Customer
        fields = ["segment", "persona", "external_id", "education", "marital_status"]


@extend_schema_view(
    list=extend_schema(
        tags=["customers"], summary="List customers",
        description="Filter by segment (id) or segment_key, persona, income_min/income_max, external_id; "
                    "`search` matches the start of the external id; order by id, external_id, income, recency.",
        examples=[OpenApiExample("Page", value=examples.CUSTOMER_PAGE, response_only=True)],
    ),
    retrieve=extend_schema(tags=["customers"], summary="A customer", description="Every column, with the "
                           "current segment and persona.",
                           examples=[OpenApiExample("Customer", value=examples.CUSTOMER, response_only=True)]),
)
class CustomerViewSet(ApiReadOnlyViewSet):
    queryset = Customer.objects.select_related("segment")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["^external_id"]
    ordering_fields = ["id", "external_id", "income", "recency"]
    ordering = ["id"]
    read_roles = CUSTOMER_READERS

    @extend_schema(
        tags=["customers"], summary="A customer's segment history", responses={200: MembershipSerializer(many=True)},
        description="The segment the customer was in for each segmentation run, newest run first.",
        examples=[OpenApiExample("History", value=examples.HISTORY_PAGE, response_only=True)],
    )
    @action(detail=True, methods=["get"], url_path="segments", filter_backends=[])
    def segments(self, request, pk=None):
        from segmentation.selectors import customer_segment_history

        customer = self._customer(pk)
        page = self.paginate_queryset(customer_segment_history(customer=customer))
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    def _customer(self, pk) -> Customer:
        try:
            return Customer.objects.get(pk=parse_pk(pk))
        except Customer.DoesNotExist:
            raise Http404("No such customer.") from None


class SegmentationRunFilter(filters.FilterSet):
    class Meta:
        model = SegmentationRun
        fields = ["status", "is_current", "algorithm"]


@extend_schema_view(
    list=extend_schema(tags=["segments"], summary="List segmentation runs",
                       description="Newest first, with the quality metrics per k and segment sizes.",
                       examples=[OpenApiExample("Page", value=examples.RUN_PAGE, response_only=True)]),
    retrieve=extend_schema(tags=["segments"], summary="A segmentation run with its segments",
                           description="Metrics, centroids and every segment with its profile.",
                           examples=[OpenApiExample("Run", value=examples.RUN_DETAIL, response_only=True)]),
)
class SegmentationRunViewSet(ApiReadOnlyViewSet):
    queryset = SegmentationRun.objects.all()
    filterset_class = SegmentationRunFilter
    ordering_fields = ["started_at", "id"]
    ordering = ["-started_at", "-id"]
    read_roles = CUSTOMER_READERS

    def get_queryset(self):
        if self.action == "retrieve":
            return SegmentationRun.objects.prefetch_related("segments")
        return SegmentationRun.objects.all()

    def get_serializer_class(self):
        return SegmentationRunSerializer if self.action == "list" else SegmentationRunDetailSerializer

    @extend_schema(tags=["segments"], summary="The current segmentation run", responses=SegmentationRunDetailSerializer,
                   description="The run whose segments customers are in now; 404 before the first run.",
                   examples=[OpenApiExample("Run", value=examples.RUN_DETAIL, response_only=True)])
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        from segmentation.selectors import current_run

        run = current_run()
        if run is None:
            raise Http404("No segmentation run has finished yet.")
        return Response(SegmentationRunDetailSerializer(run).data)


class SegmentFilter(filters.FilterSet):
    current = filters.BooleanFilter(field_name="run__is_current", label="Only segments of the current run")

    class Meta:
        model = Segment
        fields = ["run", "persona", "key"]


@extend_schema_view(
    list=extend_schema(tags=["segments"], summary="List segments",
                       description="Filter by run, persona, key; `current=true` for the segments customers are in now.",
                       examples=[OpenApiExample("Page", value=examples.SEGMENT_PAGE, response_only=True)]),
    retrieve=extend_schema(tags=["segments"], summary="A segment with its profile",
                           description="Size, share, persona, label and the profile (means of the features).",
                           examples=[OpenApiExample("Segment", value=examples.SEGMENT, response_only=True)]),
)
class SegmentViewSet(ApiReadOnlyViewSet):
    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter
    ordering_fields = ["id", "key", "size"]
    ordering = ["-run_id", "key"]
    read_roles = CUSTOMER_READERS
