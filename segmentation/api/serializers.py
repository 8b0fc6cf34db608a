"""Customers, segmentation runs and segments as the API shows them (read only)."""
from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import blank_or
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.personas import PERSONA_CHOICES


class CustomerSerializer(serializers.ModelSerializer):
    persona = blank_or(PERSONA_CHOICES)
    segment_key = serializers.IntegerField(source="segment.key", read_only=True, allow_null=True, default=None)
    segment_label = serializers.CharField(source="segment.label", read_only=True, allow_null=True, default=None)
    total_spend = serializers.IntegerField(read_only=True)

    class Meta:
        model = Customer
        exclude = ["created_at"]
        read_only_fields = [field.name for field in Customer._meta.concrete_fields]


class SegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Segment
        fields = ["id", "run", "key", "persona", "label", "size", "share", "profile", "centroid"]
        read_only_fields = fields


class SegmentationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SegmentationRun
        fields = [
            "id", "job", "algorithm", "params", "chosen_k", "metrics", "sizes", "churn", "n_customers",
            "n_unsegmented", "status", "is_current", "trigger", "error", "started_at", "finished_at",
        ]
        read_only_fields = fields


class SegmentationRunDetailSerializer(SegmentationRunSerializer):
    segments = SegmentSerializer(many=True, read_only=True)

    class Meta(SegmentationRunSerializer.Meta):
        fields = SegmentationRunSerializer.Meta.fields + ["feature_names", "centroids", "segments"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    """One entry of a customer's segment history: the segment they were in for one run."""

    persona = blank_or(PERSONA_CHOICES)
    run_started_at = serializers.DateTimeField(source="run.started_at", read_only=True)
    run_is_current = serializers.BooleanField(source="run.is_current", read_only=True)
    segment_key = serializers.IntegerField(source="segment.key", read_only=True, allow_null=True, default=None)
    segment_label = serializers.CharField(source="segment.label", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SegmentMembership
        fields = ["run", "run_started_at", "run_is_current", "segment", "segment_key", "segment_label", "persona",
                  "unsegmented_reason"]
        read_only_fields = fields
