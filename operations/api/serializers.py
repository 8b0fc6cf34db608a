"""Serializers of the job and import API: job runs, job requests (checked against the kinds the apps
registered), import uploads and previews (the datasets the apps registered)."""
from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from core.api_security import upload_limit_mib
from core.import_runs import import_entities
from core.models import JobRun
from core.registry import param_errors


class JobRunSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    is_finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = JobRun
        fields = [
            "id", "kind", "status", "trigger", "stage", "progress", "params", "counts", "error", "source_name",
            "created_by", "created_at", "started_at", "finished_at", "duration_seconds", "is_finished",
        ]
        read_only_fields = fields


class JobRunDetailSerializer(JobRunSerializer):
    """With the report: an import's rejected rows ({row, column, value, reason}) or a job's details."""

    class Meta(JobRunSerializer.Meta):
        fields = JobRunSerializer.Meta.fields + ["report"]
        read_only_fields = fields


class NoParamsSerializer(serializers.Serializer):
    pass


def job_params_serializer(kind: str) -> type[serializers.Serializer]:
    """The serializer of a startable kind's parameters, as its app registered it (none: no parameters)."""
    return JobRun.Kind[kind].params or NoParamsSerializer


def params_help() -> str:
    return "; ".join(f"{kind.value}: {{{', '.join(job_params_serializer(kind.value)().fields)}}}"
                     for kind in JobRun.Kind.startable)


class JobRequestSerializer(serializers.Serializer):
    """A job to start: one of the kinds the apps registered with a task, and its parameters."""

    def get_fields(self):
        return {
            "kind": serializers.ChoiceField(choices=[kind.value for kind in JobRun.Kind.startable]),
            "params": serializers.DictField(required=False, default=dict, help_text=params_help()),
        }

    def validate(self, attrs):
        params_serializer = job_params_serializer(attrs["kind"])(data=attrs.get("params") or {})
        unknown = sorted(set(attrs.get("params") or {}) - set(params_serializer.fields))
        if unknown:
            unknown_errors = {name: ["Unknown parameter for this job."] for name in unknown}
            raise serializers.ValidationError({"params": unknown_errors})
        if not params_serializer.is_valid():
            raise serializers.ValidationError({"params": params_serializer.errors})
        params = dict(params_serializer.validated_data)
        refused = param_errors(attrs["kind"], params)
        if refused:
            raise serializers.ValidationError({"params": refused})
        attrs["params"] = params
        return attrs


MAPPING_HELP = ('A saved mapping\'s name, or JSON: {"columns": {header: field | "attr:<key>" | ""}, "values": '
                '{field: {source value: stored value}}, "units": {field: factor}} or just {header: field}. Headers '
                'it does not name are mapped automatically.')


class ImportFileSerializer(serializers.Serializer):
    dataset = serializers.ChoiceField(choices=())  # the datasets the apps registered: set in get_fields
    file = serializers.FileField(help_text="CSV (comma, tab, semicolon or |; UTF-8 or Latin-1) or .xlsx")
    mapping = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000,
                                    help_text=MAPPING_HELP)

    def validate_file(self, upload):
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(f"the file is larger than the {upload_limit_mib()} MiB upload limit")
        if upload.size == 0:
            raise serializers.ValidationError("the file is empty")
        return upload

    def get_fields(self):
        fields = super().get_fields()
        fields["dataset"] = serializers.ChoiceField(choices=list(import_entities()))
        return fields


class ImportUploadSerializer(ImportFileSerializer):
    strict = serializers.BooleanField(default=False, help_text="Import nothing if any row has a problem")
    save_mapping = serializers.CharField(required=False, allow_blank=True, default="", max_length=120,
                                         help_text="Save the mapping used under this name, for the next file like it")


class ImportColumnSerializer(serializers.Serializer):
    column = serializers.CharField(help_text="The file's header")
    target = serializers.CharField(allow_blank=True,
                                   help_text='A field, "attr:<key>" (kept as a custom attribute) or "" (ignored)')
    kind = serializers.CharField(help_text="number, category, boolean, date, text or ignored")


class ImportPreviewSerializer(serializers.Serializer):
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
                                 help_text="The first rows as the file has them, by header")
    columns = ImportColumnSerializer(many=True, help_text="Each header's suggested (or given) target and kind")
    mapping = serializers.DictField(help_text="The mapping an import with no `mapping` would use: columns, values, "
                                              "units")
    missing_fields = serializers.ListField(child=serializers.CharField(),
                                           help_text="Fields no column maps to (stored empty)")
    sample_layout = serializers.BooleanField(help_text="The sample dataset's own layout: imports with its validation")
    detected = serializers.DictField(child=serializers.CharField())
    total_rows = serializers.IntegerField()
