"""What the workspace pages (the rep's queue, the marketer's dashboard) share: who may open them and the admin's
frame around them. The pages log in through the admin's login form and look like the admin."""
from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from core.roles import user_roles


def role_page(roles: set[str], refusal: str):
    """A view for the given roles only: anonymous visitors go to the admin's login page (and come back), users
    holding none of ``roles`` get 403 with ``refusal``."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
            if not user_roles(request.user) & roles:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def admin_framed(request, template: str, title: str, **context) -> TemplateResponse:
    """``template`` (which extends admin/base_site.html) with the admin's header, user links and messages."""
    return TemplateResponse(request, template, {**admin.site.each_context(request), "title": title, **context})
