from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads and scoring"

    def ready(self) -> None:
        from core.registry import Schedule, register_job_kind, register_schedule
        from core.roles import ADMIN, ANALYST
        from leads.api.job_params import TrainLeadsParamsSerializer

        # first: the app's modules name these kinds (JobRun.Kind.RESCORE_LEADS) when they load
        register_job_kind("import_leads", name="IMPORT_LEADS", label="Import leads", noun="import",
                          roles={ANALYST, ADMIN}, is_import=True)
        register_job_kind("train_leads", name="TRAIN_LEADS", label="Train lead model", noun="training",
                          task="leads.retrain_lead_model", roles={ANALYST, ADMIN}, params=TrainLeadsParamsSerializer)
        register_job_kind("rescore_leads", name="RESCORE_LEADS", label="Re-score leads", noun="re-score",
                          task="leads.rescore_leads", roles={ANALYST, ADMIN})
        register_schedule(Schedule(
            name="Weekly: retrain lead model", task="leads.retrain_lead_model",
            crontab={"minute": "30", "hour": None, "day_of_week": "0"}, kwargs={"trigger": "schedule"},
            description="Trains candidates on every lead with a known outcome; promotes only if not worse than the "
                        "champion."))

        from leads.roles import register_roles
        from leads.selectors import register_row_rules

        register_roles()  # what each role may do on leads and models, and which leads a rep reaches
        register_row_rules()
