from django import forms
from django.conf import settings

DATASETS = [
    ("customers", "Customers (customer-personality format, tab or comma separated, or .xlsx)"),
    ("leads", "Leads (ExtraaLearn format)"),
    ("responses", "Response history (personalisation format: CSV or Data.xlsx)"),
]


class ImportUploadForm(forms.Form):
    dataset = forms.ChoiceField(choices=DATASETS)
    file = forms.FileField(help_text="CSV (comma, tab, semicolon or |; UTF-8 or Latin-1) or Excel .xlsx")
    strict = forms.BooleanField(required=False, help_text="Import nothing if any row has a problem")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"the file is larger than the {limit} MiB upload limit")
        return upload
