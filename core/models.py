from django.conf import settings
from django.db import models


class JobRun(models.Model):
    """One run of a job (import, re-cluster, train, re-score, attach offers, nightly): status, progress, result.

    `lock_key` is set while an exclusive job runs; a unique constraint on it means two runs of the same
    job can never overlap, on PostgreSQL and SQLite alike, whatever process starts them.
    """

    class Kind(models.TextChoices):
        IMPORT_CUSTOMERS = "import_customers", "Import customers"
        IMPORT_LEADS = "import_leads", "Import leads"
        IMPORT_RESPONSES = "import_responses", "Import response history"
        RECLUSTER = "recluster", "Re-cluster customers"
        TRAIN_LEADS = "train_leads", "Train lead model"
        RESCORE_LEADS = "rescore_leads", "Re-score leads"
        ATTACH_OFFERS = "attach_offers", "Attach offers"
        NIGHTLY = "nightly", "Nightly run"

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

    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
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


class ImportRun(JobRun):
    """Imports seen on their own in the admin: the same rows as JobRun, filtered to import kinds."""

    IMPORT_KINDS = (JobRun.Kind.IMPORT_CUSTOMERS, JobRun.Kind.IMPORT_LEADS, JobRun.Kind.IMPORT_RESPONSES)

    class Meta:
        proxy = True
        verbose_name = "import run"
