from campaigns.services import responses_import
from core.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Import response history (personalisation dataset: CSV or Data.xlsx); upserts by CustomerID."
    import_service = staticmethod(responses_import)
    what = "responses"
