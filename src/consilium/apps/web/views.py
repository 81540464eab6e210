"""Sign in and out, the role start page, and error pages that reveal nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consilium.apps.access.policy import role_of
from consilium.engines.casework.roles import Role

START_PAGES = {
    Role.MEMBER: "portal:home",
    Role.PHYSICIAN: "physician:home",
    Role.COORDINATOR: "cases:worklist",
    Role.EXPERT: "reviews:workspace",
    Role.ADMIN: "accounts:users",
}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    extra_context = {"timeout_minutes": settings.SESSION_TIMEOUT_MINUTES}


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


def home(request):
    role = role_of(request.user)
    if role is None:
        return redirect("login")
    return redirect(START_PAGES[role])


def not_found(request, exception=None):
    # The same words whether the object is missing or hidden from this user.
    return render(
        request,
        "web/error.html",
        {
            "title": "Not found",
            "message": "There is nothing here, or you do not have access to it.",
        },
        status=404,
    )


def forbidden(request, exception=None):
    return render(
        request,
        "web/error.html",
        {"title": "Not allowed", "message": str(exception) or "Your role may not do this."},
        status=403,
    )
