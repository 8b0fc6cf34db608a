"""Leads, their score history and scoring models as the API shows them."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api.serializers import blank_or
from core.roles import SALES_REP
from leads.importers import LEAD_SPEC
from leads.models import Lead, LeadScore, ScoringModel

PROFILE_FIELDS = [
    "external_id", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
    "time_spent_on_website", "page_views_per_visit", "last_activity", "print_media_type1", "print_media_type2",
    "digital_media", "educational_channels", "referral",
]


def spec_bounds() -> dict[str, dict]:
    """The import file's bounds on numbers, so a lead sent to the API is held to the same rules as one imported."""
    bounds = {}
    for column in LEAD_SPEC.columns:
        if column.min_value is not None or column.max_value is not None:
            bounds[column.field] = {"min_value": column.min_value, "max_value": column.max_value}
    return bounds


OUTCOME_STAGES = (Lead.Stage.CONTACTED, Lead.Stage.QUALIFIED, Lead.Stage.WON, Lead.Stage.LOST)


class LeadSerializer(serializers.ModelSerializer):
    """Profile fields are writable; stage, owner and status change through the actions (claim, outcome…),
    score, tier and factors through re-scoring."""

    # no default: on a partial update DRF skips a field whose value falls back to its default, and the
    # response then lacked the owner_username the schema promises (null for an unowned lead)
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    tier = blank_or(Lead.Tier.choices)

    class Meta:
        model = Lead
        fields = ["id", *PROFILE_FIELDS, "status", "owner", "owner_username", "stage", "score", "tier", "factors",
                  "scoring_model", "scored_at", "last_activity_at", "created_at", "updated_at"]
        read_only_fields = ["status", "owner", "stage", "score", "tier", "factors", "scoring_model", "scored_at",
                            "last_activity_at", "created_at", "updated_at"]
        extra_kwargs = spec_bounds()


class LeadUpdateSerializer(LeadSerializer):
    """Editing a lead: the external id is the key other systems know it by, so it stays as imported."""

    class Meta(LeadSerializer.Meta):
        read_only_fields = ["external_id", *LeadSerializer.Meta.read_only_fields]


class QueueLeadSerializer(serializers.Serializer):
    """Documents one row of a rep's queue; the view returns plain rows (no serializer loop on the hot path)."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    age = serializers.IntegerField()
    current_occupation = serializers.CharField()
    first_interaction = serializers.CharField()
    profile_completed = serializers.CharField()
    website_visits = serializers.IntegerField()
    time_spent_on_website = serializers.IntegerField()
    page_views_per_visit = serializers.FloatField()
    last_activity = serializers.CharField()
    stage = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)


class LeadScoreSerializer(serializers.ModelSerializer):
    model_version = serializers.IntegerField(source="scoring_model.version", read_only=True)

    class Meta:
        model = LeadScore
        fields = ["score", "tier", "scored_at", "scoring_model", "model_version"]
        read_only_fields = fields


class LeadScoresSerializer(serializers.Serializer):
    """A lead's current score and factors, with its score history (paginated, newest first)."""

    lead = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    factors = serializers.JSONField(help_text="Top factors up and down, in words")
    scored_at = serializers.DateTimeField(allow_null=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LeadScoreSerializer(many=True)


class OutcomeSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[(stage.value, stage.label) for stage in OUTCOME_STAGES], help_text="won closes the lead as converted, lost as not")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssignSerializer(serializers.Serializer):
    rep = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(groups__name=SALES_REP, is_active=True),
        help_text="User id of an active sales rep",
    )


class RoundRobinResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField(required=False, help_text="Leads assigned")
    per_rep = serializers.DictField(child=serializers.IntegerField(), required=False)


class ScoringModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringModel
        fields = ["id", "version", "algorithm", "features", "params", "metrics", "drivers", "training_rows",
                  "training_window_start", "training_window_end", "checksum", "is_champion", "decision", "job",
                  "created_at"]
        read_only_fields = fields
