"""The job and import endpoints, mounted under /api/v1/ (config.api_urls) with their names from when core held them."""
from rest_framework.routers import SimpleRouter

from operations.api.views import ImportViewSet, JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = router.urls
