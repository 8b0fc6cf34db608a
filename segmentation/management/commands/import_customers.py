from core.management.import_command import ImportCommand
from segmentation.services import customers_import


class Command(ImportCommand):
    help = "Import customers from a customer-personality file (tab/comma CSV or .xlsx); upserts by ID."
    import_service = staticmethod(customers_import)
    what = "customers"
