from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = "Customers and segments"

    def ready(self) -> None:
        from core.api.serializers import register_param_check
        from core.models import JobRun
        from core.services import job_abandoned
        from segmentation.services import recluster_features_check, segmentation_runs_abandon

        job_abandoned.connect(segmentation_runs_abandon, dispatch_uid="segmentation_runs_abandon")
        register_param_check(JobRun.Kind.RECLUSTER, "features", recluster_features_check)
