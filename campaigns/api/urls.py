from django.urls import path
from rest_framework.routers import SimpleRouter

from campaigns.api.views import (
    AssignmentViewSet, AudienceExportView, CampaignViewSet, CustomerOffersView, OfferViewSet, ResponseViewSet,
)

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("offers", OfferViewSet, basename="offer")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("responses", ResponseViewSet, basename="response")

urlpatterns = [
    path("campaigns/<str:id>/audience.csv", AudienceExportView.as_view(), name="campaign-audience"),
    path("customers/<str:id>/offers/", CustomerOffersView.as_view(), name="customer-offers"),
    *router.urls,
]
