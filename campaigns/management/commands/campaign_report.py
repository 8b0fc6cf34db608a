"""Print a campaign's lift report: treated vs control acceptance, overall, per offer and per segment."""
import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.charts import display_rows, report_notes
from campaigns.selectors import campaign_find, campaign_lift_report
from core.errors import UserError

COLUMNS = (("label", "", 36), ("treated", "treated", 8), ("accepted_treated", "accepted", 8),
           ("treated_rate", "rate", 7), ("control", "control", 8), ("accepted_control", "accepted", 8),
           ("control_rate", "rate", 7), ("lift", "lift", 10), ("interval", "95% CI", 22), ("relative", "relative", 8),
           ("incremental", "increm.", 8), ("verdict", "", 0))


def table_line(values: dict) -> str:
    cells = []
    for name, _, width in COLUMNS:
        text = str(values[name])
        cells.append(f"{text:<{width}}" if name in ("label", "interval", "verdict") else f"{text:>{width}}")
    return " ".join(cells).rstrip()


class Command(BaseCommand):
    help = ("Lift report of a campaign (id or name): treated vs control acceptance with a 95% interval, overall, "
            "per offer and per segment. --json prints one JSON object. Exit status 1 for an unknown campaign.")

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign id or exact name")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args, **options):
        try:
            campaign = campaign_find(reference=options["campaign"])
        except UserError as exc:
            raise CommandError(str(exc)) from None
        report = campaign_lift_report(campaign=campaign)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        rows = display_rows(report)
        header = table_line({name: title for name, title, _ in COLUMNS})
        self.stdout.write(f"campaign #{report['campaign']} {report['campaign_name']}")
        for line in report_notes(report):
            self.stdout.write(line)
        for title, key in (("by offer", "by_offer"), ("by segment", "by_segment")):
            self.stdout.write("")
            self.stdout.write(title)
            self.stdout.write(header)
            for values in rows[key]:
                self.stdout.write(table_line(values))
