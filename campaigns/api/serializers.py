"""Campaigns, offers, assignments, responses and the lift report as the API shows them."""
from __future__ import annotations

from rest_framework import serializers

from campaigns.ml.lift import MIN_ACCEPTED, MIN_ARM_SIZE, VERDICT_LABELS
from campaigns.models import Campaign, Offer, OfferAssignment
from core.api.serializers import blank_or
from segmentation.personas import PERSONA_CHOICES, PERSONAS

RESPONSE_STATUSES = (OfferAssignment.Status.SENT, OfferAssignment.Status.ACCEPTED, OfferAssignment.Status.DECLINED)


class CampaignSerializer(serializers.ModelSerializer):
    with_default_offers = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text="On create: copy the default offer of each persona (offer templates) into the campaign",
    )
    control_share = serializers.FloatField(min_value=0.0, max_value=0.9, default=0.10,
                                           help_text="Share of eligible customers held out to measure lift")

    class Meta:
        model = Campaign
        fields = ["id", "name", "objective", "channel", "status", "starts_on", "ends_on", "audience_cap",
                  "control_share", "owner", "created_at", "updated_at", "with_default_offers"]
        read_only_fields = ["owner", "created_at", "updated_at"]
        extra_kwargs = {"audience_cap": {"min_value": 1, "max_value": 2**31 - 1}}

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": ["The campaign cannot end before it starts."]})
        return attrs


class OfferSerializer(serializers.ModelSerializer):
    target_personas = serializers.ListField(child=serializers.ChoiceField(choices=PERSONAS), required=False,
                                            max_length=len(PERSONAS), help_text="Personas this offer is for")
    target_segment_keys = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=32767),
                                                required=False, max_length=100,
                                                help_text="Or specific segment keys (stable across runs)")
    eligibility = serializers.DictField(
        required=False,
        help_text="Rules: min_income (number), requires_children (bool), max_recency_days (whole days), "
                  "exclude_complainers (bool)",
    )

    class Meta:
        model = Offer
        fields = ["id", "campaign", "name", "target_personas", "target_segment_keys", "offer_type", "value",
                  "message", "eligibility", "priority", "frequency_cap", "is_active", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "value": {"min_value": 0},
            "priority": {"min_value": 0, "max_value": 32767},
            "frequency_cap": {"min_value": 1, "max_value": 32767},
        }

    def validate_eligibility(self, rules):
        from campaigns.ml.ranking import validate_rules

        try:
            validate_rules(rules)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return rules


class AssignmentSerializer(serializers.ModelSerializer):
    customer_external_id = serializers.CharField(source="customer.external_id", read_only=True)
    persona = blank_or(PERSONA_CHOICES)
    response_source = blank_or(OfferAssignment.ResponseSource.choices)  # empty until a response is recorded

    class Meta:
        model = OfferAssignment
        fields = ["id", "campaign", "offer", "customer", "customer_external_id", "segmentation_run", "persona",
                  "segment_key", "is_control", "status", "score", "p_accept", "rank", "created_at", "updated_at",
                  "responded_at", "response_source"]
        read_only_fields = fields


class ResponseSerializer(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=OfferAssignment.objects.all(),
                                                    help_text="Offer assignment id")
    status = serializers.ChoiceField(choices=RESPONSE_STATUSES, help_text="sent, accepted or declined")


class LiftSerializer(serializers.Serializer):
    absolute = serializers.FloatField(allow_null=True, help_text="Acceptance rate treated − control")
    ci_low = serializers.FloatField(allow_null=True, help_text="95 % interval of the absolute lift")
    ci_high = serializers.FloatField(allow_null=True)
    relative = serializers.FloatField(allow_null=True, help_text="Absolute lift ÷ control rate")
    significant = serializers.BooleanField(help_text="Fisher's exact test p < 0.05 and the interval excludes 0")
    small_sample = serializers.BooleanField(
        help_text=f"An arm under {MIN_ARM_SIZE} customers or under {MIN_ACCEPTED} acceptances in both arms together")
    p_value = serializers.FloatField(allow_null=True, help_text="Fisher's exact test, two-sided (null: an arm is "
                                                                "empty)")
    verdict = serializers.ChoiceField(choices=list(VERDICT_LABELS), help_text="; ".join(
        f"{code}: {label}" for code, label in VERDICT_LABELS.items()))
    verdict_label = serializers.CharField(help_text="The verdict in words, as the admin and commands show it")


class ArmsSerializer(serializers.Serializer):
    """Treated vs control counts and the lift between them (rates and lifts are null when an arm is empty)."""

    treated = serializers.IntegerField()
    control = serializers.IntegerField()
    accepted_treated = serializers.IntegerField()
    accepted_control = serializers.IntegerField()
    treated_rate = serializers.FloatField(allow_null=True)
    control_rate = serializers.FloatField(allow_null=True)
    lift = LiftSerializer()
    incremental_conversions = serializers.FloatField(allow_null=True)


class OfferLiftSerializer(ArmsSerializer):
    offer = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    offer_type = serializers.CharField(allow_blank=True)


class SegmentLiftSerializer(ArmsSerializer):
    persona = serializers.CharField(allow_blank=True)
    segment_key = serializers.IntegerField(allow_null=True)


class UnreachedOfferSerializer(serializers.Serializer):
    offer = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField(help_text="Why no customer gets it, e.g. no segment has its persona")


class LiftReportSerializer(ArmsSerializer):
    campaign = serializers.IntegerField()
    campaign_name = serializers.CharField()
    by_offer = OfferLiftSerializer(many=True)
    by_segment = SegmentLiftSerializer(many=True)
    segmentation_runs = serializers.ListField(child=serializers.IntegerField(),
                                              help_text="Segmentation runs whose (not expired) rows are counted")
    current_segmentation_run = serializers.IntegerField(allow_null=True)
    simulated_responses = serializers.IntegerField(help_text="Responses made up by the demo set-up")
    offers_without_customers = UnreachedOfferSerializer(many=True, help_text="Active offers that reach nobody")


class NextBestOfferSerializer(serializers.Serializer):
    """Documents one ranked offer; the view passes the selector's plain dicts through without a serializer loop."""

    assignment = serializers.IntegerField(help_text="Offer assignment id (record the response against it)")
    offer = serializers.IntegerField(help_text="Offer id")
    name = serializers.CharField()
    offer_type = serializers.CharField()
    value = serializers.DecimalField(max_digits=10, decimal_places=2)
    message = serializers.CharField(allow_blank=True)
    p_accept = serializers.FloatField(allow_null=True, help_text="Probability the customer accepts, 0–1")
    expected_value = serializers.FloatField(allow_null=True, help_text="p_accept × value")
    rank = serializers.IntegerField(help_text="1 = best over every running campaign")
    campaign_rank = serializers.IntegerField(allow_null=True, help_text="Rank within its campaign")
    campaign = serializers.IntegerField(help_text="Campaign id")
    campaign_name = serializers.CharField()


class CustomerOffersSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    external_id = serializers.CharField()
    persona = serializers.CharField(allow_blank=True)
    results = NextBestOfferSerializer(many=True)
