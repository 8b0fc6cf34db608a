from rest_framework.routers import SimpleRouter

from leads.api.views import LeadViewSet, ScoringModelViewSet

router = SimpleRouter()
router.register("leads", LeadViewSet, basename="lead")
router.register("models", ScoringModelViewSet, basename="scoring-model")

urlpatterns = router.urls
