"""The job and import API: validation and permission here, the work in core.jobs and the apps' import services.

Which kinds exist, which roles may start each and which datasets import is what the apps registered with core
(core.registry, core.import_runs): nothing here names an app."""
from __future__ import annotations

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import ApiViewSet
from core.api.permissions import JOB_READERS
from core.api.schema import error_response
from core.api_security import upload_refuse_oversized
from core.import_runs import file_preview, import_entities, import_entity, import_template_csv
from core.jobs import job_enqueue
from core.models import ImportRun, JobRun
from core.roles import user_roles
from operations.api.serializers import (
    ImportFileSerializer, ImportPreviewSerializer, ImportUploadSerializer, JobRequestSerializer,
    JobRunDetailSerializer, JobRunSerializer,
)

JOB_EXAMPLE = {
    "id": 17, "kind": "recluster", "status": "queued", "trigger": "api", "stage": "", "progress": 0.0,
    "params": {"algorithm": "kmeans", "k": 4}, "counts": {}, "error": "", "source_name": "",
    "created_by": "ana", "created_at": "2025-03-01T02:00:00Z", "started_at": None, "finished_at": None,
    "duration_seconds": None, "is_finished": False, "report": {},
}
IMPORT_EXAMPLE = {
    **JOB_EXAMPLE, "id": 18, "kind": "import_leads", "status": "partial", "params": {"strict": False},
    "counts": {"rows": 3, "rejected": 1, "inserted": 2, "updated": 0, "unchanged": 0}, "source_name": "leads.csv",
    "is_finished": True, "report": {"errors": [{"row": 3, "column": "age", "value": "abc", "reason": "not a number"}]},
}


def _require_role(user, allowed: frozenset[str], what: str) -> None:
    if not user_roles(user) & allowed:
        raise PermissionDenied(f"your role may not {what}")


def dataset_roles(dataset: str) -> frozenset[str]:
    """The roles that may import ``dataset``: those its app registered for the dataset's import kind."""
    return JobRun.Kind[import_entity(dataset).kind].roles


class JobFilter(filters.FilterSet):
    class Meta:
        model = JobRun
        fields = {"kind": ["exact"], "status": ["exact"], "trigger": ["exact"]}


