from django.contrib import admin
from django.urls import include, path

from core.offline_assets import favicon
from core.views import health, home

admin.site.site_header = "campaign-engine"
admin.site.site_title = "campaign-engine"
admin.site.index_title = "Segments, campaigns and lead queues"

# under /api/ every error Django answers itself is the API's JSON error envelope; elsewhere Django's pages
handler400 = "core.api.errors.api_or_html_bad_request"
handler403 = "core.api.errors.api_or_html_permission_denied"
handler404 = "core.api.errors.api_or_html_not_found"
handler500 = "core.api.errors.api_or_html_server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("queue/", include("leads.urls")),
    path("dashboard/", include("operations.urls")),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("", home, name="home"),
]
