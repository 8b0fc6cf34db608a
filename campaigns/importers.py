"""Column spec for the personalisation response-history file (Data.xlsx or its CSV export)."""
from campaigns.models import ResponseRecord
from core.importing import Column, ImportSpec

RESPONSE_SPEC = ImportSpec(
    name="responses",
    columns=(
        Column("external_id", "CustomerID", max_length=64),
        Column("age", "Age", kind="int", min_value=0, max_value=120),
        Column("segment", "Segment", kind="choice", choices=tuple(ResponseRecord.Segment.values), nullable=True),
        Column("recency", "Recency", kind="choice", choices=tuple(ResponseRecord.Recency.values), nullable=True),
        Column("prior_interest", "PriorInterest", kind="zero_one"),
        Column("did_purchase", "DidPurchase", kind="zero_one"),
    ),
)
