from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and offers"

    def ready(self) -> None:
        from campaigns.api.job_params import AttachOffersParamsSerializer
        from core.registry import register_job_kind, register_param_check
        from core.roles import ADMIN, ANALYST, MARKETER

        # first: the app's modules name these kinds (JobRun.Kind.ATTACH_OFFERS) when they load
        register_job_kind("import_responses", name="IMPORT_RESPONSES", label="Import response history",
                          noun="import", roles={MARKETER, ANALYST, ADMIN}, is_import=True)
        attach = register_job_kind("attach_offers", name="ATTACH_OFFERS", label="Attach offers", noun="attach",
                                   task="campaigns.attach_offers", roles={MARKETER, ANALYST, ADMIN},
                                   params=AttachOffersParamsSerializer)

        from campaigns.roles import register_roles
        from campaigns.selectors import campaign_id_check

        register_roles()
        register_param_check(attach, "campaign_id", campaign_id_check)
