"""The parameters of the lead jobs started through the API (registered with core's job kinds)."""
from rest_framework import serializers


class TrainLeadsParamsSerializer(serializers.Serializer):
    keep_columns = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, max_length=100,
        help_text="Columns (the file's headers) to learn from even if flagged as likely leakage",
    )
