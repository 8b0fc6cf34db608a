"""Column spec for the personalisation response-history file (Data.xlsx or its CSV export)."""
from campaigns.models import ResponseRecord
from core.import_runs import ImportEntity, register_import
from core.import_validation import Column, ImportSpec
from core.models import JobRun

RESPONSE_SPEC = ImportSpec(
    name="responses",
    columns=(
        Column("external_id", "CustomerID", max_length=64, synonyms=("Customer ID", "ID", "Client ID", "external_id")),
        Column("age", "Age", kind="int", min_value=0, max_value=120),
        Column("segment", "Segment", kind="choice", choices=tuple(ResponseRecord.Segment.values), nullable=True),
        Column("recency", "Recency", kind="choice", choices=tuple(ResponseRecord.Recency.values), nullable=True),
        Column("prior_interest", "PriorInterest", kind="zero_one"),
        Column("did_purchase", "DidPurchase", kind="zero_one",
               synonyms=("Purchased", "Converted", "Won", "Outcome", "Status", "Response"),
               value_synonyms=(("Converted", "yes"), ("Not Converted", "no"), ("Won", "yes"), ("Lost", "no"))),
    ),
    outcome_field="did_purchase",
)

register_import(ImportEntity(spec=RESPONSE_SPEC, kind=JobRun.Kind.IMPORT_RESPONSES,
                             service="campaigns.services.responses_import",
                             label="Response history (the personalisation layout, or your own columns)"))
