from django.conf import settings
from django.db import models

from core.registry import JOB_KINDS, job_kind_choices


class JobRun(models.Model):
    """One run of a job (import, re-cluster, train, re-score, attach offers, nightly): status, progress, result.

    `lock_key` is set while an exclusive job runs; a unique constraint on it means two runs of the same
    job can never overlap, on PostgreSQL and SQLite alike, whatever process starts them.
    """

    # The kinds the apps registered (core.registry): JobRun.Kind.RECLUSTER is the stored value "recluster".
    Kind = JOB_KINDS

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    class Trigger(models.TextChoices):
        COMMAND = "command", "Command line"
        SCHEDULE = "schedule", "Schedule"
        ADMIN = "admin", "Admin"
        API = "api", "API"
        CHAIN = "chain", "After another job"

    kind = models.CharField(max_length=32, choices=job_kind_choices, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.COMMAND)
    stage = models.CharField(max_length=64, blank=True)
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    params = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    lock_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["lock_key"], name="jobrun_one_running_per_lock")]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.PARTIAL, self.Status.FAILED, self.Status.SKIPPED}


class ImportRunManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind__in=JOB_KINDS.imports)


class ImportRun(JobRun):
    """Imports seen on their own in the admin and the API: the same rows as JobRun, filtered to the kinds the apps
    registered as imports."""

    objects = ImportRunManager()

    class Meta:
        proxy = True
        verbose_name = "import run"


class ImportMapping(models.Model):
    """How one file layout maps onto an entity's fields, saved by name and reused for the next file like it.

    `columns`: source header -> target, where a target is a field name of the entity, ``attr:<key>`` (kept as a
    custom attribute) or ``""`` (ignored). `values`: field -> {source value -> stored value}, e.g.
    {"current_occupation": {"Working Professional": "Professional"}}. `units`: field -> factor the file's
    numbers are multiplied by, e.g. {"income": 1000} for "Annual Income (k$)". `entity` is the import spec's
    name ("leads", "customers", "responses"): core names no domain, the apps register their specs.
    """

    entity = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    columns = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=dict, blank=True)
    units = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="import_mapping_name_per_entity")]

    def __str__(self) -> str:
        return f"{self.name} ({self.entity})"


class CustomAttribute(models.Model):
    """A column of an imported file that maps to no field: kept on each record's `attributes` under `key`.

    Values in `attributes` are JSON typed by `kind`: number -> JSON number, boolean -> true/false,
    date -> "YYYY-MM-DD", category -> string. `label` is the column's header as the file wrote it, so models
    and reasons in words use the company's own name for it.
    """

    class Kind(models.TextChoices):
        NUMBER = "number", "Number"
        CATEGORY = "category", "Category"
        BOOLEAN = "boolean", "Yes / no"
        DATE = "date", "Date"

    entity = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "key"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="custom_attribute_key_per_entity")]

    def __str__(self) -> str:
        return f"{self.label} ({self.entity}, {self.kind})"


class JobChunk(models.Model):
    """One chunk of a chunked stage of a run (core.chunks): the ids ``low``..``high`` (inclusive), the worker that
    holds it and what it returned (``result``, JSON) or the error it failed with. core.chunks inserts and claims
    these rows with its own SQL; the model gives the table its migration, the admin its display and a deleted run
    its cascade. ``worker``, ``result`` and ``error`` have database defaults because core.chunks inserts a chunk
    without them.
    """

    class Status(models.TextChoices):  # the values are core.chunks' PENDING, RUNNING, DONE, FAILED
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # the unique constraint's index starts with run_id, so the foreign key needs no index of its own
    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="chunks", db_index=False)
    stage = models.CharField(max_length=100)
    number = models.IntegerField()
    low = models.BigIntegerField()
    high = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    worker = models.CharField(max_length=200, blank=True, db_default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    params = models.TextField(help_text="JSON")
    result = models.TextField(blank=True, db_default="", help_text="JSON")
    error = models.TextField(blank=True, db_default="")

    class Meta:
        db_table = "core_job_chunk"
        ordering = ["run", "stage", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "stage", "number"], name="job_chunk_one_per_number")]

    def __str__(self) -> str:
        return f"{self.stage} chunk {self.number} of run #{self.run_id} ({self.status})"
