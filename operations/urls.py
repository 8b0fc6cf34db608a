"""The marketer's dashboard, mounted at /dashboard/ (config.urls)."""
from django.urls import path

from operations import views

app_name = "operations"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/<slug:kind>/", views.run_now, name="run"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/state/", views.job_state, name="job_state"),
]
