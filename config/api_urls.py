"""Everything under /api/: the versioned endpoints, the token endpoint and the OpenAPI schema with its docs."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.errors import api_not_found
from core.offline_assets import OfflineRedocView, redoc_bundle

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    path("redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("v1/", include("core.api.urls")),
    path("v1/", include("segmentation.api.urls")),
    path("v1/", include("leads.api.urls")),
    path("v1/", include("campaigns.api.urls")),
    path("v1/", include("operations.api.urls")),  # jobs and imports
    re_path(r"", api_not_found),  # last: a path no route above matches answers the JSON envelope, not HTML
]
