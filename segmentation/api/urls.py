from rest_framework.routers import SimpleRouter

from segmentation.api.views import CustomerViewSet, SegmentationRunViewSet, SegmentViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("segmentation-runs", SegmentationRunViewSet, basename="segmentation-run")
router.register("segments", SegmentViewSet, basename="segment")

urlpatterns = router.urls
