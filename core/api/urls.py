from django.urls import path
from rest_framework.routers import SimpleRouter

from core.api.views import AuthTokenView, ImportViewSet, JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = [path("auth/token/", AuthTokenView.as_view(), name="auth-token"), *router.urls]
