"""Column spec for the ExtraaLearn leads file, and how another company's lead export names the same things."""
from core.import_runs import ImportEntity, register_import
from core.import_validation import Column, ImportSpec
from core.models import JobRun
from leads.models import Lead

_YES_NO = dict(kind="yes_no")
OUTCOME_VALUES = (("Converted", "yes"), ("Not Converted", "no"), ("Won", "yes"), ("Lost", "no"))

LEAD_SPEC = ImportSpec(
    name="leads",
    columns=(
        Column("external_id", "ID", max_length=64,
               synonyms=("Lead ID", "Prospect ID", "Customer ID", "Contact ID", "Record ID", "external_id")),
        Column("age", "age", kind="int", min_value=10, max_value=120),
        Column("current_occupation", "current_occupation", kind="choice", choices=tuple(Lead.Occupation.values),
               synonyms=("What is your current occupation", "Occupation"),
               value_synonyms=(("Working Professional", "Professional"),)),
        Column("first_interaction", "first_interaction", kind="choice", choices=tuple(Lead.FirstInteraction.values)),
        Column("profile_completed", "profile_completed", kind="choice", choices=tuple(Lead.ProfileCompleted.values),
               synonyms=("Profile Completion",)),
        Column("website_visits", "website_visits", kind="int", min_value=0, max_value=100_000,
               synonyms=("TotalVisits", "Visits")),
        Column("time_spent_on_website", "time_spent_on_website", kind="int", min_value=0, max_value=10_000_000,
               synonyms=("Total Time Spent on Website", "Time on Website"),
               units=(("s", 1), ("seconds", 1), ("min", 60), ("minutes", 60))),
        Column("page_views_per_visit", "page_views_per_visit", kind="float", min_value=0, max_value=100_000,
               synonyms=("Pages per Visit",)),
        # One foreign value per sample value, so no two of a file's values are merged into one.
        Column("last_activity", "last_activity", kind="choice", choices=tuple(Lead.LastActivity.values),
               value_synonyms=(("Email Opened", "Email Activity"), ("Had a Phone Conversation", "Phone Activity"),
                               ("Page Visited on Website", "Website Activity"))),
        Column("print_media_type1", "print_media_type1", synonyms=("Newspaper Ad", "Newspaper"), **_YES_NO),
        Column("print_media_type2", "print_media_type2", synonyms=("Magazine Ad", "Magazine"), **_YES_NO),
        Column("digital_media", "digital_media", **_YES_NO),
        Column("educational_channels", "educational_channels", **_YES_NO),
        Column("referral", "referral", **_YES_NO),
        Column("status", "status", kind="zero_one", required=False, nullable=True,
               synonyms=("Converted", "Won", "Outcome"), value_synonyms=OUTCOME_VALUES),
    ),
    outcome_field="status",
)

register_import(ImportEntity(spec=LEAD_SPEC, kind=JobRun.Kind.IMPORT_LEADS, service="leads.services.leads_import",
                             label="Leads (the ExtraaLearn layout, or your own columns)"))
