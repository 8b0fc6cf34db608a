from django.conf import settings
from django.db import models


class Lead(models.Model):
    """A prospect of the online-education business, with every column of the ExtraaLearn dataset.

    `status` is the known outcome (True = converted to a paying customer); empty means the lead is still
    open. The current score, tier and factors are denormalised here for fast queues; LeadScore keeps history.
    """

    class Occupation(models.TextChoices):
        PROFESSIONAL = "Professional"
        UNEMPLOYED = "Unemployed"
        STUDENT = "Student"

    class FirstInteraction(models.TextChoices):
        WEBSITE = "Website"
        MOBILE_APP = "Mobile App"

    class ProfileCompleted(models.TextChoices):
        LOW = "Low"
        MEDIUM = "Medium"
        HIGH = "High"

    class LastActivity(models.TextChoices):
        EMAIL = "Email Activity"
        PHONE = "Phone Activity"
        WEBSITE = "Website Activity"

    class Stage(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        QUALIFIED = "qualified", "Qualified"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    class Tier(models.TextChoices):
        HOT = "hot", "Hot"
        WARM = "warm", "Warm"
        COLD = "cold", "Cold"

    external_id = models.CharField(max_length=64)
    # Every data field but the id may be missing from a company's file: NULL (or "" for text) means "not in the
    # file", never a made-up zero. Category fields keep any value the file has (the TextChoices above are the
    # sample dataset's values, which mappings translate to; others are stored as given).
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    current_occupation = models.CharField(max_length=64, blank=True)
    first_interaction = models.CharField(max_length=64, blank=True)
    profile_completed = models.CharField(max_length=64, blank=True)
    website_visits = models.PositiveIntegerField(null=True, blank=True)
    time_spent_on_website = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds")
    page_views_per_visit = models.FloatField(null=True, blank=True)
    last_activity = models.CharField(max_length=64, blank=True)
    print_media_type1 = models.BooleanField("newspaper ad", null=True, blank=True)
    print_media_type2 = models.BooleanField("magazine ad", null=True, blank=True)
    digital_media = models.BooleanField(null=True, blank=True)
    educational_channels = models.BooleanField(null=True, blank=True)
    referral = models.BooleanField(null=True, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True,
        help_text="Columns of the imported file that map to no field, by key, typed (see core.CustomAttribute)",
    )
    status = models.BooleanField(null=True, blank=True, help_text="Converted? Empty while the lead is open")
    owner = models.ForeignKey(  # indexed by lead_owner_stage_idx, which starts with owner
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads", db_index=False
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NEW)
    score = models.FloatField(null=True, blank=True, help_text="Conversion likelihood, 0-100")
    tier = models.CharField(max_length=8, choices=Tier.choices, blank=True)
    scoring_model = models.ForeignKey(  # no database constraint: its deferred check cost seconds per re-score
        "ScoringModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        db_constraint=False,
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    factors = models.JSONField(default=dict, blank=True, help_text="Top factors up and down, in words")
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # Unique constraint rather than unique=True: PostgreSQL then has no extra LIKE index to maintain,
        # which halves the cost of a million-row import.
        constraints = [models.UniqueConstraint(fields=["external_id"], name="lead_external_id_unique")]
        # No index holds score or tier, and the table keeps half of each page free (migration 0003): a re-score
        # then updates every lead in place (HOT) without touching any index. A rep's queue is found by owner and
        # sorted in memory (a rep holds at most their capacity of open leads).
        indexes = [models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx")]

    def __str__(self) -> str:
        return f"Lead {self.external_id}"

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES


# A lead with a known outcome is closed: never queued, assigned or re-scored, but it trains the model.
CLOSED_STAGES = (Lead.Stage.WON, Lead.Stage.LOST)
CLOSED_STAGES_SQL = "stage NOT IN (" + ", ".join(f"'{stage.value}'" for stage in CLOSED_STAGES) + ")"  # open leads


class ScoringModel(models.Model):
    """A trained, versioned lead-scoring model. Its artifact lives in file storage with a checksum."""

    version = models.PositiveIntegerField(unique=True)
    algorithm = models.CharField(max_length=64)
    features = models.JSONField(default=list)
    params = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    drivers = models.JSONField(default=dict, blank=True, help_text="Permutation importance and converter profile")
    training_rows = models.PositiveIntegerField(default=0)
    training_window_start = models.DateTimeField(null=True, blank=True)
    training_window_end = models.DateTimeField(null=True, blank=True)
    artifact = models.CharField(max_length=255, help_text="Path in file storage")
    checksum = models.CharField(max_length=64)
    is_champion = models.BooleanField(default=False)
    decision = models.TextField(blank=True, help_text="Why it became champion or stayed challenger")
    job = models.ForeignKey("core.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_champion"], condition=models.Q(is_champion=True), name="one_champion_model")
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.algorithm}{' (champion)' if self.is_champion else ''}"


class LeadScore(models.Model):
    """Score history: one row per lead per scoring run, so reps see the trend."""

    # No database constraints: rows are written in bulk only for leads updated in the same statement's transaction
    # (see leads.services._publish_scores), and deferred per-row checks cost ~8 s per million rows at commit.
    # Deleting a lead or a model still cascades through the ORM.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_history", db_constraint=False,
                             db_index=False)  # the (lead, -scored_at) index serves lookups by lead
    scoring_model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                      db_index=False)  # only read through a lead's history
    score = models.FloatField()
    tier = models.CharField(max_length=8, choices=Lead.Tier.choices)
    scored_at = models.DateTimeField()  # read per lead through the (lead, -scored_at) index; lists go by id

    class Meta:
        ordering = ["-scored_at"]
        indexes = [models.Index(fields=["lead", "-scored_at"])]


class LeadActivity(models.Model):
    """What happened to a lead: claims, releases, assignments and logged outcomes."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        CLAIMED = "claimed", "Claimed"
        RELEASED = "released", "Released"
        OUTCOME = "outcome", "Outcome logged"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    stage = models.CharField(max_length=16, choices=Lead.Stage.choices, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "lead activities"


class SalesRep(models.Model):
    """A sales rep's capacity: how many open leads they may hold (weights round-robin assignment)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_rep")
    capacity = models.PositiveIntegerField(default=50)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user.get_username()} (capacity {self.capacity})"
