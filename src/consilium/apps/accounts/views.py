"""Administration (users, program settings) and every user's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.policy import Forbidden, NotFound, require
from consilium.apps.accounts.forms import ProgramSettingsForm, TokenForm, UserForm
from consilium.apps.accounts.models import ApiToken, Program, User
from consilium.engines.casework.roles import Role

PER_PAGE = 50


def admin_only(request, action: str) -> Actor:
    """The actor, if they may ``action``; otherwise 404, so the admin pages stay hidden
    from other roles (``require`` has already audited the refusal)."""
    actor = Actor.from_request(request)
    try:
        require(actor, action)
    except Forbidden:
        raise NotFound("No such page") from None
    return actor


@login_required
def users(request):
    admin_only(request, "users.manage")
    role = request.GET.get("role", "")
    qs = User.objects.select_related("program").order_by("last_name", "first_name", "username")
    if role in {r.value for r in Role}:
        qs = qs.filter(role=role)
    else:
        role = ""
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {
            "page": page,
            "role": role,
            "roles": User.ROLE_CHOICES,
        },
    )


@login_required
def user_new(request):
    actor = admin_only(request, "users.manage")
    form = UserForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        with audited(actor, "users.manage") as audit, transaction.atomic():
            user = form.save()
            audit.obj = user
            audit.detail = f"created {user.username} as {user.role}"
        messages.success(request, f"{user.display_name} can now sign in as {user.username}.")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "editing": None})


@login_required
def user_edit(request, pk: int):
    actor = admin_only(request, "users.manage")
    user = get_object_or_404(User.objects.select_related("program"), pk=pk)
    form = UserForm(request.POST or None, instance=user, admin=request.user)
    if request.method == "POST" and form.is_valid():
        changed = [name for name in form.changed_data if not name.startswith("password")]
        if form.cleaned_data.get("password1"):
            changed.append("password")
        with audited(actor, "users.manage", obj=user) as audit, transaction.atomic():
            form.save()
            audit.detail = f"edited {user.username}: {', '.join(changed) or 'no changes'}"
        if user.pk == request.user.pk and "password" in changed:
            # A new password ends other sessions; keep the admin's own one signed in.
            update_session_auth_hash(request, user)
        messages.success(request, f"Saved {user.display_name}.")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "editing": user})


@login_required
def program_settings(request):
    actor = admin_only(request, "program.settings")
    program = request.user.program
    if program is None:
        return render(request, "accounts/settings.html", {"form": None, "program": None})
    form = ProgramSettingsForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        before = Program.objects.get(pk=program.pk).review_due_business_days
        with audited(actor, "program.settings", obj=program) as audit:
            form.save()
            audit.detail = (
                f"review_due_business_days {before} -> {program.review_due_business_days}"
            )
        messages.success(request, "Program settings saved.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form, "program": program})


@login_required
def tokens(request):
    actor = Actor.from_request(request)
    require(actor, "tokens.own")
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        with audited(actor, "tokens.own") as audit:
            token, raw = ApiToken.issue(request.user, form.cleaned_data["name"].strip())
            audit.obj = token
            audit.detail = f"issued token ****{token.hint}"
        # Rendered, not redirected: the raw value is shown once and never kept anywhere.
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "raw": raw,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    actor = Actor.from_request(request)
    require(actor, "tokens.own")
    # Someone else's token answers exactly like a missing one.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        with audited(actor, "tokens.own", obj=token) as audit:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.detail = f"revoked token ****{token.hint}"
        messages.success(request, f"Token '{token.name}' revoked; it no longer works.")
    else:
        messages.info(request, f"Token '{token.name}' was already revoked.")
    return redirect("accounts:tokens")
