from django.urls import path
from rest_framework.routers import SimpleRouter

from campaigns.api.views import AssignmentViewSet, AudienceExportView, CampaignViewSet, OfferViewSet, ResponseViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("offers", OfferViewSet, basename="offer")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("responses", ResponseViewSet, basename="response")

urlpatterns = [
    path("campaigns/<str:id>/audience.csv", AudienceExportView.as_view(), name="campaign-audience"),
    *router.urls,
]
