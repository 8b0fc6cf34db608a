"""The three offer personas every segment maps to. Pure Python: ML modules import it too."""

PREMIUM = "premium"
DEAL_ORIENTED = "deal_oriented"
VALUE_FAMILY = "value_family"

PERSONAS = (PREMIUM, DEAL_ORIENTED, VALUE_FAMILY)

PERSONA_LABELS = {
    PREMIUM: "Premium",
    DEAL_ORIENTED: "Deal-oriented",
    VALUE_FAMILY: "Value / family",
}

PERSONA_CHOICES = [(key, PERSONA_LABELS[key]) for key in PERSONAS]
