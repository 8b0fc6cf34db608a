"""The parameters of an attach-offers job started through the API (registered with core's job kinds)."""
from rest_framework import serializers


class AttachOffersParamsSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                           default=None,
                                           help_text="Campaign id; empty attaches offers for every running campaign")
