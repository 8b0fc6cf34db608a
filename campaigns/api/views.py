"""Campaigns and offers (marketers write, analysts read), assignments, responses, lift report, audience CSV, and a
customer's next best offers."""
from __future__ import annotations

from decimal import Decimal

from django.http import Http404, StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from campaigns.api import examples
from campaigns.api.serializers import (
    AssignmentSerializer, CampaignSerializer, CustomerOffersSerializer, LiftReportSerializer, OfferSerializer,
    ResponseSerializer,
)
from campaigns.models import Campaign, Offer, OfferAssignment
from campaigns.roles import CAMPAIGN_WRITERS
from core.api.base import ApiModelViewSet, ApiReadOnlyViewSet, ApiView, ApiViewSet, parse_pk
from core.api.renderers import CSVRenderer, ORJSONRenderer
from core.exports import csv_lines
from segmentation.roles import CUSTOMER_READERS

AUDIENCE_HEADER = ["customer_external_id", "persona", "offer", "message"]
OFFER_FIELDS = ("assignment", "offer", "name", "offer_type", "value", "message", "p_accept", "expected_value", "rank",
                "campaign_rank", "campaign", "campaign_name")
CENTS = Decimal("0.01")


def _crud_schema(tag: str, noun: str, example: dict, page: dict, create_example: dict):
    return extend_schema_view(
        list=extend_schema(tags=[tag], summary=f"List {noun}s", description=f"Paginated {noun}s; filter and order "
                           "with the query parameters below.",
                           examples=[OpenApiExample("Page", value=page, response_only=True)]),
        retrieve=extend_schema(tags=[tag], summary=f"A {noun}", description=f"One {noun} by id.",
                               examples=[OpenApiExample(noun.capitalize(), value=example, response_only=True)]),
        create=extend_schema(tags=[tag], summary=f"Create a {noun}",
                             description=f"Marketers and admins create {noun}s.",
                             examples=[OpenApiExample("New", value=create_example, request_only=True),
                                       OpenApiExample("Created", value=example, response_only=True,
                                                      status_codes=["201"])]),
        update=extend_schema(tags=[tag], summary=f"Replace a {noun}",
                             description=f"Every writable field of the {noun}.",
                             examples=[OpenApiExample("Replace", value=create_example, request_only=True),
                                       OpenApiExample("Replaced", value=example, response_only=True)]),
        partial_update=extend_schema(tags=[tag], summary=f"Edit part of a {noun}",
                                     description="Only the fields sent change.",
                                     examples=[OpenApiExample("Edit", value={"name": example["name"]},
                                                              request_only=True),
                                               OpenApiExample("Edited", value=example, response_only=True)]),
        destroy=extend_schema(tags=[tag], summary=f"Delete a {noun}",
                              description=f"Deletes the {noun} with its offer assignments."),
    )


class CampaignFilter(filters.FilterSet):
    class Meta:
        model = Campaign
        fields = ["status", "objective", "channel", "owner"]


@_crud_schema("campaigns", "campaign", examples.CAMPAIGN, examples.CAMPAIGN_PAGE, examples.CAMPAIGN_INPUT)
class CampaignViewSet(ApiModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "name", "starts_on", "id"]
    ordering = ["-created_at", "-id"]
    read_roles = CUSTOMER_READERS
    write_roles = CAMPAIGN_WRITERS

    def perform_create(self, serializer):
        from campaigns.services import campaign_create

        fields = dict(serializer.validated_data)
        serializer.instance = campaign_create(
            name=fields.pop("name"), control_share=fields.pop("control_share", 0.10),
            with_default_offers=fields.pop("with_default_offers", False), owner=self.request.user, **fields,
        )

    def perform_update(self, serializer):
        from campaigns.services import campaign_update

        fields = dict(serializer.validated_data)
        fields.pop("with_default_offers", None)
        serializer.instance = campaign_update(campaign=serializer.instance, **fields)

    @extend_schema(tags=["campaigns"], summary="Campaign lift report", responses={200: LiftReportSerializer},
                   description="Acceptance of treated vs held-out control customers: absolute lift with a 95 % "
                               "confidence interval, relative lift, significance, and the same by offer and segment.",
                   examples=[OpenApiExample("Report", value=examples.REPORT, response_only=True)])
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def report(self, request, pk=None):
        from campaigns.selectors import campaign_lift_report

        report = campaign_lift_report(campaign=self.get_object())
        return Response(LiftReportSerializer(report).data)


def _offer_pk(value: str) -> int:
    try:
        return parse_pk(value)
    except Http404:
        raise ValidationError({"offer": ["Not a valid offer id."]}) from None


