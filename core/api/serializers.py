"""Serializers for tokens, job runs, job requests and import uploads."""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from rest_framework import serializers

from core.api_security import upload_limit_mib
from core.errors import UserError
from core.models import JobRun

JOB_KINDS = (
    JobRun.Kind.RECLUSTER, JobRun.Kind.RESCORE_LEADS, JobRun.Kind.TRAIN_LEADS, JobRun.Kind.ATTACH_OFFERS,
    JobRun.Kind.NIGHTLY,
)
IMPORT_DATASETS = ("customers", "leads", "responses")
# segmentation.ml.ALGORITHMS, spelled out so loading the URLconf does not import scikit-learn (a test keeps them equal)
RECLUSTER_ALGORITHMS = ("kmeans", "gmm", "agglomerative", "dbscan")


def blank_or(choices) -> serializers.ChoiceField:
    """A read-only choice that may be empty (DRF drops allow_blank from read-only model fields, so the schema
    would otherwise promise one of the choices)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`")


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


# An app's check of one job parameter, run before the job is queued: it raises UserError (or ValueError) naming
# the problem. Core knows no app, so each app registers its checks from AppConfig.ready().
ParamCheck = Callable[[object], None]
PARAM_CHECKS: dict[str, dict[str, ParamCheck]] = {}


def register_param_check(kind: str, name: str, check: ParamCheck) -> None:
    """Check parameter ``name`` of jobs of ``kind`` (when it is given, not empty) with ``check``."""
    PARAM_CHECKS.setdefault(kind, {})[name] = check


def param_errors(kind: str, params: dict) -> dict[str, list[str]]:
    """The registered checks' refusals, by parameter."""
    errors = {}
    for name, check in PARAM_CHECKS.get(kind, {}).items():
        if params.get(name) is None:
            continue
        try:
            check(params[name])
        except (UserError, ValueError) as exc:
            errors[name] = [str(exc)]
    return errors


class ReclusterParamsSerializer(serializers.Serializer):
    algorithm = serializers.ChoiceField(choices=RECLUSTER_ALGORITHMS, default="kmeans")
    k = serializers.IntegerField(min_value=2, max_value=20, allow_null=True, default=None,
                                 help_text="Number of segments; empty picks the best k by the quality metrics")
    features = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, allow_null=True, min_length=1, max_length=100,
        help_text="Cluster on these instead of the default feature set: features, customer fields or custom "
                  "attributes (key or the file's header), as `recluster --features`; an unknown name is refused "
                  "with the list of valid ones",
    )


class AttachOffersParamsSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                           default=None,
                                           help_text="Campaign id; empty attaches offers for every running campaign")


class NoParamsSerializer(serializers.Serializer):
    pass


class TrainLeadsParamsSerializer(serializers.Serializer):
    keep_columns = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, max_length=100,
        help_text="Columns (the file's headers) to learn from even if flagged as likely leakage",
    )


PARAMS_FOR_KIND: dict[str, type[serializers.Serializer]] = {
    JobRun.Kind.RECLUSTER: ReclusterParamsSerializer,
    JobRun.Kind.ATTACH_OFFERS: AttachOffersParamsSerializer,
    JobRun.Kind.RESCORE_LEADS: NoParamsSerializer,
    JobRun.Kind.TRAIN_LEADS: TrainLeadsParamsSerializer,
    JobRun.Kind.NIGHTLY: NoParamsSerializer,
}


class JobRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JOB_KINDS)
    params = serializers.DictField(required=False, default=dict,
                                   help_text="recluster: {algorithm, k, features}; attach_offers: {campaign_id}; "
                                             "train_leads: {keep_columns}; others: {}")

    def validate(self, attrs):
        params_serializer = PARAMS_FOR_KIND[attrs["kind"]](data=attrs.get("params") or {})
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
    dataset = serializers.ChoiceField(choices=IMPORT_DATASETS)
    file = serializers.FileField(help_text="CSV (comma, tab, semicolon or |; UTF-8 or Latin-1) or .xlsx")
    mapping = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000,
                                    help_text=MAPPING_HELP)

    def validate_file(self, upload):
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(f"the file is larger than the {upload_limit_mib()} MiB upload limit")
        if upload.size == 0:
            raise serializers.ValidationError("the file is empty")
        return upload


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
