"""Leads and scoring models, gated by the role table of core/roles.py (the admin reads the same table).

Every lead lookup goes through `leads_visible_to`, so a rep gets 404 — in lists, detail and actions alike —
for a lead another rep holds. Reps change a lead only through the actions (claim, release, outcome); its imported
fields are edited by admins. Marketers read leads, scores and models. The writes are the leads services.
"""
from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ApiReadOnlyViewSet, ApiViewSet
from leads.api import examples
from leads.api.queue import QueuePagination, queue_page
from leads.api.serializers import (
    AssignSerializer, LeadScoresSerializer, LeadScoreSerializer, LeadSerializer, LeadUpdateSerializer,
    OutcomeSerializer, QueueLeadSerializer, RoundRobinResultSerializer, ScoringModelSerializer,
)
from leads.models import Lead, ScoringModel
from leads.roles import (
    LEAD_CREATORS, LEAD_DEALERS, LEAD_EDITORS, LEAD_READERS, LEAD_WORKERS, MODEL_MANAGERS, MODEL_READERS,
)

class LeadFilter(filters.FilterSet):
    unowned = filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label="Only leads nobody holds")
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte")

    class Meta:
        model = Lead
        fields = ["tier", "stage", "owner", "external_id", "status", "current_occupation"]


def _action_schema(summary: str, description: str, request=None, example=None):
    return extend_schema(
        tags=["leads"], summary=summary, description=description, request=request,
        responses={200: LeadSerializer},
        examples=[OpenApiExample("Lead", value=examples.LEAD, response_only=True)] + ([example] if example else []),
    )


