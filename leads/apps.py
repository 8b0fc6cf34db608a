from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads and scoring"

    def ready(self) -> None:
        from leads.selectors import register_row_rules

        register_row_rules()
