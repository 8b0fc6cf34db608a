"""Record offer responses in bulk from a CSV/xlsx file (e.g. an email tool's export)."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.services import offer_responses_import
from core.errors import UserError

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2


class Command(BaseCommand):
    help = ("Record responses from FILE with columns customer_id, campaign (id or name), status (sent, accepted, "
            "declined) and optionally offer (id). A held-out customer's line marks its control row (accepted = "
            "converted without an offer). Exit status 0 all lines used, 2 some rejected, 1 none recorded.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--show-errors", type=int, default=20, help="how many line errors to print (default 20)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            result = offer_responses_import(source=path)
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"responses: {result['rows']} read, {result['recorded']} recorded, "
                          f"{result['unchanged']} unchanged, {result['rejected']} rejected")
        for error in result["errors"][: options["show_errors"]]:
            self.stdout.write(f"  row {error['row']}, {error['column']}: {error['reason']} (value: {error['value']!r})")
        if result["rejected"] == 0:
            sys.exit(EXIT_OK)
        sys.exit(EXIT_PARTIAL if result["recorded"] or result["unchanged"] else EXIT_ERROR)
