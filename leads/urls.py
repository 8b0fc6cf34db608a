"""The rep's workspace pages, mounted at /queue/ (config.urls)."""
from django.urls import path

from leads import views

app_name = "leads"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("leads/<int:lead_id>/", views.lead_page, name="lead"),
    path("leads/<int:lead_id>/claim/", views.claim, name="claim"),
    path("leads/<int:lead_id>/release/", views.release, name="release"),
    path("leads/<int:lead_id>/outcome/", views.outcome, name="outcome"),
]
