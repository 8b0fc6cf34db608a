from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "segmentation"
    verbose_name = "Customers and segments"

    def ready(self) -> None:
        from core.registry import register_job_kind, register_param_check
        from core.roles import ADMIN, ANALYST, MARKETER
        from segmentation.api.job_params import ReclusterParamsSerializer

        # first: the app's modules name these kinds (JobRun.Kind.RECLUSTER) when they load
        register_job_kind("import_customers", name="IMPORT_CUSTOMERS", label="Import customers", noun="import",
                          roles={MARKETER, ANALYST, ADMIN}, is_import=True)
        recluster = register_job_kind("recluster", name="RECLUSTER", label="Re-cluster customers", noun="re-cluster",
                                      task="segmentation.recluster_customers", roles={MARKETER, ANALYST, ADMIN},
                                      params=ReclusterParamsSerializer)

        from core.job_runs import job_abandoned
        from segmentation.roles import register_roles
        from segmentation.services import recluster_features_check, segmentation_runs_abandon

        register_roles()
        register_param_check(recluster, "features", recluster_features_check)
        job_abandoned.connect(segmentation_runs_abandon, dispatch_uid="segmentation_runs_abandon")
