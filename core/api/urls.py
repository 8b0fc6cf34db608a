from django.urls import path

from core.api.views import AuthTokenView

urlpatterns = [path("auth/token/", AuthTokenView.as_view(), name="auth-token")]
