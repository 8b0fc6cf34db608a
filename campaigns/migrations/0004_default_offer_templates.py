"""The default offer of each persona, copied into a campaign by "with default offers".

Rows are created only where a persona has no template yet, so templates edited in the admin are never
overwritten by re-running migrations; reversing removes only templates still named as shipped.
"""
from django.db import migrations

DEFAULT_TEMPLATES = [
    {
        "persona": "premium",
        "name": "Cellar tasting evening",
        "offer_type": "premium_product",
        "value": "120.00",
        "message": "An evening with our sommelier: taste this season's finest wines before anyone else.",
        "eligibility": {"exclude_complainers": True},
    },
    {
        "persona": "deal_oriented",
        "name": "20% off this weekend",
        "offer_type": "discount",
        "value": "25.00",
        "message": "20% off everything in store and online, this weekend only.",
        "eligibility": {"exclude_complainers": True},
    },
    {
        "persona": "value_family",
        "name": "Family value bundle",
        "offer_type": "bundle",
        "value": "60.00",
        "message": "A week of family favourites in one bundle, at a bundle price.",
        "eligibility": {"exclude_complainers": True},
    },
]


def create_templates(apps, schema_editor):
    OfferTemplate = apps.get_model("campaigns", "OfferTemplate")
    for template in DEFAULT_TEMPLATES:
        fields = {key: value for key, value in template.items() if key != "persona"}
        OfferTemplate.objects.get_or_create(persona=template["persona"], defaults=fields)


def remove_templates(apps, schema_editor):
    OfferTemplate = apps.get_model("campaigns", "OfferTemplate")
    for template in DEFAULT_TEMPLATES:
        OfferTemplate.objects.filter(persona=template["persona"], name=template["name"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0003_assignment_constraints_responded_by"),
    ]

    operations = [
        migrations.RunPython(create_templates, remove_templates),
    ]
