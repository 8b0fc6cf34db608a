from core.management.import_command import ImportCommand
from leads.services import leads_import


class Command(ImportCommand):
    help = "Import leads from an ExtraaLearn-format file (CSV or .xlsx); upserts by ID. Empty status = open lead."
    import_service = staticmethod(leads_import)
    what = "leads"
