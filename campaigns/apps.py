from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and offers"

    def ready(self) -> None:
        from campaigns.selectors import campaign_id_check
        from core.api.serializers import register_param_check
        from core.models import JobRun

        register_param_check(JobRun.Kind.ATTACH_OFFERS, "campaign_id", campaign_id_check)
