from django.db import models

from segmentation.personas import PERSONA_CHOICES


class Customer(models.Model):
    """A retail customer, with every column of the customer-personality dataset.

    Z_CostContact and Z_Revenue are constant in the dataset (3 and 11) and carry no information: they are
    accepted on import and dropped. `segment`/`persona` point at the current segmentation run's result and
    are re-published atomically by each re-cluster.
    """

    external_id = models.CharField(max_length=64)
    # Every data field but the id may be missing from a company's file: NULL (or "" for text) means "not in the
    # file", never a made-up zero, so no profile or persona claims a trait the data lacks.
    year_birth = models.PositiveSmallIntegerField(null=True, blank=True)
    education = models.CharField(max_length=64, blank=True)
    marital_status = models.CharField(max_length=64, blank=True)
    income = models.FloatField(null=True, blank=True, help_text="Yearly household income; empty when unknown")
    kidhome = models.PositiveSmallIntegerField(null=True, blank=True)
    teenhome = models.PositiveSmallIntegerField(null=True, blank=True)
    dt_customer = models.DateField("enrolled on", null=True, blank=True)
    recency = models.PositiveIntegerField(null=True, blank=True, help_text="Days since the last purchase")
    mnt_wines = models.PositiveIntegerField(null=True, blank=True)
    mnt_fruits = models.PositiveIntegerField(null=True, blank=True)
    mnt_meat_products = models.PositiveIntegerField(null=True, blank=True)
    mnt_fish_products = models.PositiveIntegerField(null=True, blank=True)
    mnt_sweet_products = models.PositiveIntegerField(null=True, blank=True)
    mnt_gold_prods = models.PositiveIntegerField(null=True, blank=True)
    num_deals_purchases = models.PositiveIntegerField(null=True, blank=True)
    num_web_purchases = models.PositiveIntegerField(null=True, blank=True)
    num_catalog_purchases = models.PositiveIntegerField(null=True, blank=True)
    num_store_purchases = models.PositiveIntegerField(null=True, blank=True)
    num_web_visits_month = models.PositiveIntegerField(null=True, blank=True)
    accepted_cmp1 = models.BooleanField(null=True, blank=True)
    accepted_cmp2 = models.BooleanField(null=True, blank=True)
    accepted_cmp3 = models.BooleanField(null=True, blank=True)
    accepted_cmp4 = models.BooleanField(null=True, blank=True)
    accepted_cmp5 = models.BooleanField(null=True, blank=True)
    complain = models.BooleanField(null=True, blank=True)
    response = models.BooleanField(null=True, blank=True, help_text="Accepted the last campaign")
    attributes = models.JSONField(
        default=dict, blank=True,
        help_text="Columns of the imported file that map to no field, by key, typed (see core.CustomAttribute)",
    )
    # Every re-cluster rewrites segment/persona/unsegmented_reason on every row. None of them is indexed and the
    # table keeps half of each page free (fillfactor 50, migration 0002), so PostgreSQL updates each row in place
    # (a HOT update: no index entries, one page touched) — ~6× faster at 1,000,000 rows than with indexes.
    # No database FK constraint either: PostgreSQL would check each changed id one by one at commit; the
    # re-cluster service writes only ids of segments it has just created.
    segment = models.ForeignKey(
        "Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="customers",
        db_constraint=False, db_index=False,
    )
    persona = models.CharField(max_length=16, choices=PERSONA_CHOICES, blank=True)
    unsegmented_reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # Constraint/Meta indexes rather than unique=True/db_index: no extra LIKE indexes on PostgreSQL.
        constraints = [models.UniqueConstraint(fields=["external_id"], name="customer_external_id_unique")]
        indexes = [models.Index(fields=["income"])]

    def __str__(self) -> str:
        return f"Customer {self.external_id}"

    @property
    def total_spend(self) -> int:
        amounts = (self.mnt_wines, self.mnt_fruits, self.mnt_meat_products,
                   self.mnt_fish_products, self.mnt_sweet_products, self.mnt_gold_prods)
        return sum(amount or 0 for amount in amounts)


class SegmentationRun(models.Model):
    """One clustering of all customers. Exactly one finished run is current; a failed run never becomes current."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.OneToOneField("core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="segmentation_run")
    algorithm = models.CharField(max_length=32, default="kmeans")
    params = models.JSONField(default=dict, blank=True)
    chosen_k = models.PositiveSmallIntegerField(null=True, blank=True)
    metrics = models.JSONField(default=list, blank=True, help_text="Silhouette, Calinski-Harabasz, Davies-Bouldin per k")
    sizes = models.JSONField(default=dict, blank=True)
    churn = models.FloatField(null=True, blank=True, help_text="Share of customers whose segment changed since the previous run")
    centroids = models.JSONField(default=list, blank=True)
    feature_names = models.JSONField(default=list, blank=True)
    n_customers = models.PositiveIntegerField(default=0)
    n_unsegmented = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    is_current = models.BooleanField(default=False)
    trigger = models.CharField(max_length=16, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True), name="one_current_segmentation_run")
        ]

    def __str__(self) -> str:
        return f"Segmentation run #{self.pk} ({self.algorithm}, k={self.chosen_k})"


class Segment(models.Model):
    """A cluster of one run. `key` is its identity across runs (kept by matching centroids night to night)."""

    run = models.ForeignKey(SegmentationRun, on_delete=models.CASCADE, related_name="segments")
    key = models.PositiveSmallIntegerField(help_text="Stable identity across runs")
    persona = models.CharField(
        max_length=16, choices=PERSONA_CHOICES, blank=True, db_index=True,
        help_text="Empty when the data holds no evidence for an offer persona (the label then describes the profile)",
    )
    label = models.CharField(max_length=120)
    size = models.PositiveIntegerField(default=0)
    share = models.FloatField(default=0.0)
    profile = models.JSONField(default=dict, blank=True)
    centroid = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "key"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="segment_key_unique_per_run")]

    def __str__(self) -> str:
        return f"{self.label} (run {self.run_id})"


class SegmentMembership(models.Model):
    """Which segment each customer was in for each run: the customer's segment history.

    A million rows per run, written by COPY in the publishing transaction, so the table carries one index only:
    its primary key (run, customer), which serves a run's members and, probed once per run, a customer's history
    (no id column, no (customer, run) index: each cost about as much as the rows themselves at every re-cluster).
    No database FK constraints either (PostgreSQL checks those row by row at commit: three checks per
    membership). Integrity comes from the service, the only writer, inserting ids it has just read or created;
    deletes still cascade through Django. A segment is only ever deleted with its run, whose memberships go
    with the run, hence DO_NOTHING on ``segment``.
    """

    pk = models.CompositePrimaryKey("run", "customer")
    run = models.ForeignKey(
        SegmentationRun, on_delete=models.CASCADE, related_name="memberships", db_constraint=False, db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="memberships", db_constraint=False, db_index=False
    )
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="memberships",
        db_constraint=False, db_index=False,
    )
    persona = models.CharField(max_length=16, choices=PERSONA_CHOICES, blank=True)
    unsegmented_reason = models.CharField(max_length=64, blank=True)