@extend_schema_view(
    list=extend_schema(tags=["jobs"], summary="List job runs",
                       description="Newest first. Filter by kind, status, trigger.",
                       examples=[OpenApiExample("Page", value={"count": 1, "next": None, "previous": None,
                                                               "results": [JOB_EXAMPLE]}, response_only=True)]),
    retrieve=extend_schema(tags=["jobs"], summary="A job's status and progress",
                           description="Poll this after starting a job: status, stage, progress 0–1, counts, error.",
                           examples=[OpenApiExample("Running", value={**JOB_EXAMPLE, "status": "running",
                                                                      "stage": "clustering", "progress": 0.4},
                                                    response_only=True)]),
    create=extend_schema(
        tags=["jobs"], summary="Start a job", request=JobRequestSerializer,
        responses={202: JobRunDetailSerializer},
        description="Queue a re-cluster, lead re-score, lead-model training, offer attachment or the nightly run. "
                    "Answers 202 with the queued run; poll `GET /api/v1/jobs/{id}/`. 409 while a run of the same "
                    "job is in progress (when jobs run in-process). Marketers may start recluster and attach_offers.",
        examples=[
            OpenApiExample("Re-cluster", value={"kind": "recluster", "params": {"algorithm": "kmeans", "k": 4}},
                           request_only=True),
            OpenApiExample("Queued", value=JOB_EXAMPLE, response_only=True, status_codes=["202"]),
        ],
    ),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = JobRun.objects.select_related("created_by")
    serializer_class = JobRunSerializer
    filterset_class = JobFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    read_roles = JOB_READERS
    write_roles = JOB_READERS

    def get_serializer_class(self):
        return JobRunSerializer if self.action == "list" else JobRunDetailSerializer

    def create(self, request):
        serializer = JobRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        _require_role(request.user, JobRun.Kind[kind].roles, f"start {kind} jobs")
        job = job_enqueue(kind=kind, params=serializer.validated_data["params"], user=request.user,
                          trigger=JobRun.Trigger.API)
        job.refresh_from_db()
        return Response(JobRunDetailSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportFilter(filters.FilterSet):
    class Meta:
        model = ImportRun
        fields = {"kind": ["exact"], "status": ["exact"]}


@extend_schema_view(
    list=extend_schema(tags=["imports"], summary="List import runs", description="Newest first.",
                       examples=[OpenApiExample("Page", value={"count": 1, "next": None, "previous": None,
                                                               "results": [IMPORT_EXAMPLE]}, response_only=True)]),
    retrieve=extend_schema(tags=["imports"], summary="An import's report",
                           description="Counts and every rejected row: {row, column, value, reason}.",
                           examples=[OpenApiExample("Report", value=IMPORT_EXAMPLE, response_only=True)]),
    create=extend_schema(
        tags=["imports"], summary="Upload a file to import", request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(JobRunDetailSerializer, description="Rows imported (status succeeded or partial)"),
            413: error_response("Declared size above the upload limit (UPLOAD_MAX_MB)"),
            422: OpenApiResponse(JobRunDetailSerializer,
                                 description="File read but nothing imported (status failed); the report says why"),
        },
        description="The same validation and upsert as the import commands. 201 when rows were imported (status "
                    "succeeded, or partial with the rejected rows in `report.errors`); 422 with the same body when "
                    "nothing was imported; 400 when the request itself is invalid (no file, unknown dataset, over "
                    "UPLOAD_MAX_MB). Marketers may import customers and responses; analysts and admins anything. "
                    "A file in the sample dataset's layout imports with no mapping; any other file is mapped "
                    "automatically (see `preview`), or by `mapping` (a saved mapping's name or JSON) on top of the "
                    "suggestion. `report.mapping` and `report.columns` say how each column was read, "
                    "`report.warnings` which category values were kept as given.",
        examples=[OpenApiExample("Upload", value={"dataset": "leads", "file": "leads.csv (the file's bytes)",
                                                  "strict": False, "mapping": "crm export",
                                                  "save_mapping": ""},
                                 request_only=True, media_type="multipart/form-data"),
                  OpenApiExample("Partly imported", value=IMPORT_EXAMPLE, response_only=True, status_codes=["201"])],
    ),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = ImportRun.objects.none()  # get_queryset: the import kinds are read per request
    serializer_class = JobRunSerializer
    filterset_class = ImportFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    parser_classes = [MultiPartParser, FormParser]
    read_roles = JOB_READERS
    write_roles = JOB_READERS

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            upload_refuse_oversized(content_length=request.META.get("CONTENT_LENGTH"))

    def get_queryset(self):
        return ImportRun.objects.select_related("created_by")

    def get_serializer_class(self):
        if self.action == "create":
            return ImportUploadSerializer
        if self.action == "preview":
            return ImportFileSerializer
        return JobRunSerializer if self.action == "list" else JobRunDetailSerializer

    def create(self, request):
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = data["dataset"]
        _require_role(request.user, dataset_roles(dataset), f"import {dataset}")
        job = import_entity(dataset).run(
            source=_upload_source(data["file"]), source_name=data["file"].name, strict=data["strict"],
            user=request.user, trigger=JobRun.Trigger.API, mapping=data["mapping"] or None,
            save_mapping_as=data["save_mapping"],
        )
        imported = job.status in (JobRun.Status.SUCCEEDED, JobRun.Status.PARTIAL)
        return Response(JobRunDetailSerializer(job).data,
                        status=status.HTTP_201_CREATED if imported else status.HTTP_422_UNPROCESSABLE_ENTITY)

    @extend_schema(
        tags=["imports"], summary="Preview a file and its suggested mapping",
        request={"multipart/form-data": ImportFileSerializer},
        responses={200: ImportPreviewSerializer, 400: error_response("The file or the mapping cannot be read"),
                   413: error_response("Declared size above the upload limit (UPLOAD_MAX_MB)")},
        description="Reads the file without importing it: its headers, first rows, each column's suggested target "
                    "(a field, a custom attribute `attr:<key>` with its inferred kind, or ignored) and the mapping "
                    "an import would use. Send `mapping` to see it applied on top of the suggestion.",
        examples=[
            OpenApiExample("Upload", value={"dataset": "customers", "file": "shop.csv (the file's bytes)",
                                            "mapping": ""}, request_only=True, media_type="multipart/form-data"),
            OpenApiExample("Preview", response_only=True, status_codes=["200"], value={
                "headers": ["CustomerID", "Genre", "Annual Income (k$)"],
                "rows": [{"CustomerID": "1", "Genre": "Male", "Annual Income (k$)": "15"}],
                "columns": [{"column": "CustomerID", "target": "external_id", "kind": "text"},
                            {"column": "Genre", "target": "attr:genre", "kind": "category"},
                            {"column": "Annual Income (k$)", "target": "income", "kind": "number"}],
                "mapping": {"columns": {"CustomerID": "external_id", "Genre": "attr:genre",
                                        "Annual Income (k$)": "income"}, "values": {}, "units": {"income": 1000.0}},
                "missing_fields": ["year_birth", "education"], "sample_layout": False,
                "detected": {"format": "csv", "encoding": "utf-8", "delimiter": ","}, "total_rows": 200,
            }),
        ],
    )
    @action(detail=False, methods=["post"], url_path="preview")
    def preview(self, request):
        serializer = ImportFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = data["dataset"]
        _require_role(request.user, dataset_roles(dataset), f"import {dataset}")
        preview = file_preview(spec=import_entity(dataset).spec, source=_upload_source(data["file"]),
                               mapping=data["mapping"] or None)
        body = {
            "headers": preview.headers, "rows": preview.rows,
            "columns": [{"column": h, "target": preview.mapping.columns.get(h, ""), "kind": preview.kinds[h]}
                        for h in preview.headers],
            "mapping": preview.mapping.to_json(), "missing_fields": preview.missing_fields,
            "sample_layout": preview.sample_layout, "detected": preview.detected, "total_rows": preview.total_rows,
        }
        return Response(ImportPreviewSerializer(body).data)

    @extend_schema(
        tags=["imports"], summary="Template file of a dataset",
        parameters=[OpenApiParameter("dataset", str, OpenApiParameter.PATH, enum=list(import_entities()))],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 404: error_response("No such dataset")},
        description="The header row of the dataset's own layout: a file with these columns imports with no mapping.",
        examples=[OpenApiExample("Responses template", response_only=True, status_codes=["200"], media_type="text/csv",
                                 value="CustomerID,Age,Segment,Recency,PriorInterest,DidPurchase\n")],
    )
    @action(detail=False, methods=["get"], url_path=r"template/(?P<dataset>[a-z_]+)")
    def template(self, request, dataset: str):
        datasets = import_entities()
        if dataset not in datasets:
            raise NotFound(f"no dataset {dataset!r}: one of {', '.join(datasets)}")
        response = HttpResponse(import_template_csv(import_entity(dataset).spec), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{dataset}-template.csv"'
        return response


def _upload_source(upload):
    return upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
