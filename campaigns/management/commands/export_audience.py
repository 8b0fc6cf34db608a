"""Export a campaign's audience (customers given an offer) as a spreadsheet-safe CSV for email tools."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.selectors import campaign_audience_rows, campaign_find
from core.errors import UserError
from core.exports import write_csv

AUDIENCE_HEADER = ["customer_external_id", "persona", "offer", "message"]


class Command(BaseCommand):
    help = ("Write the customers given an offer of CAMPAIGN (id or name) as CSV: customer id, persona, offer, "
            "message. Cells starting with = + - @ are escaped. Control customers are not listed.")

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign id or exact name")
        parser.add_argument("--offer", type=int, help="only customers given this offer (id)")
        parser.add_argument("--out", required=True, help="CSV file to write")

    def handle(self, *args, **options):
        try:
            campaign = campaign_find(reference=options["campaign"])
        except UserError as exc:
            raise CommandError(str(exc)) from None
        offer = None
        if options["offer"] is not None:
            offer = campaign.offers.filter(pk=options["offer"]).first()
            if offer is None:
                raise CommandError(f"campaign {campaign.name!r} has no offer #{options['offer']}")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"no such folder: {out.parent}")
        written = write_csv(out, AUDIENCE_HEADER, campaign_audience_rows(campaign=campaign, offer=offer))
        self.stdout.write(f"{written} rows written to {out}")
