from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from segmentation.personas import PERSONA_CHOICES


class Campaign(models.Model):
    class Objective(models.TextChoices):
        ACQUISITION = "acquisition", "Acquisition"
        RETENTION = "retention", "Retention"
        CROSS_SELL = "cross_sell", "Cross-sell"
        REACTIVATION = "reactivation", "Reactivation"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        WEB = "web", "Web"
        STORE = "store", "Store"
        CATALOG = "catalog", "Catalog"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=120, unique=True)
    objective = models.CharField(max_length=16, choices=Objective.choices, default=Objective.CROSS_SELL)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    audience_cap = models.PositiveIntegerField(null=True, blank=True, help_text="Most customers to contact; empty = no cap")
    control_share = models.FloatField(
        default=0.10,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.9)],
        help_text="Share of eligible customers held out (no offer) to measure lift",
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(control_share__gte=0) & models.Q(control_share__lte=0.9), name="campaign_control_share_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    class Type(models.TextChoices):
        PREMIUM_PRODUCT = "premium_product", "Premium product or experience"
        DISCOUNT = "discount", "Discount %"
        BUNDLE = "bundle", "Family / value bundle"
        LOYALTY_POINTS = "loyalty_points", "Loyalty points"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(max_length=120)
    target_personas = models.JSONField(default=list, blank=True, help_text="Personas this offer is for")
    target_segment_keys = models.JSONField(default=list, blank=True, help_text="Or specific segment keys")
    offer_type = models.CharField(max_length=24, choices=Type.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2, help_text="Worth of an acceptance, in currency")
    message = models.TextField(blank=True)
    eligibility = models.JSONField(default=dict, blank=True, help_text="e.g. {\"min_income\": 50000}")
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower first on ties")
    frequency_cap = models.PositiveSmallIntegerField(default=1, help_text="Most times one customer gets this offer")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.campaign})"


class OfferTemplate(models.Model):
    """Default offer per persona, copied into a campaign by 'with default offers'. Editable in the admin."""

    persona = models.CharField(max_length=16, choices=PERSONA_CHOICES, unique=True)
    name = models.CharField(max_length=120)
    offer_type = models.CharField(max_length=24, choices=Offer.Type.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    message = models.TextField()
    eligibility = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_persona_display()})"


class OfferAssignment(models.Model):
    """An offer given to (or held back from, for control) one customer.

    Treated rows (``is_control`` false) are offers for the customer; at most one live (proposed or sent) row per
    campaign, customer and offer. A control row marks a customer the campaign holds out: one per campaign and
    customer (expired rows aside); its ``offer`` is the offer the customer would have got first, so lift can be
    read per offer, and it is never sent. A control row marked accepted is a conversion without an offer.
    Rows are never deleted by re-attaching: a pending offer the customer no longer qualifies for is expired.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"

    class ResponseSource(models.TextChoices):
        PERSON = "person", "Recorded by a person (admin or API)"
        FILE = "file", "Response file"
        SIMULATION = "simulation", "Simulated (demo data, not a customer's answer)"

    # Up to a million rows per campaign are written by COPY in the attach job's publishing transaction, so the
    # table carries only what reads need. Indexes: campaign_id and customer_id lead the composite ones in Meta;
    # each extra index cost about 10 % of the COPY. No database FK constraints on the bulk-written columns:
    # PostgreSQL checks those row by row at commit (measured 16 s of a 30 s publish at 1,000,000 rows).
    # Integrity comes from the attach service, the only writer of these columns, inserting ids it has just read;
    # deletes still cascade (or set null) through Django, as for segmentation memberships.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments", db_index=False,
                                 db_constraint=False)
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments",
                              db_constraint=False)
    customer = models.ForeignKey("segmentation.Customer", on_delete=models.CASCADE, related_name="offer_assignments",
                                 db_index=False, db_constraint=False)
    segmentation_run = models.ForeignKey("segmentation.SegmentationRun", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+", db_index=False,
                                         db_constraint=False)
    persona = models.CharField(max_length=16, choices=PERSONA_CHOICES, blank=True)
    segment_key = models.PositiveSmallIntegerField(null=True, blank=True)
    is_control = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    score = models.FloatField(null=True, blank=True, help_text="Expected value = P(accept) x offer value")
    p_accept = models.FloatField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False, help_text="Who recorded the response")
    # db_default: the attach job COPYs new rows without naming this column.
    response_source = models.CharField(max_length=16, choices=ResponseSource.choices, blank=True, default="",
                                       db_default="", help_text="Where the response came from (empty: no answer "
                                       "yet, or recorded before sources were kept)")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["customer", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer", "offer"],
                condition=models.Q(is_control=False, status__in=["proposed", "sent"]),
                name="assignment_one_live_offer_per_customer",
            ),
            models.UniqueConstraint(
                fields=["campaign", "customer"],
                condition=models.Q(is_control=True) & ~models.Q(status="expired"),
                name="assignment_one_control_row_per_customer",
            ),
        ]

    def __str__(self) -> str:
        arm = "control" if self.is_control else "offer"
        return f"{arm} #{self.pk} for customer {self.customer_id} in campaign {self.campaign_id} ({self.status})"


class ResponseRecord(models.Model):
    """Historic response of a customer to a personalised offer (the personalisation dataset)."""

    class Segment(models.TextChoices):
        A = "A"
        B = "B"
        C = "C"

    class Recency(models.TextChoices):
        ACTIVE = "Active"
        DORMANT = "Dormant"
        INACTIVE = "Inactive"

    external_id = models.CharField(max_length=64)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    segment = models.CharField(max_length=64, blank=True)
    recency = models.CharField(max_length=64, blank=True)
    prior_interest = models.BooleanField(null=True, blank=True)
    did_purchase = models.BooleanField(null=True, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True,
        help_text="Columns of the imported file that map to no field, by key, typed (see core.CustomAttribute)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["external_id"], name="response_external_id_unique")]

    def __str__(self) -> str:
        return f"Response {self.external_id}"