class AudienceExportView(ApiView):
    """The audience as CSV, streamed row by row; text cells that a spreadsheet would run as formulas are escaped."""

    renderer_classes = [ORJSONRenderer, CSVRenderer]
    read_roles = CUSTOMER_READERS
    read_only = True

    @extend_schema(
        tags=["campaigns"], summary="Export a campaign's audience (CSV)",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Campaign id"),
                    OpenApiParameter("offer", OpenApiTypes.INT, description="Only customers given this offer")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="customer_external_id, persona, "
                                                      "offer, message; one row per treated customer")},
        description="Customers given an offer (control customers are not contacted, so not listed). Cells starting "
                    "with = + - @ are prefixed with ' so spreadsheets do not run them.",
        examples=[OpenApiExample("CSV", value=examples.AUDIENCE_CSV, response_only=True, media_type="text/csv")],
    )
    def get(self, request, id):  # noqa: A002 - the path parameter is named as in every other endpoint
        pk = id
        from campaigns.selectors import campaign_audience_rows

        campaign = Campaign.objects.filter(pk=parse_pk(pk)).first()
        if campaign is None:
            raise Http404("No such campaign.")
        offer = None
        if request.query_params.get("offer") not in (None, ""):
            offer = Offer.objects.filter(pk=_offer_pk(request.query_params["offer"]), campaign=campaign).first()
            if offer is None:
                raise ValidationError({"offer": ["No such offer in this campaign."]})
        rows = campaign_audience_rows(campaign=campaign, offer=offer)
        response = StreamingHttpResponse(csv_lines(AUDIENCE_HEADER, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-audience.csv"'
        return response


class OfferFilter(filters.FilterSet):
    class Meta:
        model = Offer
        fields = ["campaign", "offer_type", "is_active"]


@_crud_schema("campaigns", "offer", examples.OFFER, examples.OFFER_PAGE, examples.OFFER_INPUT)
class OfferViewSet(ApiModelViewSet):
    queryset = Offer.objects.all()
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    ordering_fields = ["priority", "id", "value"]
    ordering = ["campaign_id", "priority", "id"]
    read_roles = CUSTOMER_READERS
    write_roles = CAMPAIGN_WRITERS


class AssignmentFilter(filters.FilterSet):
    class Meta:
        model = OfferAssignment
        fields = ["campaign", "offer", "customer", "status", "is_control", "persona"]


@extend_schema_view(
    list=extend_schema(tags=["campaigns"], summary="List offer assignments",
                       description="Who was given which offer (or held out as control), with P(accept), expected "
                                   "value and rank. Filter by campaign, offer, customer, status, is_control, persona.",
                       examples=[OpenApiExample("Page", value=examples.ASSIGNMENT_PAGE, response_only=True)]),
    retrieve=extend_schema(tags=["campaigns"], summary="An offer assignment", description="One assignment by id.",
                           examples=[OpenApiExample("Assignment", value=examples.ASSIGNMENT, response_only=True)]),
)
class AssignmentViewSet(ApiReadOnlyViewSet):
    queryset = OfferAssignment.objects.select_related("customer")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["created_at", "score", "rank", "id"]
    ordering = ["-created_at", "-id"]
    read_roles = CUSTOMER_READERS


class ResponseViewSet(mixins.CreateModelMixin, ApiViewSet):
    serializer_class = ResponseSerializer
    read_roles = CAMPAIGN_WRITERS
    write_roles = CAMPAIGN_WRITERS

    @extend_schema(tags=["campaigns"], summary="Record a customer's response to an offer",
                   request=ResponseSerializer, responses={201: AssignmentSerializer},
                   description="sent, accepted or declined; updates the assignment the lift report counts.",
                   examples=[OpenApiExample("Accepted", value={"assignment": 981, "status": "accepted"},
                                            request_only=True),
                             OpenApiExample("Assignment", value=examples.ASSIGNMENT, response_only=True,
                                            status_codes=["201"])])
    def create(self, request):
        from campaigns.services import offer_response_record

        serializer = ResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = offer_response_record(assignment=serializer.validated_data["assignment"],
                                           status=serializer.validated_data["status"], user=request.user)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


def offer_item(offer: dict) -> dict:
    """One ranked offer in the documented shape: the documented keys, money as a 2-decimal string."""
    item = {field: offer[field] for field in OFFER_FIELDS}
    item["value"] = str(Decimal(item["value"]).quantize(CENTS))
    return item


class CustomerOffersView(ApiView):
    """A customer's next best offers, under the customer's URL (/customers/{id}/offers/): the offers are campaigns',
    so the endpoint is too, and segmentation's API needs nothing of campaigns."""

    read_roles = CUSTOMER_READERS
    read_only = True

    @extend_schema(
        tags=["customers"], summary="A customer's next best offers", responses={200: CustomerOffersSerializer},
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                     description="A unique integer value identifying this customer.")],
        description="Offers of active campaigns the customer is eligible for, ranked by expected value "
                    "(P(accept) × value); ties by offer priority, then id.",
        examples=[OpenApiExample("Offers", value=examples.CUSTOMER_OFFERS, response_only=True)],
    )
    def get(self, request, id):  # noqa: A002 - the path parameter is named as in every other endpoint
        from campaigns.selectors import customer_offer_sheet

        sheet = customer_offer_sheet(customer_id=parse_pk(id))
        if sheet is None:
            raise Http404("No such customer.")
        sheet["results"] = [offer_item(offer) for offer in sheet["results"]]
        return Response(sheet)
