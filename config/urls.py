from django.contrib import admin
from django.urls import include, path

from core.views import health, home

admin.site.site_header = "campaign-engine"
admin.site.site_title = "campaign-engine"
admin.site.index_title = "Segments, campaigns and lead queues"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("queue/", include("leads.urls")),
    path("dashboard/", include("operations.urls")),
    path("healthz", health, name="health"),
    path("", home, name="home"),
]
