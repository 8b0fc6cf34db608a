"""Column spec for the ExtraaLearn leads file."""
from core.importing import Column, ImportSpec
from leads.models import Lead

_YES_NO = dict(kind="yes_no")

LEAD_SPEC = ImportSpec(
    name="leads",
    columns=(
        Column("external_id", "ID", max_length=64),
        Column("age", "age", kind="int", min_value=10, max_value=120),
        Column("current_occupation", "current_occupation", kind="choice", choices=tuple(Lead.Occupation.values)),
        Column("first_interaction", "first_interaction", kind="choice", choices=tuple(Lead.FirstInteraction.values)),
        Column("profile_completed", "profile_completed", kind="choice", choices=tuple(Lead.ProfileCompleted.values)),
        Column("website_visits", "website_visits", kind="int", min_value=0, max_value=100_000),
        Column("time_spent_on_website", "time_spent_on_website", kind="int", min_value=0, max_value=10_000_000),
        Column("page_views_per_visit", "page_views_per_visit", kind="float", min_value=0, max_value=100_000),
        Column("last_activity", "last_activity", kind="choice", choices=tuple(Lead.LastActivity.values)),
        Column("print_media_type1", "print_media_type1", **_YES_NO),
        Column("print_media_type2", "print_media_type2", **_YES_NO),
        Column("digital_media", "digital_media", **_YES_NO),
        Column("educational_channels", "educational_channels", **_YES_NO),
        Column("referral", "referral", **_YES_NO),
        Column("status", "status", kind="zero_one", required=False, nullable=True),
    ),
)