@extend_schema_view(
    list=extend_schema(tags=["leads"], summary="List leads",
                       description="Reps see the leads they hold and unowned ones they may claim; marketers, "
                                   "analysts and admins see all. Filter by tier, stage, owner, external_id, "
                                   "status, unowned, score_min/score_max; order by score, created_at, "
                                   "last_activity_at, id.",
                       examples=[OpenApiExample("Page", value=examples.LEAD_PAGE, response_only=True)]),
    retrieve=extend_schema(tags=["leads"], summary="A lead",
                           description="Profile, stage, owner, current score, tier and factors. 404 for a lead "
                                       "another rep holds.",
                           examples=[OpenApiExample("Lead", value=examples.LEAD, response_only=True)]),
    create=extend_schema(tags=["leads"], summary="Create a lead (admins)",
                         description="A new open lead; it is scored by the next re-score.",
                         examples=[OpenApiExample("New lead", value=examples.LEAD_INPUT, request_only=True),
                                   OpenApiExample("Created", value=examples.LEAD, response_only=True,
                                                  status_codes=["201"])]),
    update=extend_schema(tags=["leads"], summary="Replace a lead's profile (admins)",
                         description="The profile comes from imports, so only admins edit it; reps change a lead "
                                     "through the actions. Stage, owner and score change through the actions and "
                                     "re-scoring, not here.",
                         examples=[OpenApiExample("Profile", value=examples.LEAD_INPUT, request_only=True),
                                   OpenApiExample("Lead", value=examples.LEAD, response_only=True)]),
    partial_update=extend_schema(tags=["leads"], summary="Edit part of a lead's profile (admins)",
                                 description="As PUT, sending only the fields to change.",
                                 examples=[OpenApiExample("Visits", value={"website_visits": 5}, request_only=True),
                                           OpenApiExample("Lead", value=examples.LEAD, response_only=True)]),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, ApiViewSet):
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    search_fields = ["^external_id"]
    ordering_fields = ["id", "score", "created_at", "last_activity_at"]
    ordering = ["id"]
    read_roles = LEAD_READERS
    write_roles = LEAD_EDITORS
    action_roles = {"create": LEAD_CREATORS, "claim": LEAD_WORKERS, "release": LEAD_WORKERS,
                    "outcome": LEAD_WORKERS, "queue": LEAD_WORKERS, "assign": LEAD_DEALERS,
                    "assign_round_robin": LEAD_DEALERS}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Lead.objects.none()
        from leads.selectors import leads_visible_to

        return leads_visible_to(user=self.request.user).select_related("owner")

    def get_serializer_class(self):
        return LeadUpdateSerializer if self.action in ("update", "partial_update") else LeadSerializer

    def perform_create(self, serializer):
        from leads.services import lead_create

        serializer.instance = lead_create(**serializer.validated_data)

    def perform_update(self, serializer):
        from leads.services import lead_update

        serializer.instance = lead_update(lead=serializer.instance, **serializer.validated_data)

    def retrieve(self, request, *args, **kwargs):
        from leads.selectors import lead_factors

        lead = self.get_object()
        lead.factors = lead_factors(lead)  # shown, not saved: a lead outside the explained few is explained now
        return Response(self.get_serializer(lead).data)

    @extend_schema(
        tags=["leads"], summary="My queue", responses={200: QueueLeadSerializer(many=True)},
        description="The open leads you hold, hot first, then by score and freshest activity. Cursor-paginated: "
                    "follow `next` (`page_size` up to 200).",
        examples=[OpenApiExample("Queue", value=examples.QUEUE_PAGE, response_only=True)],
    )
    @action(detail=False, methods=["get"], pagination_class=QueuePagination, filter_backends=[])
    def queue(self, request):
        page = self.paginator.paginate_rows(
            lambda key, limit: queue_page(user=request.user, key=key, limit=limit), request)
        return self.get_paginated_response(page)

    @_action_schema("Claim a lead", "Take an unowned lead into your queue. 409 if another rep got it first.")
    @action(detail=True, methods=["post"], filter_backends=[])
    def claim(self, request, pk=None):
        from leads.services import lead_claim

        lead = lead_claim(lead_id=self.get_object().pk, user=request.user)
        return Response(LeadSerializer(lead).data)

    @_action_schema("Release a lead", "Give back a lead you hold; it becomes claimable by any rep.")
    @action(detail=True, methods=["post"], filter_backends=[])
    def release(self, request, pk=None):
        from leads.services import lead_release

        lead = lead_release(lead_id=self.get_object().pk, user=request.user)
        return Response(LeadSerializer(lead).data)

    @_action_schema("Log an outcome", "Record contacted, qualified, won (converted) or lost (not converted).",
                    request=OutcomeSerializer,
                    example=OpenApiExample("Won", value={"stage": "won", "note": "Signed up for the data course"},
                                           request_only=True))
    @action(detail=True, methods=["post"], filter_backends=[])
    def outcome(self, request, pk=None):
        from leads.services import lead_log_outcome

        lead_id = self.get_object().pk
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_log_outcome(lead_id=lead_id, user=request.user, **serializer.validated_data)
        return Response(LeadSerializer(lead).data)

    @_action_schema("Assign a lead to a rep (admins)", "Give the lead to the rep, whoever held it.",
                    request=AssignSerializer,
                    example=OpenApiExample("Rep", value={"rep": 7}, request_only=True))
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request, pk=None):
        from leads.services import lead_assign

        lead = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lead = lead_assign(lead=lead, rep=serializer.validated_data["rep"], user=request.user)
        return Response(LeadSerializer(lead).data)

    @extend_schema(tags=["leads"], summary="Share unowned leads among reps (admins)", request=None,
                   responses={200: RoundRobinResultSerializer},
                   description="Round-robin, weighted by each active rep's free capacity, hottest leads first.",
                   examples=[OpenApiExample("Result", value={"assigned": 120, "per_rep": {"rep1": 60, "rep2": 60}},
                                            response_only=True)])
    @action(detail=False, methods=["post"], url_path="assign-round-robin", filter_backends=[])
    def assign_round_robin(self, request):
        from leads.services import leads_assign_round_robin

        return Response(leads_assign_round_robin(user=request.user))

    @extend_schema(
        tags=["leads"], summary="A lead's score history and factors", responses={200: LeadScoresSerializer},
        description="The current score, tier and the factors pushing it up and down, then every past score "
                    "(newest first, paginated).",
        examples=[OpenApiExample("Scores", value=examples.LEAD_SCORES, response_only=True)],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def scores(self, request, pk=None):
        from leads.selectors import lead_factors
        from leads.selectors import lead_score_history

        lead = self.get_object()
        page = self.paginate_queryset(lead_score_history(lead=lead))
        listing = self.get_paginated_response(LeadScoreSerializer(page, many=True).data).data
        return Response({"lead": lead.pk, "score": lead.score, "tier": lead.tier, "factors": lead_factors(lead),
                         "scored_at": lead.scored_at, **listing})


@extend_schema_view(
    list=extend_schema(tags=["models"], summary="List scoring models",
                       description="Every trained version, newest first, with its metrics and whether it is "
                                   "the champion.",
                       examples=[OpenApiExample("Page", value=examples.MODEL_PAGE, response_only=True)]),
    retrieve=extend_schema(tags=["models"], summary="A scoring model",
                           description="Metrics, drivers (permutation importance), training window and the "
                                       "champion decision.",
                           examples=[OpenApiExample("Model", value=examples.MODEL, response_only=True)]),
)
class ScoringModelViewSet(ApiReadOnlyViewSet):
    queryset = ScoringModel.objects.all()
    serializer_class = ScoringModelSerializer
    filterset_fields = ["is_champion", "algorithm"]
    ordering_fields = ["version", "created_at"]
    ordering = ["-version"]
    read_roles = MODEL_READERS
    write_roles = MODEL_MANAGERS
    action_roles = {"promote": MODEL_MANAGERS, "rollback": MODEL_MANAGERS}

    @extend_schema(tags=["models"], summary="Make this model the champion", request=None,
                   responses={200: ScoringModelSerializer},
                   description="Score leads with this version from the next re-score on.",
                   examples=[OpenApiExample("Champion", value={**examples.MODEL, "is_champion": True},
                                            response_only=True)])
    @action(detail=True, methods=["post"], filter_backends=[])
    def promote(self, request, pk=None):
        from leads.services import lead_model_promote

        return Response(ScoringModelSerializer(lead_model_promote(model=self.get_object(), user=request.user)).data)

    @extend_schema(tags=["models"], summary="Go back to the previous champion", request=None,
                   responses={200: ScoringModelSerializer},
                   description="Make the champion before the current one champion again; 400 if there is none.",
                   examples=[OpenApiExample("Champion", value={**examples.MODEL, "is_champion": True},
                                            response_only=True)])
    @action(detail=False, methods=["post"], filter_backends=[])
    def rollback(self, request):
        from leads.services import lead_model_rollback

        return Response(ScoringModelSerializer(lead_model_rollback(user=request.user)).data)

    @extend_schema(tags=["models"], summary="The champion model", responses={200: ScoringModelSerializer},
                   description="The version scoring leads now; 404 before the first training.",
                   examples=[OpenApiExample("Champion", value={**examples.MODEL, "is_champion": True},
                                            response_only=True)])
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def champion(self, request):
        from leads.selectors import champion_model

        model = champion_model()
        if model is None:
            raise Http404("No model has been trained yet.")
        return Response(ScoringModelSerializer(model).data)
