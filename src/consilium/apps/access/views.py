"""The audit trail, for admins: read-only, newest first, filterable.

There is deliberately no way to change or remove an event here (the table refuses it too).
Reading the trail is itself recorded as ``audit.view``.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from consilium.apps.access.actors import Actor
from consilium.apps.access.audit import audited
from consilium.apps.access.models import AuditEvent
from consilium.apps.access.policy import RULES, Forbidden, NotFound, require
from consilium.apps.accounts.models import User

PER_PAGE = 100
CASE_REF = re.compile(r"^\s*(?:CR-?)?0*(\d+)\s*$", re.IGNORECASE)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="User", required=False, max_length=150)
    role = forms.ChoiceField(label="Role", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome"), *AuditEvent.Outcome.choices],
    )
    case = forms.CharField(
        label="Case",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "CR-000123"}),
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Any role"), *User.ROLE_CHOICES]
        # Every action the policy knows, plus any older ones still in the trail.
        recorded = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        actions = sorted(set(RULES) | set(recorded))
        self.fields["action"].choices = [("", "Any action"), *[(a, a) for a in actions]]

    def clean_case(self) -> int | None:
        text = self.cleaned_data["case"]
        if not text.strip():
            return None
        match = CASE_REF.match(text)
        if not match:
            raise forms.ValidationError("Enter a case number such as CR-000123 or 123.")
        return int(match.group(1))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def apply(self, qs):
        data = self.cleaned_data
        if data["actor"].strip():
            qs = qs.filter(actor_username__iexact=data["actor"].strip())
        if data["role"]:
            qs = qs.filter(actor_role=data["role"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["outcome"]:
            qs = qs.filter(outcome=data["outcome"])
        if data["case"] is not None:
            qs = qs.filter(case_id=data["case"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.cleaned_data.items() if v not in (None, "")]
        return ", ".join(parts) or "no filters"


@login_required
@require_safe
def audit_trail(request):
    actor = Actor.from_request(request)
    try:
        require(actor, "audit.view")
    except Forbidden:
        # Other roles are told nothing exists here; require has audited the attempt.
        raise NotFound("No such page") from None

    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    with audited(actor, "audit.view") as audit:
        if form.is_bound and form.is_valid():
            events = form.apply(events)
            audit.detail = form.describe()
        elif form.is_bound:
            events = events.none()
            audit.detail = "invalid filters"
        else:
            audit.detail = "no filters"
        page = Paginator(events.order_by("-at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
        audit.detail += f"; page {page.number}"

    return render(request, "access/audit.html", {"form": form, "page": page})
