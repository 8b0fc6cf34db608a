from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = "Customers and segments"

    def ready(self) -> None:
        from core.services import job_abandoned
        from segmentation.services import segmentation_runs_abandon

        job_abandoned.connect(segmentation_runs_abandon, dispatch_uid="segmentation_runs_abandon")
